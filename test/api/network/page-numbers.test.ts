import { makeTestApp, type TestApp } from '../../helpers/app';
import { nowUtc } from '../../../src/db/knex';

/**
 * Deep page numbers start from anchors (src/db/page-anchors.ts) instead of OFFSET: the pages must be exactly
 * OFFSET's, before and after changes made through the API.
 */
let t: TestApp;
let planId: number;
const N = 12_345;
beforeAll(async () => {
  t = await makeTestApp();
  planId = (await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' })).data.id;
  const now = nowUtc();
  const rows = Array.from({ length: N }, (_, i) => ({ username: `pg${i}`, password: 'x', plan_id: planId, status: i % 3 === 0 ? 'suspended' : 'active', created_at: now, updated_at: now }));
  for (let i = 0; i < rows.length; i += 500) await t.db('customers').insert(rows.slice(i, i + 500));
}, 120_000);
afterAll(async () => t?.close());

async function expectOffsetPages(perPage: number, pages: number[], filter: Record<string, string> = {}) {
  for (const page of pages) {
    const r = await t.call('list_customers', { page: String(page), per_page: String(perPage), ...filter });
    expect(r.ok).toBe(true);
    const q = t.db('customers').orderBy('id').offset((page - 1) * perPage).limit(perPage);
    if (filter.status) q.where({ status: filter.status });
    const expected = (await q.select('username')).map((c: { username: string }) => c.username);
    expect({ page, got: r.data.map((c: { username: string }) => c.username) }).toEqual({ page, got: expected });
  }
}

test('deep pages are exactly the OFFSET pages, for the whole list and a filter', async () => {
  await expectOffsetPages(25, [1, 2, 200, 201, 240, 241, 280, 400, 494, 495, 496, 1000]);
  await expectOffsetPages(100, [50, 51, 123, 124, 125]);
  await expectOffsetPages(10, [500, 777, 822, 823, 824], { status: 'active' });
  await expectOffsetPages(7, [800, 587, 588, 589], { status: 'suspended' });
});

test('after deletes, status changes and new rows made through the API the pages are still exact', async () => {
  await expectOffsetPages(25, [300]); // anchors built
  for (const u of ['pg10', 'pg5000', 'pg6001', 'pg9000']) expect((await t.call('delete', { username: u })).ok).toBe(true);
  await expectOffsetPages(25, [240, 300, 494]);
  for (const u of ['pg2', 'pg4', 'pg7000']) expect((await t.call('toggle_status', { username: u })).ok).toBe(true);
  await expectOffsetPages(10, [600, 822], { status: 'active' });
  await expectOffsetPages(7, [800, 588], { status: 'suspended' });
  for (let i = 0; i < 3; i++) expect((await t.call('add', { username: `late${i}`, password: 'pw-123456', plan: 'FTTH 100' })).ok).toBe(true);
  await expectOffsetPages(25, [493, 494]);
});

test('a cursor walk filtered by plan (a named index on MariaDB) returns every subscriber of the plan once, in order', async () => {
  const expected = (await t.db('customers').where({ plan_id: planId }).orderBy('id').pluck('username')) as string[];
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const r = await t.call('list_customers', { plan: 'FTTH 100', per_page: '100', ...(cursor ? { cursor } : {}) });
    expect(r.ok).toBe(true);
    seen.push(...r.data.map((c: { username: string }) => c.username));
    cursor = r.meta.next_cursor;
  } while (cursor);
  expect(seen).toEqual(expected);
});

import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;

beforeAll(async () => {
  t = await makeTestApp();
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
});
afterAll(async () => {
  await t.close();
});

const usernames = async () => (await t.db('customers').orderBy('id').select('id', 'username')) as Array<{ id: number; username: string }>;

test('list_customers: a cursor walk returns every row exactly once while rows are inserted and deleted between pages', async () => {
  for (let i = 0; i < 17; i++) expect((await t.call('add', { username: `cur${String(i).padStart(2, '0')}`, password: 'pw', plan: 'FTTH 100' })).ok).toBe(true);
  const before = await usernames();
  const seen: string[] = [];
  const deleted = new Set<string>();
  const inserted: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await t.call('list_customers', { per_page: '4', ...(cursor ? { cursor } : {}) });
    expect(r.ok).toBe(true);
    expect(r.meta.per_page).toBe(4);
    seen.push(...r.data.map((c: { username: string }) => c.username));
    cursor = r.meta.next_cursor;
    pages++;
    if (pages === 1) {
      // One already seen and one not yet reached are deleted; a new row is added (it sorts after every other).
      for (const u of [seen[0], before[10].username]) {
        expect((await t.call('delete', { username: u })).ok).toBe(true);
        deleted.add(u);
      }
    }
    if (pages === 2 || pages === 3) {
      const u = `late${pages}`;
      expect((await t.call('add', { username: u, password: 'pw', plan: 'FTTH 100' })).ok).toBe(true);
      inserted.push(u);
    }
  } while (cursor && pages < 20);
  expect(new Set(seen).size).toBe(seen.length); // nothing twice
  // Every row that existed throughout is there; the one deleted before it was reached is not; new rows once.
  const survivors = before.map((b) => b.username).filter((u) => !deleted.has(u));
  for (const u of survivors) expect(seen).toContain(u);
  expect(seen).not.toContain(before[10].username);
  for (const u of inserted) expect(seen.filter((s) => s === u)).toHaveLength(1);
  expect(seen).toContain(before[0].username); // seen before it was deleted
  expect(seen.length).toBe(survivors.length + 1 + inserted.length);
  // The last page says there is no next one.
  expect(cursor).toBeNull();
});

test('list_customers: the cursor keeps the filters, and a page number still works beside it', async () => {
  const first = await t.call('list_customers', { per_page: '2', search: 'late' });
  expect(first.data.map((c: { username: string }) => c.username)).toEqual(['late2', 'late3']);
  expect(first.meta).toMatchObject({ total: 2, current_page: 1, last_page: 1 });
  const next = await t.call('list_customers', { per_page: '2', search: 'late', cursor: first.meta.next_cursor });
  expect(next).toMatchObject({ ok: true, data: [], meta: { next_cursor: null } });
  const page2 = await t.call('list_customers', { per_page: '5', page: '2' });
  const all = await usernames();
  expect(page2.data.map((c: { username: string }) => c.username)).toEqual(all.slice(5, 10).map((r) => r.username));
  expect(page2.meta.total).toBe(all.length);
  expect(page2.meta.total_estimated).toBeUndefined();
});

test('list_customers and radius_sessions refuse a cursor they did not issue', async () => {
  expect(await t.call('list_customers', { cursor: 'garbage!' })).toMatchObject({ ok: false, error: 'invalid_cursor' });
  const c = (await t.call('list_customers', { per_page: '1' })).meta.next_cursor;
  expect(typeof c).toBe('string');
  expect(await t.call('radius_sessions', { cursor: c })).toMatchObject({ ok: false, error: 'invalid_cursor' });
  expect(await t.call('list_customers', { cursor: 'x'.repeat(65) })).toMatchObject({ ok: false });
});

test('radius_sessions: a cursor walk (newest first) returns every session exactly once while sessions start and end', async () => {
  const row = (i: number, stop: string | null = null) => ({
    acctsessionid: `s${i}`,
    acctuniqueid: `u${i}`,
    username: `cur${String(i % 5).padStart(2, '0')}`,
    nasipaddress: i % 2 ? '10.0.0.1' : '10.0.0.2',
    acctstarttime: '2026-11-30 10:00:00',
    acctstoptime: stop,
  });
  for (let i = 0; i < 23; i++) await t.db('radacct').insert(row(i, i >= 20 ? '2026-11-30 11:00:00' : null));
  const open = (await t.db('radacct').whereNull('acctstoptime').orderBy('radacctid', 'desc').select('radacctid', 'acctsessionid')) as Array<{ radacctid: number; acctsessionid: string }>;
  expect(open).toHaveLength(20);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await t.call('radius_sessions', { per_page: '6', ...(cursor ? { cursor } : {}) });
    expect(r.ok).toBe(true);
    seen.push(...r.data.map((s: { acct_session_id?: string; acctsessionid?: string }) => s.acct_session_id ?? s.acctsessionid));
    cursor = r.meta.next_cursor;
    pages++;
    if (pages === 1) {
      await t.db('radacct').insert(row(100)); // a new session: newer than the cursor, not in this walk
      await t.db('radacct').where({ acctsessionid: open[0].acctsessionid }).update({ acctstoptime: '2026-11-30 11:30:00' }); // seen, then ended
    }
  } while (cursor && pages < 20);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.sort()).toEqual(open.map((o) => o.acctsessionid).sort());
  // Filters: by NAS and by state.
  const closed = await t.call('radius_sessions', { state: 'closed', per_page: '100' });
  expect(closed.meta.total).toBe(4);
  const nas = await t.call('radius_sessions', { nas_ip: '10.0.0.2', per_page: '100' });
  expect(nas.data.length).toBe(nas.meta.total);
  expect(nas.meta.total).toBe((await t.db('radacct').whereNull('acctstoptime').where({ nasipaddress: '10.0.0.2' }).count({ n: '*' }))[0].n);
  expect(await t.call('radius_sessions', { state: 'gone' })).toMatchObject({ ok: false });
});

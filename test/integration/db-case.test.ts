import { makeTestApp, type TestApp } from '../helpers/app';
import { translateDbError } from '../../src/db/errors';
import { nowUtc } from '../../src/db/knex';
import { fold } from '../../src/domain/fold';
import { reindexCustomerSearch } from '../../src/services/network/customer-search';
import { addPlan } from '../api/billing/fixtures';

/** Case rules are the same on SQLite and MariaDB, and enforced by indexes, not only by checks in the services. */
let t: TestApp;
let planId: number;
beforeAll(async () => {
  t = await makeTestApp();
  planId = await addPlan(t.db, 'Case plan', 1000);
});
afterAll(async () => t?.close());

const now = nowUtc();
const customer = (username: string, over: Record<string, unknown> = {}) => ({ username, password: 'pw-123456', plan_id: planId, status: 'active', created_at: now, updated_at: now, ...over });

async function dbError(q: PromiseLike<unknown>) {
  let caught: unknown;
  try {
    await q;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeDefined();
  return translateDbError(caught);
}

test('fold: case and accents, Latin and Greek', () => {
  expect(fold('Αλέξης')).toBe('αλεξησ');
  expect(fold('ΑΛΕΞΗΣ')).toBe('αλεξησ');
  expect(fold('José')).toBe('jose');
  expect(fold(null)).toBeNull();
});

test('subscriber usernames are unique regardless of case by an index (Greek too), through the API and below it', async () => {
  expect(await t.call('add', { username: 'Alexis', password: 'pw-123456', plan_id: String(planId) })).toMatchObject({ ok: true });
  expect(await t.call('add', { username: 'ALEXIS', password: 'pw-123456', plan_id: String(planId) })).toMatchObject({ ok: false, error: 'duplicate_username' });
  // the index itself, with the service's check out of the way; rows written by other tools may hold Greek
  expect(await dbError(t.db('customers').insert(customer('alexiS')))).toMatchObject({ code: 'duplicate_username' });
  await t.db('customers').insert(customer('Αλέξης'));
  expect(await dbError(t.db('customers').insert(customer('ΑΛΕΞΗΣ')))).toMatchObject({ code: 'duplicate_username' });
  await t.db('customers').insert(customer('Maria'));
  expect(await dbError(t.db('customers').insert(customer('MARIA')))).toMatchObject({ code: 'duplicate_username' });
});

test('admin usernames are unique regardless of case by an index', async () => {
  const row = { username: 'ADMIN', password_hash: 'x', role: 'admin', permissions: '{}', created_at: now, updated_at: now };
  const err = await dbError(t.db('admins').insert(row));
  expect(err).toMatchObject({ code: 'duplicate_username' });
});

test('a MAC address is unique by index; NULL stays allowed for many', async () => {
  await t.db('customers').insert(customer('mac_one', { mac_address: 'AA:BB:CC:00:11:22' }));
  expect(await dbError(t.db('customers').insert(customer('mac_two', { mac_address: 'AA:BB:CC:00:11:22' })))).toMatchObject({ code: 'duplicate_mac_address', status: 409 });
  await t.db('customers').insert(customer('mac_none_1', { mac_address: null }));
  await t.db('customers').insert(customer('mac_none_2', { mac_address: null }));
});

test('search folds Greek as well as Latin on both databases', async () => {
  await t.db('customers').insert(customer('eleni_search', { fullname: 'Ελένη Παπαδοπούλου' }));
  // Rows written below the API (as here) reach the search index by a reindex (CLI: search reindex).
  await reindexCustomerSearch(t.db);
  for (const q of ['ΠΑΠΑΔΟΠΟΥΛΟΥ', 'παπαδοπουλου', 'ελένη']) {
    const r = await t.call('list_customers', { search: q });
    expect(r.ok).toBe(true);
    expect(r.data.map((c: any) => c.username)).toContain('eleni_search');
  }
  const latin = await t.call('list_customers', { search: 'MARIA' });
  expect(latin.data.map((c: any) => c.username)).toEqual(['Maria']);
});

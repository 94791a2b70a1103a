import { makeTestApp, type TestApp } from '../helpers/app';
import { translateDbError } from '../../src/db/errors';
import { nowUtc } from '../../src/db/knex';
import { addCustomer, addPlan } from '../api/billing/fixtures';

/** Every constraint family, provoked for real on the dialect under test, answers the same wire code on both. */
let t: TestApp;
let planId: number;
beforeAll(async () => {
  t = await makeTestApp();
  planId = await addPlan(t.db, 'Constraint plan', 1000);
});
afterAll(async () => t?.close());

async function failureOf(q: PromiseLike<unknown>) {
  let caught: unknown;
  try {
    await q;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeDefined();
  return translateDbError(caught);
}

test('deleting a subscriber who has invoices answers in_use on both databases (was 500 on SQLite)', async () => {
  const cid = await addCustomer(t.db, planId);
  const inv = await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'x', unit_price: '1' }] });
  expect(inv.ok).toBe(true);
  const r = await t.post('delete', { id: cid });
  expect(r.body).toMatchObject({ ok: false, error: 'in_use' });
  expect(r.status).not.toBe(500);
  expect(await t.db('customers').where({ id: cid }).first()).toBeDefined();
});

test('unique → duplicate_<column>', async () => {
  const now = nowUtc();
  await t.db('invoice_series').insert({ code: 'UQ', next_number: 1, created_at: now, updated_at: now });
  expect(await failureOf(t.db('invoice_series').insert({ code: 'UQ', next_number: 1, created_at: now, updated_at: now }))).toMatchObject({ code: 'duplicate_code', status: 409 });
});

test('a missing parent → invalid_reference; a referenced row → in_use', async () => {
  const now = nowUtc();
  const row = { customer_id: 987654, series: 'FK', number: 1, issue_date: '2026-01-01', due_date: '2026-01-16', net_cents: 1, vat_cents: 0, total_cents: 1, rf_code: 'RF00FK1', created_at: now, updated_at: now };
  expect(await failureOf(t.db('invoices').insert(row))).toMatchObject({ code: 'invalid_reference', status: 422 });
  const cid = await addCustomer(t.db, planId);
  await t.db('invoices').insert({ ...row, customer_id: cid });
  expect(await failureOf(t.db('customers').where({ id: cid }).delete())).toMatchObject({ code: 'in_use', status: 409 });
});

test('not null → missing_<column>', async () => {
  const now = nowUtc();
  expect(await failureOf(t.db('invoice_series').insert({ code: null, next_number: 1, created_at: now, updated_at: now }))).toMatchObject({ code: 'missing_code', status: 422 });
});

test('check → invalid_<constraint>', async () => {
  await t.db.raw('CREATE TABLE t_check_probe (n INTEGER NOT NULL, CONSTRAINT n_positive CHECK (n > 0))');
  expect(await failureOf(t.db('t_check_probe').insert({ n: -1 }))).toMatchObject({ code: 'invalid_n_positive', status: 422 });
});

test('a value out of the column range → invalid_value on MariaDB; SQLite stores it (input validation bounds it first)', async () => {
  const now = nowUtc();
  const q = t.db('plans').insert({ name: 'Too big', download_bps: 1, upload_bps: 1, price_cents: 3_000_000_000, created_at: now, updated_at: now });
  if (t.dialect === 'mysql') {
    expect(await failureOf(q)).toMatchObject({ code: 'invalid_value', status: 422 });
  } else {
    console.info('db-constraints: SQLite has no column ranges; parseMoney bounds prices (MAX_AMOUNT_CENTS) on both dialects.');
    await q;
  }
});

test('a trigger refusal on SQLite → constraint_violation (MariaDB has no such triggers in the schema)', async () => {
  if (t.dialect !== 'sqlite') return void console.info('db-constraints: the RAISE(ABORT) trigger probe is SQLite only.');
  await t.db.raw('CREATE TABLE t_trigger_probe (n INTEGER)');
  await t.db.raw("CREATE TRIGGER t_trigger_probe_no BEFORE INSERT ON t_trigger_probe BEGIN SELECT RAISE(ABORT, 'refused'); END");
  expect(await failureOf(t.db('t_trigger_probe').insert({ n: 1 }))).toMatchObject({ code: 'constraint_violation', status: 409 });
});

import { makeTestApp, type TestApp } from '../helpers/app';
import { addCustomer, addPlan } from '../api/billing/fixtures';
import { ensureSeries } from '../../src/services/billing/settings';

/**
 * Upserts are one statement (insert … on conflict merge/ignore), so two first writers racing on a new row both
 * succeed and leave one row, where a read-then-insert let the loser fail on the unique key (MariaDB).
 */
let t: TestApp;
let planId: number;
beforeAll(async () => {
  t = await makeTestApp();
  planId = await addPlan(t.db, 'Upsert plan', 1000);
});
afterAll(async () => t?.close());

test('save_billing_customer for a subscriber without billing details, sent twice at once: both succeed, one row, the later values kept on a third save', async () => {
  const id = await addCustomer(t.db, planId, { username: 'upsert1' });
  const sends = await Promise.all([
    t.call('save_billing_customer', { customer_id: String(id), vat_rate: '24' }),
    t.call('save_billing_customer', { customer_id: String(id), vat_rate: '24' }),
  ]);
  for (const r of sends) expect(r).toMatchObject({ ok: true });
  expect(await t.db('billing_customers').where({ customer_id: id })).toHaveLength(1);
  expect(await t.call('save_billing_customer', { customer_id: String(id), vat_rate: '13' })).toMatchObject({ ok: true });
  const row = await t.db('billing_customers').where({ customer_id: id }).first();
  expect(Number(row.vat_rate)).toBe(13);
});

test('ensureSeries from several writers at once creates the series once and never resets its counter', async () => {
  await Promise.all([1, 2, 3, 4].map(() => ensureSeries(t.db, 'UPS')));
  expect(await t.db('invoice_series').where({ code: 'UPS' })).toHaveLength(1);
  await t.db('invoice_series').where({ code: 'UPS' }).update({ next_number: 7 });
  await ensureSeries(t.db, 'UPS');
  expect(Number((await t.db('invoice_series').where({ code: 'UPS' }).first()).next_number)).toBe(7);
});

test('save_billing_settings twice keeps one settings row with the later values', async () => {
  expect(await t.call('save_billing_settings', { company_name: 'First Ltd' })).toMatchObject({ ok: true });
  expect(await t.call('save_billing_settings', { company_name: 'Second Ltd' })).toMatchObject({ ok: true });
  const rows = await t.db('billing_settings');
  expect(rows).toHaveLength(1);
  expect(rows[0].company_name).toBe('Second Ltd');
});

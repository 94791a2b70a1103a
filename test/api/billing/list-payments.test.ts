import { nowUtc } from '../../../src/db/knex';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { addCustomer, addPlan } from './fixtures';

let t: TestApp;
let maria: { id: number; username: string };
let nikos: { id: number; username: string };
let inv1: { id: number; invoice_no: string };
let inv2: { id: number; invoice_no: string };

async function invoiceFor(cid: number, price: string) {
  const r = await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'Service', unit_price: price }], prices_include_vat: '1' });
  expect(r.ok).toBe(true);
  return r.data;
}

beforeAll(async () => {
  t = await makeTestApp();
  const plan = await addPlan(t.db, 'List plan', 3000);
  const m = await addCustomer(t.db, plan, { username: 'maria_pay', fullname: 'Maria P' });
  const n = await addCustomer(t.db, plan, { username: 'nikos_pay', fullname: 'Nikos K' });
  maria = { id: m, username: 'maria_pay' };
  nikos = { id: n, username: 'nikos_pay' };
  inv1 = await invoiceFor(m, '30.00');
  inv2 = await invoiceFor(n, '50.00');
  // two payments through the API (offline methods, paid today) …
  expect((await t.call('pay_invoice', { invoice_id: inv1.id, method: 'cash', amount: '10.00' })).ok).toBe(true);
  expect((await t.call('pay_invoice', { invoice_id: inv1.id, method: 'bank_transfer', amount: '5.00', reference: 'BANK-1' })).ok).toBe(true);
  // … and two older ones as the gateway webhook and a DIAS import leave them (rows written directly: dates in the past)
  await t.db('payments').insert([
    { invoice_id: inv2.id, customer_id: n, amount_cents: 2000, method: 'stripe', reference: 'pi_old_1', paid_on: '2026-03-10', created_at: nowUtc() },
    { invoice_id: inv2.id, customer_id: n, amount_cents: 700, method: 'dias', reference: 'DIAS-77', paid_on: '2026-04-02', created_at: nowUtc() },
  ]);
});
afterAll(async () => t?.close());

test('list_payments: newest first with invoice and subscriber, totals over the whole filter, paged', async () => {
  const all = await t.call('list_payments', { per_page: 2 });
  expect(all.ok).toBe(true);
  expect(all.meta).toMatchObject({ current_page: 1, per_page: 2, total: 4, last_page: 2 });
  expect(all.meta.totals).toEqual({
    count: 4,
    amount_cents: 1000 + 500 + 2000 + 700,
    by_method: { bank_transfer: { count: 1, amount_cents: 500 }, cash: { count: 1, amount_cents: 1000 }, dias: { count: 1, amount_cents: 700 }, stripe: { count: 1, amount_cents: 2000 } },
  });
  expect(all.data).toHaveLength(2);
  expect(all.data[0]).toMatchObject({ invoice_id: inv1.id, invoice_no: inv1.invoice_no, customer_id: maria.id, username: 'maria_pay', fullname: 'Maria P', currency: 'EUR', gateway: null });
  const page2 = await t.call('list_payments', { per_page: 2, page: 2 });
  expect(page2.data.map((p: any) => p.paid_on)).toEqual(['2026-04-02', '2026-03-10']);
  expect(page2.data[1]).toMatchObject({ method: 'stripe', gateway: 'stripe', reference: 'pi_old_1', amount_cents: 2000, username: 'nikos_pay' });
  // the rows behind the answer
  expect(Number((await t.db('payments').count({ n: '*' }))[0].n)).toBe(4);
});

test('list_payments filters: subscriber by username or id, method, gateway, date range, invoice', async () => {
  const byUser = await t.call('list_payments', { username: 'MARIA_PAY' });
  expect(byUser.data.map((p: any) => p.method).sort()).toEqual(['bank_transfer', 'cash']);
  expect(byUser.meta.totals.amount_cents).toBe(1500);
  expect((await t.call('list_payments', { customer_id: nikos.id })).meta.total).toBe(2);
  expect((await t.call('list_payments', { method: 'cash' })).data.map((p: any) => p.amount_cents)).toEqual([1000]);
  expect((await t.call('list_payments', { method: 'gateway' })).data.map((p: any) => p.reference)).toEqual(['pi_old_1']);
  expect((await t.call('list_payments', { gateway: 'stripe' })).meta.total).toBe(1);
  expect((await t.call('list_payments', { gateway: 'viva' })).meta).toMatchObject({ total: 0, totals: { count: 0, amount_cents: 0, by_method: {} } });
  const range = await t.call('list_payments', { from: '2026-03-01', to: '2026-03-31' });
  expect(range.data.map((p: any) => p.reference)).toEqual(['pi_old_1']);
  expect((await t.call('list_payments', { from: '2026-04-01' })).meta.total).toBe(3);
  expect((await t.call('list_payments', { invoice_id: inv2.id })).meta.total).toBe(2);
  expect((await t.call('list_payments', { invoice_no: inv1.invoice_no.toLowerCase() })).meta.total).toBe(2);
  const get = await t.call('list_payments', { username: 'nikos_pay', method: 'dias' }, { method: 'GET' });
  expect(get.data).toEqual([expect.objectContaining({ reference: 'DIAS-77', amount_cents: 700 })]);
});

test('list_payments refuses bad input with a clear error', async () => {
  expect(await t.call('list_payments', { from: '2026-05-01', to: '2026-04-01' })).toMatchObject({ ok: false, error: 'invalid_date_range' });
  expect(await t.call('list_payments', { from: '2026-02-30' })).toMatchObject({ ok: false, details: { from: expect.any(String) } });
  expect(await t.call('list_payments', { method: 'bitcoin' })).toMatchObject({ ok: false, details: { method: expect.any(String) } });
  expect(await t.call('list_payments', { method: 'cash', gateway: 'stripe' })).toMatchObject({ ok: false, error: 'invalid_method' });
  expect(await t.call('list_payments', { invoice_no: 'A 12; drop' })).toMatchObject({ ok: false, error: 'invalid_invoice_no' });
  expect(await t.call('list_payments', { username: 'nobody_here' })).toMatchObject({ ok: false, error: 'customer_not_found' });
  expect(await t.call('list_payments', { customer_id: 'abc' })).toMatchObject({ ok: false, details: { customer_id: expect.any(String) } });
  expect(await t.call('list_payments', { per_page: 1000 })).toMatchObject({ ok: false, details: { per_page: expect.any(String) } });
});

test('list_payments needs payments.read: a support admin is refused', async () => {
  expect((await t.call('add_web_admin', { username: 'helpdesk1', password: 'helpdesk-password-1', role: 'support' })).ok).toBe(true);
  const key = (await t.call('api_key_create', { name: 'helpdesk1', admin: 'helpdesk1' })).data.key;
  expect(await t.call('list_payments', {}, { key })).toMatchObject({ ok: false, error: 'forbidden' });
});

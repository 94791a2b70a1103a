import { nowUtc } from '../../../src/db/knex';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { addCustomer, addPlan } from './fixtures';

let t: TestApp;
let planId: number;
beforeAll(async () => {
  t = await makeTestApp();
  planId = await addPlan(t.db, 'FTTH 100', 2999);
});
afterAll(async () => t?.close());

test('create_invoice_manual refuses thousands of lines cleanly instead of failing inside the database', async () => {
  const customerId = await addCustomer(t.db, planId);
  const lines = Array.from({ length: 7000 }, (_, i) => ({ description: `line ${i}`, quantity: 1, unit_price: '1.00' }));
  const r = await t.post('create_invoice_manual', { customer_id: customerId, lines }, { json: true });
  expect(r.body).toMatchObject({ ok: false, error: 'invalid_lines' });
  expect(await t.db('invoices').where({ customer_id: customerId }).first('id')).toBeUndefined();
});

test('save_billing_settings: a gateway credential is bounded, so the sealed document fits its column on both databases', async () => {
  const r = await t.post('save_billing_settings', { gateways: { stripe: { secret_key: 'sk_' + 'x'.repeat(100_000) } } }, { json: true });
  expect(r.body).toMatchObject({ ok: false, error: 'invalid_gateways' });
  expect(JSON.stringify(r.body)).not.toContain('xxxxxxxxxx');
});

test('save_billing_settings: Viva base URLs are Viva hosts over https only — billing staff cannot aim the server at another host', async () => {
  for (const url of ['http://127.0.0.1:8080', 'https://169.254.169.254/latest', 'https://vivapayments.com.evil.example', 'https://user:pw@api.vivapayments.com', 'file:///etc/passwd']) {
    const r = await t.call('save_billing_settings', { gateways: { viva: { api_base_url: url } } });
    expect(r).toMatchObject({ ok: false, error: 'invalid_gateways' });
  }
  expect(await t.call('save_billing_settings', { gateways: { viva: { accounts_base_url: 'http://10.0.0.5/connect' } } })).toMatchObject({ ok: false, error: 'invalid_gateways' });
  const ok = await t.call('save_billing_settings', { gateways: { viva: { api_base_url: 'https://demo-api.vivapayments.com', accounts_base_url: 'https://demo-accounts.vivapayments.com' } } });
  expect(ok).toMatchObject({ ok: true });
});

test('manual_retry_charge: an attempt_id of another invoice than invoice_id is refused, nothing is charged', async () => {
  const a = await addCustomer(t.db, planId);
  const b = await addCustomer(t.db, planId);
  const invA = (await t.call('create_invoice_manual', { customer_id: a, lines: [{ description: 'A', unit_price: '10.00' }] })).data;
  const invB = (await t.call('create_invoice_manual', { customer_id: b, lines: [{ description: 'B', unit_price: '10.00' }] })).data;
  const now = nowUtc();
  const [attemptId] = await t.db('payment_attempts').insert({
    attempt_key: 'sec-review-1', gateway: 'stripe', invoice_id: invA.id, customer_id: a, amount_cents: 1000, status: 'declined', created_at: now, updated_at: now,
  });
  const before = await t.db('payment_attempts').count({ n: '*' });
  const r = await t.call('manual_retry_charge', { attempt_id: Number(attemptId), invoice_id: invB.id, idempotency_key: 'sec-review-retry' });
  expect(r).toMatchObject({ ok: false, error: 'attempt_invoice_mismatch' });
  expect(await t.db('payment_attempts').count({ n: '*' })).toEqual(before);
});

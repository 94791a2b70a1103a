import { makeTestApp, type TestApp } from '../../helpers/app';
import { StripeFake } from '../../fakes/payments';
import { nowUtc } from '../../../src/db/knex';
import { setGatewayFactoryForTests } from '../../../src/services/billing/gateways';
import type { PaymentGateway } from '../../../src/adapters/payments';
import { addCustomer, addPlan } from './fixtures';

/** Money that really moved is recorded exactly once, also when the request around it goes wrong. */
const stripe = new StripeFake();
let t: TestApp;
let planId: number;
let seq = 0;
const key = (p = 'k') => `${p}-${Date.now()}-${++seq}-once`;

beforeAll(async () => {
  await stripe.start();
  t = await makeTestApp({ env: { STRIPE_BASE_URL: stripe.url } });
  planId = await addPlan(t.db, 'Once plan', 2000);
  expect((await t.call('save_billing_settings', { gateways: { stripe: { secret_key: stripe.secretKey, webhook_secret: stripe.webhookSecret } } })).ok).toBe(true);
});
afterAll(async () => {
  setGatewayFactoryForTests(null);
  await t?.close();
  await stripe.stop();
});
afterEach(() => setGatewayFactoryForTests(null));

async function stripeCustomer(ref = 'pm_card_visa') {
  const cid = await addCustomer(t.db, planId);
  expect((await t.call('save_billing_customer', { customer_id: cid, payment_method: 'stripe', payment_method_ref: ref, gateway_customer_ref: 'cus_1' })).ok).toBe(true);
  return cid;
}
async function invoiceFor(cid: number, price: string, issueDate: string) {
  const r = await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'Service', unit_price: price }], prices_include_vat: '1', issue_date: issueDate, series: `M${issueDate.replace(/-/g, '')}` }); // a series only moves forward
  expect(r.ok).toBe(true);
  return r.data;
}

test('a charge the gateway took while the invoice was paid another way is kept as received, not lost in an error', async () => {
  const cid = await stripeCustomer();
  const inv = await invoiceFor(cid, '20', '2026-11-01');
  // While the card is being charged, the subscriber pays cash at the counter.
  const gw: PaymentGateway = {
    name: 'stripe',
    idempotentRetries: true,
    async charge(req) {
      const cash = await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash' });
      expect(cash).toMatchObject({ ok: true, data: { invoice: { status: 'paid' } } });
      return { status: 'succeeded', gatewayRef: 'pi_race_1', amountCents: req.amountCents };
    },
    async parseWebhook() {
      throw new Error('not used');
    },
  };
  setGatewayFactoryForTests(() => gw);
  const r = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: key('race') });
  expect(r).toMatchObject({ ok: true, data: { status: 'succeeded', gateway_ref: 'pi_race_1', message: 'received but not applied: invoice_already_paid' } });
  expect(await t.db('payment_attempts').where({ invoice_id: inv.id }).first()).toMatchObject({ status: 'succeeded', gateway_ref: 'pi_race_1' });
  // the invoice carries the cash payment only; the card money is visible for a refund, never counted twice
  expect(await t.db('payments').where({ invoice_id: inv.id }).select('method')).toEqual([{ method: 'cash' }]);
  expect(await t.db('invoices').where({ id: inv.id }).first()).toMatchObject({ status: 'paid', paid_cents: 2000 });
});

test('customer_bulk_pay that fails half-way reports what it paid, and a retry with its key never spends the amount twice', async () => {
  const cid = await stripeCustomer();
  const a = await invoiceFor(cid, '10', '2026-08-01');
  const b = await invoiceFor(cid, '10', '2026-09-01');
  const c = await invoiceFor(cid, '10', '2026-10-01');
  const k = key('bulk');
  const before = stripe.charges.length;
  stripe.dropNext('pass');
  stripe.dropNext('before'); // the charge of the second invoice never reaches Stripe
  const r = await t.call('customer_bulk_pay', { customer_id: cid, gateway: 'stripe', amount: '20', idempotency_key: k });
  expect(r).toMatchObject({ ok: true, data: { paid_cents: 1000, outstanding_before_cents: 3000, outstanding_after_cents: 2000 } });
  expect(r.data.results).toEqual([
    expect.objectContaining({ invoice_id: a.id, status: 'succeeded', amount_cents: 1000 }),
    expect.objectContaining({ invoice_id: b.id, status: 'error', error: 'payment_gateway_unreachable' }),
  ]);
  expect(stripe.charges.length).toBe(before + 1);

  const again = await t.call('customer_bulk_pay', { customer_id: cid, gateway: 'stripe', amount: '20', idempotency_key: k });
  expect(again).toMatchObject({ ok: true, data: { replayed: true, paid_cents: 1000 } });
  expect(stripe.charges.length).toBe(before + 1);
  expect(await t.db('invoices').where({ id: c.id }).first()).toMatchObject({ paid_cents: 0 });
  const paid = await t.db('payments').where({ customer_id: cid }).sum({ s: 'amount_cents' });
  expect(Number(paid[0].s)).toBe(1000);
});

test('customer_bulk_pay failing before any money moved still answers the error', async () => {
  const cid = await stripeCustomer('pm_unknown_method');
  await invoiceFor(cid, '10', '2026-08-01');
  expect(await t.call('customer_bulk_pay', { customer_id: cid, gateway: 'stripe', idempotency_key: key('bulk') })).toMatchObject({ ok: false, error: 'payment_gateway_rejected' });
});

test('a key left in progress by a request that died is taken over after its lease; a live one is not', async () => {
  const cid = await stripeCustomer();
  const inv = await invoiceFor(cid, '20', '2026-11-01');
  const k = key('crash');
  stripe.dropNext('after');
  expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k })).toMatchObject({ ok: false, error: 'payment_gateway_unreachable' });
  const charged = stripe.charges.length;
  // The state a process restart leaves behind: key in progress, attempt sent with no outcome recorded.
  await t.db('payment_attempts').where({ invoice_id: inv.id }).update({ status: 'processing' });
  await t.db('idempotency_keys').where({ idem_key: `pay_invoice:${k}` }).update({ status: 'in_progress', updated_at: nowUtc() });
  expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k })).toMatchObject({ ok: false, error: 'idempotency_key_in_progress' });

  await t.db('idempotency_keys').where({ idem_key: `pay_invoice:${k}` }).update({ updated_at: nowUtc(new Date(Date.now() - 60 * 60_000)) });
  const r = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k });
  expect(r).toMatchObject({ ok: true, data: { status: 'succeeded', invoice: { status: 'paid', paid_cents: 2000 } } });
  expect(stripe.charges.length).toBe(charged); // Stripe replayed its stored answer
  expect(await t.db('payments').where({ invoice_id: inv.id })).toHaveLength(1);
});

test('idempotency keys and payment references differing only in case are different (MariaDB compares them as given)', async () => {
  const cid = await addCustomer(t.db, planId);
  const a = await invoiceFor(cid, '20', '2026-11-01');
  const b = await invoiceFor(cid, '20', '2026-11-02');
  const k = key('Case');
  expect(await t.call('pay_invoice', { invoice_id: a.id, method: 'cash', amount: '5', idempotency_key: k })).toMatchObject({ ok: true });
  expect(await t.call('pay_invoice', { invoice_id: b.id, method: 'cash', amount: '5', idempotency_key: k.toLowerCase() })).toMatchObject({ ok: true, data: { invoice_id: b.id } });
  expect(await t.call('pay_invoice', { invoice_id: a.id, method: 'bank_transfer', amount: '1', reference: 'TRX-Abc' })).toMatchObject({ ok: true });
  expect(await t.call('pay_invoice', { invoice_id: a.id, method: 'bank_transfer', amount: '1', reference: 'TRX-abc' })).toMatchObject({ ok: true });
  expect(await t.db('payments').whereIn('invoice_id', [a.id, b.id])).toHaveLength(4);
});

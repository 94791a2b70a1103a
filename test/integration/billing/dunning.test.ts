import { makeTestApp, type TestApp } from '../../helpers/app';
import { StripeFake } from '../../fakes/payments';
import { billingJobs } from '../../../src/services/billing/jobs';
import { runDunning } from '../../../src/services/billing/dunning';
import * as suspension from '../../../src/services/network/customers';
import { AppError } from '../../../src/errors';
import { addCustomer, addPlan } from '../../api/billing/fixtures';

const stripe = new StripeFake();
let t: TestApp;
let planId: number;
beforeAll(async () => {
  await stripe.start();
  t = await makeTestApp({ env: { STRIPE_BASE_URL: stripe.url } });
  planId = await addPlan(t.db, 'Dunning plan', 2000);
  expect((await t.call('save_billing_settings', { grace_days: '10', due_days: '15', gateways: { stripe: { secret_key: stripe.secretKey, webhook_secret: stripe.webhookSecret } } })).ok).toBe(true);
});
afterAll(async () => {
  await t?.close();
  await stripe.stop();
});

const invoice = async (cid: number, issue: string) =>
  (await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'Month', unit_price: '20' }], prices_include_vat: '1', issue_date: issue, series: `D${issue.replace(/-/g, '')}` })).data; // a series per date: a series only moves forward

test('overdue after the due date, suspended after the grace days through the customers service, lifted by paying', async () => {
  const cid = await addCustomer(t.db, planId);
  const inv = await invoice(cid, '2026-10-01'); // due 2026-10-16
  const untouched = await addCustomer(t.db, planId);
  await invoice(untouched, '2026-10-20'); // due 2026-11-04

  // day after the due date, inside the grace period: overdue, still connected
  let r = await runDunning(t.ctx(), '2026-10-17');
  expect(r.marked_overdue).toBeGreaterThanOrEqual(1);
  expect(r.suspended).toBe(0);
  expect((await t.db('invoices').where({ id: inv.id }).first()).status).toBe('overdue');
  expect((await t.db('customers').where({ id: cid }).first()).status).toBe('active');

  // grace over (due + 10 days = 10-26): suspended the same way toggle_status does it
  r = await runDunning(t.ctx(), '2026-10-27');
  expect(r).toMatchObject({ suspended: 1, failures: [] });
  const c = await t.db('customers').where({ id: cid }).first();
  expect(c).toMatchObject({ status: 'suspended', suspend_reason: 'Unpaid invoices past the grace period' });
  expect((await t.db('customers').where({ id: untouched }).first()).status).toBe('active');
  const suspendedEvents = (await t.db('outbox_events').where({ event: 'customer.suspended' })).map((e) => JSON.parse(e.payload).data);
  expect(suspendedEvents.map((e) => e.id)).toContain(cid);
  expect(await t.db('billing_customers').where({ customer_id: cid }).first()).toMatchObject({ suspended_by_billing: 1 });

  // a second run does not suspend again
  expect((await runDunning(t.ctx(), '2026-10-28')).suspended).toBe(0);

  // paying the balance lifts the suspension
  const paid = await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash' });
  expect(paid).toMatchObject({ ok: true, data: { invoice: { status: 'paid' } } });
  expect((await t.db('customers').where({ id: cid }).first()).status).toBe('active');
  expect(await t.db('billing_customers').where({ customer_id: cid }).first()).toMatchObject({ suspended_by_billing: 0 });
});

test('an operator suspension is not lifted by billing', async () => {
  const cid = await addCustomer(t.db, planId, { status: 'suspended', suspend_reason: 'abuse' });
  const inv = await invoice(cid, '2026-10-01');
  await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash' });
  await runDunning(t.ctx(), '2026-12-01');
  expect(await t.db('customers').where({ id: cid }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'abuse' });
});

test('an operator who lifts a dunning suspension and later suspends for another reason keeps that suspension when the bill is paid', async () => {
  const cid = await addCustomer(t.db, planId);
  const inv = await invoice(cid, '2026-07-01');
  expect(await runDunning(t.ctx(), '2026-10-27')).toMatchObject({ failures: [] });
  expect(await t.db('customers').where({ id: cid }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'Unpaid invoices past the grace period' });
  // the operator gives them a few days by hand, then suspends them for abuse
  expect(await t.call('toggle_status', { id: cid, status: 'active' })).toMatchObject({ ok: true, data: { status: 'active' } });
  expect(await t.call('toggle_status', { id: cid, status: 'suspended', reason: 'abuse' })).toMatchObject({ ok: true, data: { status: 'suspended' } });
  expect(await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash' })).toMatchObject({ ok: true, data: { invoice: { status: 'paid' } } });
  expect(await t.db('customers').where({ id: cid }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'abuse' });
  await runDunning(t.ctx(), '2026-10-28');
  expect(await t.db('customers').where({ id: cid }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'abuse' });
  expect(await t.db('billing_customers').where({ customer_id: cid }).first()).toMatchObject({ suspended_by_billing: 0 });
});

test('auto-charge job charges each open invoice once; a decline waits for manual_retry_charge', async () => {
  const good = await addCustomer(t.db, planId);
  await t.call('save_billing_customer', { customer_id: good, payment_method: 'stripe', payment_method_ref: 'pm_card_visa', auto_charge: '1' });
  const bad = await addCustomer(t.db, planId);
  await t.call('save_billing_customer', { customer_id: bad, payment_method: 'stripe', payment_method_ref: 'pm_card_chargeDeclined', auto_charge: '1' });
  const gi = await invoice(good, '2026-11-01');
  const bi = await invoice(bad, '2026-11-01');
  const job = billingJobs.find((j) => j.name === 'billing.auto_charge')!;
  const before = stripe.charges.length;
  const out = await job.run(t.ctx());
  expect(out).toMatchObject({ charged: 1, declined: 1, errors: 0 });
  expect((await t.db('invoices').where({ id: gi.id }).first()).status).toBe('paid');
  expect(await t.db('payment_attempts').where({ invoice_id: bi.id }).first()).toMatchObject({ status: 'declined', automatic: 1 });
  expect(await job.run(t.ctx())).toMatchObject({ charged: 0, declined: 0 });
  expect(stripe.charges.length).toBe(before + 1);
  expect(billingJobs.map((j) => j.name).sort()).toEqual(['billing.auto_charge', 'billing.dunning']);
});

test('cancelling the unpaid invoice behind a dunning suspension lifts it', async () => {
  const cid = await addCustomer(t.db, planId);
  const inv = await invoice(cid, '2026-09-01');
  expect(await runDunning(t.ctx(), '2026-10-27')).toMatchObject({ failures: [] });
  expect((await t.db('customers').where({ id: cid }).first()).status).toBe('suspended');
  expect(await t.call('invoice_set_status', { id: inv.id, status: 'cancelled' })).toMatchObject({ ok: true, data: { status: 'cancelled' } });
  expect((await t.db('customers').where({ id: cid }).first()).status).toBe('active');
  expect(await t.db('billing_customers').where({ customer_id: cid }).first()).toMatchObject({ suspended_by_billing: 0 });
});

describe('dunning step order', () => {
  afterEach(() => jest.restoreAllMocks());

  test('the billing flag is set before the suspension, so a crash right after it still lets paying lift it', async () => {
    const cid = await addCustomer(t.db, planId);
    const inv = await invoice(cid, '2026-08-01');
    const real = suspension.setCustomerStatus;
    const flagsSeen: unknown[] = [];
    jest.spyOn(suspension, 'setCustomerStatus').mockImplementation(async (ctx, id, status, reason) => {
      if (id !== cid) return real(ctx, id, status, reason);
      flagsSeen.push((await t.db('billing_customers').where({ customer_id: cid }).first())?.suspended_by_billing);
      await real(ctx, id, status, reason);
      throw new Error('process died after the suspension');
    });
    const r = await runDunning(t.ctx(), '2026-10-27');
    jest.restoreAllMocks();
    expect(flagsSeen).toEqual([1]);
    expect(r.failures).toEqual([{ customer_id: cid, error: expect.stringContaining('process died') }]);
    expect((await t.db('customers').where({ id: cid }).first()).status).toBe('suspended');
    expect(await t.db('billing_customers').where({ customer_id: cid }).first()).toMatchObject({ suspended_by_billing: 1 });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash' })).toMatchObject({ ok: true });
    expect((await t.db('customers').where({ id: cid }).first()).status).toBe('active');
    expect(await t.db('billing_customers').where({ customer_id: cid }).first()).toMatchObject({ suspended_by_billing: 0 });
  });

  test('a suspension that failed leaves no flag behind, and an operator suspension made meanwhile is not taken over', async () => {
    const failing = await addCustomer(t.db, planId);
    await invoice(failing, '2026-08-01');
    const raced = await addCustomer(t.db, planId);
    const racedInv = await invoice(raced, '2026-08-01');
    const real = suspension.setCustomerStatus;
    jest.spyOn(suspension, 'setCustomerStatus').mockImplementation(async (ctx, id, status, reason) => {
      if (id === failing) throw new AppError('router_unreachable', 'router down', 502);
      // an operator suspends the subscriber for another reason just before dunning gets there
      if (id === raced) return real(ctx, id, 'suspended', 'abuse');
      return real(ctx, id, status, reason);
    });
    const r = await runDunning(t.ctx(), '2026-10-27');
    jest.restoreAllMocks();
    expect(r.failures).toContainEqual({ customer_id: failing, error: 'router down' });
    expect((await t.db('customers').where({ id: failing }).first()).status).toBe('active');
    expect(await t.db('billing_customers').where({ customer_id: failing }).first()).toMatchObject({ suspended_by_billing: 0 });
    expect(await t.db('billing_customers').where({ customer_id: raced }).first()).toMatchObject({ suspended_by_billing: 0 });
    await t.call('pay_invoice', { invoice_id: racedInv.id, method: 'cash' });
    expect(await t.db('customers').where({ id: raced }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'abuse' });
  });
});

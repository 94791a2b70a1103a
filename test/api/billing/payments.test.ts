import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { PaypalFake, RevolutFake, StripeFake, VivaFake } from '../../fakes/payments';
import { addCustomer, addPlan } from './fixtures';

const stripe = new StripeFake();
const viva = new VivaFake();
const revolut = new RevolutFake();
const paypal = new PaypalFake();
let t: TestApp;
let planId: number;
let seq = 0;
const key = (p = 'k') => `${p}-${Date.now()}-${++seq}-abcdef`;

beforeAll(async () => {
  await Promise.all([stripe.start(), viva.start(), revolut.start(), paypal.start()]);
  t = await makeTestApp({ env: { STRIPE_BASE_URL: stripe.url, VIVA_BASE_URL: viva.url, VIVA_ACCOUNTS_URL: viva.url, VIVA_API_URL: viva.url, REVOLUT_BASE_URL: revolut.url, PAYPAL_BASE_URL: paypal.url } });
  planId = await addPlan(t.db, 'Pay plan', 2999);
  const saved = await t.call('save_billing_settings', {
    company_name: 'ISP', grace_days: '5',
    gateways: {
      stripe: { secret_key: stripe.secretKey, webhook_secret: stripe.webhookSecret },
      viva: { merchant_id: viva.merchantId, api_key: viva.apiKey, client_id: viva.clientId, client_secret: viva.clientSecret, source_code: '1234' },
      revolut: { secret_key: revolut.secretKey, webhook_secret: revolut.webhookSecret },
      paypal: { client_id: paypal.clientId, client_secret: paypal.clientSecret, webhook_id: paypal.webhookId },
    },
  });
  expect(saved.ok).toBe(true);
});
afterAll(async () => {
  await t?.close();
  await Promise.all([stripe.stop(), viva.stop(), revolut.stop(), paypal.stop()]);
});

async function customerWith(method: string | null, ref?: string, extra: Record<string, unknown> = {}) {
  const cid = await addCustomer(t.db, planId);
  if (method) expect((await t.call('save_billing_customer', { customer_id: cid, payment_method: method, payment_method_ref: ref, gateway_customer_ref: method === 'stripe' ? 'cus_1' : undefined, ...extra })).ok).toBe(true);
  return cid;
}
async function invoiceFor(cid: number, price = '29.99', issueDate?: string) {
  const r = await t.call('create_invoice_manual', { customer_id: cid, lines: [{ description: 'Service', unit_price: price }], prices_include_vat: '1', ...(issueDate ? { issue_date: issueDate, series: `P${issueDate.replace(/-/g, '')}` } : {}) });
  expect(r.ok).toBe(true);
  return r.data;
}
async function events(name: string) {
  return (await t.db('outbox_events').where({ event: name }).orderBy('id')).map((e) => JSON.parse(e.payload).data);
}

describe('pay_invoice through a gateway', () => {
  test('Stripe success: one charge, payment recorded, invoice.paid, and the same key replays without charging', async () => {
    const cid = await customerWith('stripe', 'pm_card_visa');
    const inv = await invoiceFor(cid);
    const k = key();
    const before = stripe.charges.length;
    const r = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k });
    expect(r).toMatchObject({ ok: true, data: { status: 'succeeded', gateway: 'stripe', amount_cents: 2999, invoice: { status: 'paid', paid_cents: 2999 } } });
    expect(stripe.charges.length).toBe(before + 1);
    expect(stripe.charges.at(-1)).toMatchObject({ amount: 2999, invoiceRef: inv.invoice_no });
    const again = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k });
    expect(again).toMatchObject({ ok: true, data: { status: 'succeeded', replayed: true, attempt_id: r.data.attempt_id } });
    expect(stripe.charges.length).toBe(before + 1);
    expect(await t.db('payments').where({ invoice_id: inv.id })).toHaveLength(1);
    expect((await events('invoice.paid')).filter((e) => e.invoice_id === inv.id)).toHaveLength(1);
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', amount: '1', idempotency_key: k })).toMatchObject({ ok: false, error: 'idempotency_key_reused' });
  });

  test('two different keys racing on one invoice charge the card once', async () => {
    const cid = await customerWith('stripe', 'pm_card_visa');
    const inv = await invoiceFor(cid);
    const before = stripe.charges.length;
    const [a, b] = await Promise.all([
      t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: key('race') }),
      t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: key('race') }),
    ]);
    expect(stripe.charges.length).toBe(before + 1);
    const [won, lost] = a.ok ? [a, b] : [b, a];
    expect(won).toMatchObject({ ok: true, data: { status: 'succeeded', invoice: { status: 'paid', paid_cents: 2999 } } });
    expect(lost.ok).toBe(false);
    expect(['payment_in_progress', 'invoice_already_paid']).toContain(lost.error);
    expect(await t.db('payments').where({ invoice_id: inv.id })).toHaveLength(1);
  });

  test('the Idempotency-Key header works too; a gateway charge without any key is refused', async () => {
    const cid = await customerWith('stripe', 'pm_card_visa');
    const inv = await invoiceFor(cid);
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe' })).toMatchObject({ ok: false, error: 'missing_idempotency_key' });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: 'bad key!' })).toMatchObject({ ok: false, error: 'invalid_idempotency_key' });
    const r = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe' }, { headers: { 'Idempotency-Key': key('hdr') } });
    expect(r).toMatchObject({ ok: true, data: { status: 'succeeded' } });
  });

  test('decline: payment.failed, the same key never re-charges, manual_retry_charge succeeds after the card is fixed', async () => {
    const cid = await customerWith('stripe', 'pm_card_chargeDeclinedInsufficientFunds');
    const inv = await invoiceFor(cid);
    const k = key();
    const r = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k });
    expect(r).toMatchObject({ ok: false, error: 'payment_declined' });
    const attempt = await t.db('payment_attempts').where({ invoice_id: inv.id }).first();
    expect(attempt).toMatchObject({ status: 'declined', decline_code: 'insufficient_funds' });
    expect((await events('payment.failed')).filter((e) => e.invoice_id === inv.id)).toEqual([expect.objectContaining({ gateway: 'stripe', decline_code: 'insufficient_funds', amount_cents: 2999 })]);
    const sent = stripe.requests.length;
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k })).toMatchObject({ ok: false, error: 'payment_declined' });
    expect(stripe.requests.length).toBe(sent);

    await t.call('save_billing_customer', { customer_id: cid, payment_method_ref: 'pm_card_visa' });
    expect(await t.call('manual_retry_charge', { attempt_id: attempt.id })).toMatchObject({ ok: false, error: 'missing_idempotency_key' });
    const retry = await t.call('manual_retry_charge', { attempt_id: attempt.id, idempotency_key: key('retry') });
    expect(retry).toMatchObject({ ok: true, data: { status: 'succeeded', retry_of: attempt.id, invoice: { status: 'paid' } } });
    expect(await t.call('manual_retry_charge', { invoice_id: inv.id, idempotency_key: key('retry') })).toMatchObject({ ok: false, error: 'nothing_to_retry' });
    expect(await t.call('manual_retry_charge', { attempt_id: 999999, idempotency_key: key('retry') })).toMatchObject({ ok: false, error: 'attempt_not_found' });
  });

  test('network failure after Stripe charged: outcome unknown, the retry with the same key is replayed by Stripe, charged once', async () => {
    const cid = await customerWith('stripe', 'pm_card_visa');
    const inv = await invoiceFor(cid);
    const k = key();
    const before = stripe.charges.length;
    stripe.dropNext('after');
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k })).toMatchObject({ ok: false, error: 'payment_gateway_unreachable' });
    expect(await t.db('payment_attempts').where({ invoice_id: inv.id }).first()).toMatchObject({ status: 'unknown' });
    expect((await t.db('invoices').where({ id: inv.id }).first()).status).toBe('unpaid');
    const retry = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: k });
    expect(retry).toMatchObject({ ok: true, data: { status: 'succeeded', invoice: { status: 'paid' } } });
    expect(stripe.charges.length).toBe(before + 1);
    expect(await t.db('payment_attempts').where({ invoice_id: inv.id })).toHaveLength(1);
  });

  test('Viva: lost answer is never re-sent (no gateway idempotency); its webhook settles the attempt', async () => {
    const initial = viva.addInitial('ok');
    const cid = await customerWith('viva', initial);
    const inv = await invoiceFor(cid);
    const k = key();
    viva.dropNext('after');
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'viva', idempotency_key: k })).toMatchObject({ ok: false, error: 'payment_gateway_unreachable' });
    const charged = viva.charges.length;
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'viva', idempotency_key: k })).toMatchObject({ ok: false, error: 'payment_outcome_unknown' });
    expect(viva.charges.length).toBe(charged);
    const tx = viva.charges.at(-1)!;
    const w = viva.webhook(tx.transactionId, 1796);
    const res = await request(t.app).post('/webhooks/viva').set(w.headers).send(w.body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, data: { matched: true, outcome: 'succeeded' } });
    expect(await t.db('invoices').where({ id: inv.id }).first()).toMatchObject({ status: 'paid', paid_cents: 2999 });
    // the same event again changes nothing
    await request(t.app).post('/webhooks/viva').set(w.headers).send(w.body).expect(200);
    expect(await t.db('payments').where({ invoice_id: inv.id })).toHaveLength(1);
    // Viva verifies the URL by GET
    const key1 = await request(t.app).get('/webhooks/viva');
    expect(key1.body).toEqual({ Key: viva.webhookKey });
  });

  test('Revolut and PayPal charge the saved method; declines are reported', async () => {
    const rc = await customerWith('revolut', revolut.addMethod('ok'));
    const ri = await invoiceFor(rc);
    expect(await t.call('pay_invoice', { invoice_id: ri.id, method: 'revolut', idempotency_key: key() })).toMatchObject({ ok: true, data: { status: 'succeeded', gateway: 'revolut' } });
    const pc = await customerWith('paypal', paypal.addVault('decline'));
    const pi = await invoiceFor(pc);
    expect(await t.call('pay_invoice', { invoice_id: pi.id, gateway: 'paypal', idempotency_key: key() })).toMatchObject({ ok: false, error: 'payment_declined' });
    expect(await t.db('payment_attempts').where({ invoice_id: pi.id }).first()).toMatchObject({ status: 'declined', decline_code: 'INSTRUMENT_DECLINED' });
  });

  test('bad input: unknown invoice, no saved method, wrong gateway, no method at all', async () => {
    const cid = await customerWith(null);
    const inv = await invoiceFor(cid);
    expect(await t.call('pay_invoice', { invoice_id: 999999, gateway: 'stripe', idempotency_key: key() })).toMatchObject({ ok: false, error: 'invoice_not_found' });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: key() })).toMatchObject({ ok: false, error: 'missing_payment_method_ref' });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'bitpay', idempotency_key: key() })).toMatchObject({ ok: false, error: 'invalid_gateway' });
    expect(await t.call('pay_invoice', { invoice_id: inv.id })).toMatchObject({ ok: false, error: 'missing_method' });
  });
});

describe('offline payments and bulk pay', () => {
  test('partial cash payments add up; overpayment refused; the last one marks it paid', async () => {
    const cid = await customerWith(null);
    const inv = await invoiceFor(cid);
    expect(await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash', amount: '10,00' })).toMatchObject({ ok: true, data: { invoice: { paid_cents: 1000, status: 'unpaid', balance_cents: 1999 } } });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash', amount: '20.00' })).toMatchObject({ ok: false, error: 'amount_exceeds_balance' });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash', amount: '1.234' })).toMatchObject({ ok: false, error: 'invalid_amount' });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, method: 'bank_transfer', amount: '19.99', reference: 'TRX-1' })).toMatchObject({ ok: true, data: { invoice: { status: 'paid', paid_cents: 2999 } } });
    expect(await t.call('pay_invoice', { invoice_id: inv.id, method: 'cash', amount: '1' })).toMatchObject({ ok: false, error: 'invoice_already_paid' });
  });

  test('customer_bulk_pay pays every outstanding invoice oldest first, once per key', async () => {
    const cid = await customerWith('paypal', paypal.addVault('ok'));
    const older = await invoiceFor(cid, '10', '2026-01-05');
    const newer = await invoiceFor(cid, '20', '2026-02-05');
    const k = key('bulk');
    const before = paypal.charges.length;
    const r = await t.call('customer_bulk_pay', { customer_id: cid, gateway: 'paypal', idempotency_key: k });
    expect(r).toMatchObject({ ok: true, data: { outstanding_before_cents: 3000, paid_cents: 3000, outstanding_after_cents: 0 } });
    expect(r.data.results.map((x: any) => x.invoice_id)).toEqual([older.id, newer.id]);
    expect(paypal.charges.slice(before).map((c) => c.invoiceId)).toEqual([older.invoice_no, newer.invoice_no]);
    expect(await t.call('customer_bulk_pay', { customer_id: cid, gateway: 'paypal', idempotency_key: k })).toMatchObject({ ok: true, data: { replayed: true } });
    expect(paypal.charges.length).toBe(before + 2);
    expect(await t.call('customer_bulk_pay', { customer_id: cid, gateway: 'paypal', idempotency_key: key('bulk') })).toMatchObject({ ok: false, error: 'nothing_to_pay' });
    expect(await t.call('customer_bulk_pay', { customer_id: cid, method: 'cash' })).toMatchObject({ ok: false, error: 'missing_idempotency_key' });
  });

  test('customer_bulk_pay with an amount allocates oldest first and leaves the rest', async () => {
    const cid = await customerWith(null);
    const a = await invoiceFor(cid, '10', '2026-01-05');
    const b = await invoiceFor(cid, '20', '2026-02-05');
    const r = await t.call('customer_bulk_pay', { customer_id: cid, method: 'cash', amount: '15', idempotency_key: key('bulk') });
    expect(r).toMatchObject({ ok: true, data: { paid_cents: 1500, outstanding_after_cents: 1500 } });
    expect(await t.db('invoices').whereIn('id', [a.id, b.id]).orderBy('id').select('status', 'paid_cents')).toEqual([
      { status: 'paid', paid_cents: 1000 },
      { status: 'unpaid', paid_cents: 500 },
    ]);
  });
});

describe('gateway webhooks', () => {
  test('Stripe async payment settles on a genuine webhook; a forged one is refused and changes nothing', async () => {
    const cid = await customerWith('stripe', 'pm_card_processing');
    const inv = await invoiceFor(cid);
    const r = await t.call('pay_invoice', { invoice_id: inv.id, gateway: 'stripe', idempotency_key: key() });
    expect(r).toMatchObject({ ok: true, data: { status: 'pending' } });
    const pi = { ...stripe.intents.get(r.data.gateway_ref), status: 'succeeded', amount_received: 2999 };

    const forged = stripe.webhook('payment_intent.succeeded', pi, { secret: 'whsec_attacker' });
    const bad = await request(t.app).post('/webhooks/stripe').set(forged.headers).send(forged.body);
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ ok: false, error: 'invalid_webhook_signature' });
    expect((await t.db('invoices').where({ id: inv.id }).first()).status).toBe('unpaid');

    const good = stripe.webhook('payment_intent.succeeded', pi);
    const ok = await request(t.app).post('/webhooks/stripe').set(good.headers).send(good.body);
    expect(ok.status).toBe(200);
    expect(await t.db('invoices').where({ id: inv.id }).first()).toMatchObject({ status: 'paid', paid_cents: 2999 });
    expect(await t.db('payment_attempts').where({ id: r.data.attempt_id }).first()).toMatchObject({ status: 'succeeded' });
  });

  test('Revolut failure webhook emits payment.failed once; PayPal forged webhook refused; unknown gateway 404', async () => {
    const cid = await customerWith('revolut', revolut.addMethod('ok'));
    const inv = await invoiceFor(cid);
    // an attempt the gateway reports as failed later (e.g. a chargeback of the authorisation)
    const [attemptId] = await t.db('payment_attempts').insert({ attempt_key: key('ext'), gateway: 'revolut', invoice_id: inv.id, customer_id: cid, amount_cents: 2999, status: 'pending', gateway_ref: 'order-ext-1', created_at: '2026-11-01 00:00:00', updated_at: '2026-11-01 00:00:00' });
    const w = revolut.webhook('ORDER_PAYMENT_FAILED', 'order-ext-1');
    for (let i = 0; i < 2; i++) await request(t.app).post('/webhooks/revolut').set(w.headers).send(w.body).expect(200);
    expect(await t.db('payment_attempts').where({ id: attemptId }).first()).toMatchObject({ status: 'declined' });
    expect((await events('payment.failed')).filter((e) => e.attempt_id === Number(attemptId))).toHaveLength(1);
    const forgedRevolut = revolut.webhook('ORDER_COMPLETED', 'order-ext-1', { secret: 'wsk_attacker' });
    expect((await request(t.app).post('/webhooks/revolut').set(forgedRevolut.headers).send(forgedRevolut.body)).status).toBe(401);

    const pw = paypal.webhook('PAYMENT.CAPTURE.COMPLETED', paypal.captureResource('NOPE', inv.invoice_no, '29.99'));
    const tampered = await request(t.app).post('/webhooks/paypal').set(pw.headers).send(pw.body.replace('29.99', '0.01'));
    expect(tampered.status).toBe(401);
    expect((await t.db('invoices').where({ id: inv.id }).first()).status).toBe('unpaid');
    expect((await request(t.app).post('/webhooks/bitpay').send('{}')).status).toBe(404);
  });
});

describe('dias_import', () => {
  test('matches RF + exact amount, reports the rest, and a second import changes nothing', async () => {
    const cid = await customerWith(null);
    const a = await invoiceFor(cid, '29.99');
    const b = await invoiceFor(cid, '15.00');
    const csv = [
      'rf_code;amount;date;bank_reference',
      `${a.rf_code};29,99;05/11/2026;PIR-1001`,
      `${b.rf_code};10,00;2026-11-05;PIR-1002`,
      'RF18539007547034;5,00;2026-11-05;PIR-1003',
      `${a.rf_code.slice(0, -1)}X;5,00;2026-11-05;PIR-1004`,
    ].join('\n');
    const r = await t.call('dias_import', { content: csv });
    expect(r).toMatchObject({ ok: true, data: { matched_count: 1, unmatched_count: 2, error_count: 1, duplicate_count: 0 } });
    expect(r.data.matched[0]).toMatchObject({ invoice_id: a.id, amount_cents: 2999, bank_reference: 'PIR-1001' });
    expect(r.data.unmatched.map((u: any) => u.reason).sort()).toEqual(['amount_mismatch', 'unknown_rf_code']);
    expect(await t.db('invoices').where({ id: a.id }).first()).toMatchObject({ status: 'paid', paid_cents: 2999 });
    expect(await t.db('payments').where({ invoice_id: a.id }).first()).toMatchObject({ method: 'dias', reference: 'PIR-1001', paid_on: '2026-11-05' });
    expect((await t.db('invoices').where({ id: b.id }).first()).paid_cents).toBe(0);

    const again = await t.call('dias_import', { content: csv });
    expect(again).toMatchObject({ ok: true, data: { matched_count: 0, duplicate_count: 1 } });
    expect(await t.db('payments').where({ invoice_id: a.id })).toHaveLength(1);
  });

  test('a file upload works and an empty request is refused', async () => {
    const cid = await customerWith(null);
    const a = await invoiceFor(cid, '5');
    const res = await request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`).field('action', 'dias_import').attach('file', Buffer.from(`${a.rf_code},5.00,2026-11-06,UP-1\n`), 'dias.csv');
    expect(res.body).toMatchObject({ ok: true, data: { matched_count: 1 } });
    expect(await t.call('dias_import', {})).toMatchObject({ ok: false, error: 'missing_file' });
  });
});

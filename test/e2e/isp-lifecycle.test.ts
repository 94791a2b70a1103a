/**
 * An ISP's month, end to end, through the API only: billing and e-invoicing set up, a plan, a RADIUS router, two
 * subscribers, the month's invoices, a card payment, webhooks, myDATA, dunning and the suspension it lifts, a
 * plan's speed change reaching live sessions, and the read-backs an operator looks at. The outside world is fakes
 * on loopback (Stripe, myDATA, a MikroTik NAS for CoA/Disconnect, a webhook receiver); the radacct rows are what
 * FreeRADIUS would write. Each step leans on the state the previous one left, as the operator's month does.
 */
import crypto from 'node:crypto';
import { makeTestApp, type TestApp } from '../helpers/app';
import { StripeFake } from '../fakes/payments';
import { FakeMyDataServer } from '../fakes/mydata-server';
import { FakeNas } from '../fakes/fake-nas';
import { startReceiver } from '../fakes/webhook-receiver';
import { runDunning } from '../../src/services/billing/dunning';
import { today } from '../../src/services/billing/invoices';
import { addDays } from '../../src/domain/invoice-math';

const ISSUER = '094014201';
const BUSINESS = '090165560';
const NAS_SECRET = 'nas-shared-secret';

const stripe = new StripeFake();
const nas = new FakeNas(NAS_SECRET);
let mydata: FakeMyDataServer;
let rx: Awaited<ReturnType<typeof startReceiver>>;
let t: TestApp;

const month = today().slice(0, 7);
const s: {
  planId: number;
  routerId: number;
  maria: number;
  acme: number;
  hook: { id: number; secret: string };
  inv: Record<'maria' | 'acme', any>;
} = {} as never;

beforeAll(async () => {
  await stripe.start();
  await nas.listen();
  mydata = await new FakeMyDataServer({ accountAfm: ISSUER }).start();
  rx = await startReceiver();
  t = await makeTestApp({ env: { STRIPE_BASE_URL: stripe.url, MYDATA_BASE_URL: mydata.baseUrl, COA_TIMEOUT_MS: '2000', COA_RETRIES: '0' } });
});
afterAll(async () => {
  await t?.close();
  await Promise.all([stripe.stop(), nas.close(), mydata.stop(), rx.close()]);
});

const hmac = (secret: string, body: string) => crypto.createHmac('sha256', secret).update(body).digest('hex');
const far = () => new Date(Date.now() + 3_600_000);
/** FreeRADIUS's accounting: a session opened on the router, also known to the fake NAS. */
async function online(username: string, sessionId: string, ip: string) {
  await t.db('radacct').insert({
    acctsessionid: sessionId, acctuniqueid: `u-${sessionId}`, username, nasipaddress: '127.0.0.1', framedipaddress: ip,
    callingstationid: 'AA:BB:CC:00:00:01', acctstarttime: `${today()} 08:00:00`, acctupdatetime: `${today()} 08:05:00`,
    acctsessiontime: 300, acctinputoctets: 1000, acctoutputoctets: 50000,
  });
  nas.sessions.push({ userName: username, acctSessionId: sessionId, framedIp: ip });
}

describe('an ISP month through process.php', () => {
  test('1. billing and e-invoicing settings', async () => {
    const billing = await t.call('save_billing_settings', {
      company_name: 'Aegean Net ΙΚΕ', company_afm: ISSUER, company_doy: 'ΚΕΦΟΔΕ ΑΤΤΙΚΗΣ', company_address: 'Ερμού 1, Αθήνα',
      default_vat_rate: '24', due_days: '15', grace_days: '10', default_series: 'A',
      gateways: { stripe: { secret_key: stripe.secretKey, webhook_secret: stripe.webhookSecret } },
    });
    expect(billing).toMatchObject({ ok: true, data: { company_afm: ISSUER, due_days: 15, grace_days: 10, default_series: 'A', gateways_configured: ['stripe'] } });
    expect(JSON.stringify(billing)).not.toContain(stripe.secretKey);

    const einv = await t.call('save_einvoice_settings', { issuer_afm: ISSUER, mydata_user_id: mydata.userId, mydata_subscription_key: mydata.subscriptionKey });
    expect(einv).toMatchObject({ ok: true, data: { issuer_afm: ISSUER, default_provider: 'mydata', mydata_subscription_key_set: true } });
    expect(JSON.stringify(einv)).not.toContain(mydata.subscriptionKey);

    const hook = await t.call('webhook_create', { url: rx.url, events: ['invoice.paid', 'customer.suspended', 'einvoice.submitted'] });
    expect(hook).toMatchObject({ ok: true, data: { id: expect.any(Number), secret: expect.stringMatching(/^whsec_/) } });
    s.hook = hook.data;
  });

  test('2. a plan and a RADIUS-mode router whose CoA port is the NAS', async () => {
    const plan = await t.call('add_plan', { name: 'FTTH 50', download: '50M', upload: '5M', price: '24.80' });
    expect(plan).toMatchObject({ ok: true, data: { id: expect.any(Number), name: 'FTTH 50', price_cents: 2480 } });
    s.planId = plan.data.id;
    expect(await t.db('radgroupreply').where({ groupname: `plan-${s.planId}` })).toEqual([
      expect.objectContaining({ attribute: 'Mikrotik-Rate-Limit', value: '5M/50M' }),
    ]);

    const router = await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'admin', pass: 'router-pass', radius_secret: NAS_SECRET, coa_port: String(nas.port), mode: 'radius' });
    expect(router).toMatchObject({ ok: true, data: { name: 'core', mode: 'radius', radius_ip: '127.0.0.1', coa_port: nas.port } });
    expect(JSON.stringify(router)).not.toContain(NAS_SECRET);
    s.routerId = router.data.id;
    expect(await t.db('nas').where({ nasname: '127.0.0.1' }).first()).toMatchObject({ shortname: 'core', secret: NAS_SECRET });
  });

  test('3. a consumer and a business subscriber', async () => {
    const maria = await t.call('add', { username: 'maria', password: 'maria-pw', fullname: 'Μαρία Παπαδοπούλου', email: 'maria@example.gr', plan: 'FTTH 50', router: 'core' });
    expect(maria).toMatchObject({ ok: true, data: { username: 'maria', plan: 'FTTH 50', router: 'core', status: 'active', afm: null } });
    const acme = await t.call('add', { username: 'acme', password: 'acme-pw', fullname: 'ACME AE', afm: BUSINESS, email: 'billing@acme.gr', plan: 'FTTH 50', router: 'core' });
    expect(acme).toMatchObject({ ok: true, data: { username: 'acme', afm: BUSINESS, status: 'active' } });
    s.maria = maria.data.id;
    s.acme = acme.data.id;
    expect(await t.db('radcheck').where({ username: 'acme' }).select('attribute', 'op', 'value')).toEqual([{ attribute: 'Cleartext-Password', op: ':=', value: 'acme-pw' }]);
    expect(await t.db('radusergroup').where({ username: 'maria' }).first()).toMatchObject({ groupname: `plan-${s.planId}` });
    expect(await t.call('add', { username: 'bad', password: 'x', plan: 'FTTH 50', afm: '123456789' })).toMatchObject({ ok: false, error: 'invalid_afm' });

    const bc = await t.call('save_billing_customer', { customer_id: s.maria, payment_method: 'stripe', payment_method_ref: 'pm_card_visa', gateway_customer_ref: 'cus_maria' });
    expect(bc).toMatchObject({ ok: true, data: { customer_id: s.maria, payment_method: 'stripe' } });
    expect(await t.db('billing_customers').where({ customer_id: s.maria }).first()).toMatchObject({ payment_method_ref: 'pm_card_visa', gateway_customer_ref: 'cus_maria' });

    // both are online
    await online('maria', 'sess-maria-1', '10.0.0.2');
    await online('acme', 'sess-acme-1', '10.0.0.3');
  });

  test("4. the month's invoices, once", async () => {
    const gen = await t.call('generate_invoices_month', { month });
    // the subscribers joined today, mid-month: the invoices are dated today (not back on the 1st) and due 15 days on
    expect(gen).toMatchObject({
      ok: true,
      data: { month, created: 2, already_existing: 0, already_generated: false, issue_date: today(), due_date: addDays(today(), 15), numbers: { A: { first: 1, last: 2 } } },
    });
    const again = await t.call('generate_invoices_month', { month });
    expect(again).toMatchObject({ ok: true, data: { created: 0, already_existing: 2, total_for_month: 2, already_generated: true } });
    const rows = await t.db('invoices').where({ period: month }).orderBy('number');
    expect(rows.map((r) => [r.customer_id, r.series, r.number, r.status])).toEqual([[s.maria, 'A', 1, 'unpaid'], [s.acme, 'A', 2, 'unpaid']]);
    const list = await t.call('list_invoices', { month }, { method: 'GET' });
    expect(list.meta).toMatchObject({ total: 2 });
    s.inv = {
      maria: list.data.find((i: any) => i.customer_id === s.maria),
      acme: list.data.find((i: any) => i.customer_id === s.acme),
    };
    // same plan, same day joined, same 24% VAT: the same amount, a due date due_days after the issue date
    expect(s.inv.maria.total_cents).toBe(s.inv.acme.total_cents);
    expect(s.inv.maria.total_cents).toBeGreaterThan(0);
    expect(s.inv.maria.total_cents).toBeLessThanOrEqual(2480);
    expect(s.inv.maria.due_date).toBe(addDays(s.inv.maria.issue_date, 15));
    expect(s.inv.maria).toMatchObject({ issue_date: today(), status: 'unpaid' });
    expect(await t.db('invoice_lines').whereIn('invoice_id', [s.inv.maria.id, s.inv.acme.id])).toHaveLength(2);
    // nobody is overdue, let alone suspended, on the day they are first invoiced
    expect(await runDunning(t.ctx(), today())).toMatchObject({ marked_overdue: 0, suspended: 0 });
  });

  test('5. a Stripe charge with an idempotency key, replayed by the same key', async () => {
    const k = `month-${month}-maria-1`;
    const before = stripe.charges.length;
    const paid = await t.call('pay_invoice', { invoice_id: s.inv.maria.id, gateway: 'stripe', idempotency_key: k });
    expect(paid).toMatchObject({ ok: true, data: { status: 'succeeded', gateway: 'stripe', amount_cents: s.inv.maria.total_cents, invoice: { status: 'paid', balance_cents: 0 } } });
    const again = await t.call('pay_invoice', { invoice_id: s.inv.maria.id, gateway: 'stripe', idempotency_key: k });
    expect(again).toMatchObject({ ok: true, data: { status: 'succeeded', replayed: true, attempt_id: paid.data.attempt_id } });
    expect(stripe.charges.length).toBe(before + 1);
    expect(stripe.charges.at(-1)).toMatchObject({ amount: s.inv.maria.total_cents, paymentMethod: 'pm_card_visa', invoiceRef: s.inv.maria.invoice_no });
    expect(await t.db('payments').where({ invoice_id: s.inv.maria.id })).toEqual([expect.objectContaining({ amount_cents: s.inv.maria.total_cents, method: 'stripe' })]);
  });

  test('6. e-invoices: 11.2 for the consumer, 2.1 for the business; a submitted invoice cannot be deleted', async () => {
    const consumer = await t.call('einvoice_submit', { invoice_id: s.inv.maria.id });
    expect(consumer).toMatchObject({ ok: true, data: { already_submitted: false, submission: { status: 'submitted', provider: 'mydata', document_type: '11.2', mark: expect.any(String) } } });
    const business = await t.call('einvoice_submit', { invoice_id: s.inv.acme.id });
    expect(business).toMatchObject({ ok: true, data: { submission: { status: 'submitted', document_type: '2.1' } } });
    expect(mydata.invoices.map((i) => [i.invoiceType, i.series, i.aa, i.counterpartVat, i.grossCents])).toEqual([
      ['11.2', 'A', '1', undefined, s.inv.maria.total_cents],
      ['2.1', 'A', '2', BUSINESS, s.inv.acme.total_cents],
    ]);
    expect(await t.db('invoices').where({ id: s.inv.acme.id }).first()).toMatchObject({ einvoice_status: 'submitted', einvoice_mark: business.data.submission.mark });

    // acme's is the newest in series A, so only the e-invoice lock stands in the way
    expect(await t.call('delete_invoice', { id: s.inv.acme.id })).toMatchObject({ ok: false, error: 'einvoice_locked' });
    expect(await t.db('invoices').where({ id: s.inv.acme.id }).first()).toBeDefined();
  });

  test('7. dunning after the due date and the grace days suspends the unpaid subscriber', async () => {
    nas.behaviour = 'sessions';
    const day = addDays(s.inv.acme.due_date, 11);
    const r = await runDunning(t.ctx(), day);
    expect(r).toMatchObject({ suspended: 1, failures: [] });
    expect(await t.db('invoices').where({ id: s.inv.acme.id }).first()).toMatchObject({ status: 'overdue' });
    expect(await t.db('customers').where({ id: s.acme }).first()).toMatchObject({ status: 'suspended', suspend_reason: 'Unpaid invoices past the grace period' });
    expect(await t.db('customers').where({ id: s.maria }).first()).toMatchObject({ status: 'active' });
    expect(await t.db('radcheck').where({ username: 'acme', attribute: 'Auth-Type' }).first()).toMatchObject({ op: ':=', value: 'Reject' });
    expect(await t.db('radcheck').where({ username: 'maria', attribute: 'Auth-Type' })).toEqual([]);
    const dm = nas.received.filter((p) => p.code === 'Disconnect-Request');
    expect(dm).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ 'User-Name': 'acme', 'Acct-Session-Id': 'sess-acme-1' }) })]);
    expect(nas.sessions.map((x) => x.userName)).toEqual(['maria']);
    // FreeRADIUS closes the session on the Accounting-Stop that follows
    await t.db('radacct').where({ acctsessionid: 'sess-acme-1' }).update({ acctstoptime: `${today()} 09:00:00` });
    expect(await runDunning(t.ctx(), day)).toMatchObject({ suspended: 0 });
  });

  test('8. paying the overdue invoice in cash lifts the suspension', async () => {
    const paid = await t.call('pay_invoice', { invoice_id: s.inv.acme.id, method: 'cash', reference: 'receipt-0042' });
    expect(paid).toMatchObject({ ok: true, data: { invoice: { status: 'paid', balance_cents: 0 } } });
    expect(await t.db('customers').where({ id: s.acme }).first()).toMatchObject({ status: 'active', suspend_reason: null });
    expect(await t.db('radcheck').where({ username: 'acme', attribute: 'Auth-Type' })).toEqual([]);
    expect(await t.db('billing_customers').where({ customer_id: s.acme }).first()).toMatchObject({ suspended_by_billing: 0 });
    await online('acme', 'sess-acme-2', '10.0.0.3');
  });

  test('9. the webhook received every subscribed event, signed', async () => {
    await t.rt.webhooks.runOnce(t.db, far());
    const got = rx.received.map((r) => ({ sig: r.headers['x-signature'], body: r.body, payload: JSON.parse(r.body) }));
    for (const g of got) expect(g.sig).toBe(hmac(s.hook.secret, g.body));
    const events = got.map((g) => g.payload.event).sort();
    expect(events).toEqual(['customer.suspended', 'einvoice.submitted', 'einvoice.submitted', 'invoice.paid', 'invoice.paid']);
    const paidFor = got.filter((g) => g.payload.event === 'invoice.paid').map((g) => g.payload.data.invoice_id).sort();
    expect(paidFor).toEqual([s.inv.maria.id, s.inv.acme.id].sort());
    expect(got.find((g) => g.payload.event === 'customer.suspended')!.payload.data).toMatchObject({ id: s.acme, username: 'acme' });
    expect(await t.rt.webhooks.runOnce(t.db, far())).toEqual({ delivered: 0, failed: 0 });
  });

  test("10. a faster plan reaches both live sessions by CoA", async () => {
    const before = nas.received.length;
    const edited = await t.call('edit_plan', { id: s.planId, download: '100M', upload: '10M' });
    expect(edited).toMatchObject({ ok: true, data: { id: s.planId, rate_limit: '10M/100M', subscribers: 2, reapplied: { coa: { sessions: 2, acked: 2 } } } });
    const coas = nas.received.slice(before).filter((p) => p.code === 'CoA-Request');
    expect(coas.map((p) => p.attributes['User-Name']).sort()).toEqual(['acme', 'maria']);
    expect(nas.sessions.map((x) => [x.userName, x.rateLimit]).sort()).toEqual([['acme', '10M/100M'], ['maria', '10M/100M']]);
    expect(await t.db('radgroupreply').where({ groupname: `plan-${s.planId}` }).first()).toMatchObject({ value: '10M/100M' });
  });

  test('11. the read-backs show what happened', async () => {
    const customers = await t.call('list_customers', {}, { method: 'GET' });
    expect(customers.meta).toMatchObject({ total: 2 });
    expect(customers.data.map((c: any) => [c.username, c.status, c.plan, c.router])).toEqual([['maria', 'active', 'FTTH 50', 'core'], ['acme', 'active', 'FTTH 50', 'core']]);
    expect((await t.call('list_customers', { search: BUSINESS })).data.map((c: any) => c.username)).toEqual(['acme']);

    const invoices = await t.call('list_invoices', { month, status: 'paid' });
    expect(invoices.meta.total).toBe(2);
    const inv = await t.call('get_invoice', { id: s.inv.acme.id }, { method: 'GET' });
    expect(inv).toMatchObject({ ok: true, data: { status: 'paid', einvoice_status: 'submitted', payments: [{ method: 'cash', reference: 'receipt-0042' }] } });

    const sessions = await t.call('radius_sessions', {}, { method: 'GET' });
    expect(sessions.meta.total).toBe(2);
    expect(sessions.data.map((x: any) => [x.username, x.acct_session_id, x.router_name]).sort()).toEqual([['acme', 'sess-acme-2', 'core'], ['maria', 'sess-maria-1', 'core']]);

    const st = await t.call('einvoice_status', { invoice_id: s.inv.maria.id }, { method: 'GET' });
    expect(st).toMatchObject({ ok: true, data: { status: 'submitted', mark: mydata.invoices[0].mark } });
  });

  test('12. describe lists every action the month used', async () => {
    const d = await t.call('describe', {}, { method: 'GET' });
    expect(d.ok).toBe(true);
    const names = d.data.map((a: any) => a.action);
    for (const n of [
      'save_billing_settings', 'save_einvoice_settings', 'webhook_create', 'add_plan', 'edit_plan', 'add_router', 'add', 'save_billing_customer',
      'generate_invoices_month', 'list_invoices', 'get_invoice', 'pay_invoice', 'einvoice_submit', 'einvoice_status', 'delete_invoice',
      'list_customers', 'radius_sessions', 'radius_coa', 'radius_disconnect', 'toggle_status', 'describe',
    ]) expect(names).toContain(n);
  });
});

/**
 * The ISPBills API document's own examples replayed against ispgate (request → the reply's keys and types), then
 * the same objects read back through process.php: one data model behind both front doors.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';
import { startReceiver } from '../../fakes/webhook-receiver';

let t: TestApp;
let v2: string;
let planA: number;
let planB: number;

const api = () => request(t.app);
const get = (path: string, token = v2) => api().get(path).set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
const send = (method: 'post' | 'put' | 'delete', path: string, body?: unknown, token = v2) => {
  const r = api()[method](path).set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
  return body === undefined ? r : r.set('Content-Type', 'application/json').send(JSON.stringify(body));
};

function expectError(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Object) } });
}

beforeAll(async () => {
  t = await makeTestApp({ env: { RATE_LIMIT_BILLING: '1000', RATE_LIMIT_STANDARD: '100000' } });
  planA = (await t.call('add_plan', { name: 'Fiber 100 Mbps', download: '100M', upload: '20M', price: '1200' })).data.id;
  planB = (await t.call('add_plan', { name: 'Fiber 200 Mbps', download: '200M', upload: '40M', price: '1500' })).data.id;
  const c = await t.call('api_client_create', { name: 'mobile app', dialect: 'ispbills' });
  const tok = await api().post('/api/v2/auth/token').set('Content-Type', 'application/json').send({ client_id: c.data.client_id, client_secret: c.data.client_secret });
  expect(tok.status).toBe(200);
  v2 = tok.body.access_token;
});
afterAll(async () => t.close());

describe('authentication', () => {
  test('v2: client credentials → a 30-minute bearer token, stored hashed; revoke → 204 and the token is dead', async () => {
    const c = await t.call('api_client_create', { name: 'dashboard', dialect: 'ispbills' });
    // A token long expired is swept when another is issued.
    await t.db('dialect_tokens').insert({ dialect: 'ispbills', kind: 'v2_access', token_hash: 'f'.repeat(64), api_client_id: c.data.id, created_at: '2026-01-01 00:00:00', expires_at: '2026-01-01 00:30:00' });
    const r = await api().post('/api/v2/auth/token').set('Content-Type', 'application/json').send({ client_id: c.data.client_id, client_secret: c.data.client_secret });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ access_token: expect.stringMatching(/^v2_/), token_type: 'bearer', expires_in: 1800 });
    const rows = await t.db('dialect_tokens').where({ api_client_id: c.data.id });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(r.body.access_token);
    expect((await get('/api/v2/packages', r.body.access_token)).status).toBe(200);
    const rv = await send('post', '/api/v2/auth/revoke', undefined, r.body.access_token);
    expect(rv.status).toBe(204);
    expectError(await get('/api/v2/packages', r.body.access_token), 401, 'UNAUTHENTICATED');
  });

  test('v2: a wrong secret, missing fields, a revoked client', async () => {
    const c = await t.call('api_client_create', { name: 'crm', dialect: 'ispbills' });
    expectError(await api().post('/api/v2/auth/token').send({ client_id: c.data.client_id, client_secret: 'nope' }), 401, 'UNAUTHENTICATED');
    const missing = await api().post('/api/v2/auth/token').send({ client_id: c.data.client_id });
    expectError(missing, 422, 'VALIDATION_ERROR');
    expect(missing.body.error.details).toEqual({ client_secret: [expect.any(String)] });
    const ok = await api().post('/api/v2/auth/token').send({ client_id: c.data.client_id, client_secret: c.data.client_secret });
    await t.call('api_client_revoke', { id: c.data.id });
    expectError(await get('/api/v2/packages', ok.body.access_token), 401, 'UNAUTHENTICATED');
    expectError(await get('/api/v2/packages', 'garbage'), 401, 'UNAUTHENTICATED');
    expectError(await api().get('/api/v2/packages'), 401, 'UNAUTHENTICATED');
  });

  test('v1: e-mail + password of an admin → access and refresh tokens; refresh once; the old pair is dead', async () => {
    await t.db('admins').where({ is_primary: true }).update({ email: 'admin@example.com' });
    const login = await api().post('/api/auth/login').set('Content-Type', 'application/json').send({ email: 'admin@example.com', password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600, refresh_token: expect.any(String) });
    expect((await get('/api/v1/customers', login.body.access_token)).status).toBe(200);
    // A v1 token is not a v2 token.
    expectError(await get('/api/v2/customers', login.body.access_token), 401, 'UNAUTHENTICATED');
    const fresh = await api().post('/api/auth/refresh').send({ refresh_token: login.body.refresh_token });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600, refresh_token: expect.any(String) });
    expectError(await get('/api/v1/customers', login.body.access_token), 401, 'UNAUTHENTICATED');
    expectError(await api().post('/api/auth/refresh').send({ refresh_token: login.body.refresh_token }), 401, 'UNAUTHENTICATED');
    expect((await get('/api/v1/customers', fresh.body.access_token)).status).toBe(200);
  });

  test('v1: a wrong password is refused and spends the same login budget as action=login', async () => {
    await t.db('admins').where({ is_primary: true }).update({ email: 'admin@example.com' });
    const bad = await api().post('/api/auth/login').send({ email: 'admin@example.com', password: 'wrong' });
    expectError(bad, 401, 'UNAUTHENTICATED');
    expectError(await api().post('/api/auth/login').send({ email: 'nobody@example.com', password: 'wrong' }), 401, 'UNAUTHENTICATED');
    const missing = await api().post('/api/auth/login').send({});
    expectError(missing, 422, 'VALIDATION_ERROR');
    expect(Object.keys(missing.body.error.details).sort()).toEqual(['email', 'password']);
    // Four more failures exhaust the account's five; then even the right password waits, as with action=login.
    for (let i = 0; i < 4; i++) await api().post('/api/auth/login').send({ email: 'admin@example.com', password: 'wrong' });
    const locked = await api().post('/api/auth/login').send({ email: 'admin@example.com', password: ADMIN_PASSWORD });
    expectError(locked, 429, 'TOO_MANY_REQUESTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const viaProcess = await t.call('login', { username: 'admin', password: ADMIN_PASSWORD }, { key: null });
    expect(viaProcess).toMatchObject({ ok: false, error: 'rate_limited' });
    await t.rt.loginLimits.perAccount.delete('default:admin');
    await t.rt.loginLimits.perIp.delete('::ffff:127.0.0.1');
  });

  test('a token of an admin carries that admin\'s permissions', async () => {
    await t.call('add_web_admin', { username: 'viewer', password: 'viewer-pass-123', email: 'viewer@example.com', role: 'readonly' });
    const login = await api().post('/api/auth/login').send({ email: 'viewer@example.com', password: 'viewer-pass-123' });
    expect(login.status).toBe(200);
    expect((await get('/api/v1/customers', login.body.access_token)).status).toBe(200);
    const refused = await send('post', '/api/v1/customers', { name: 'X', phone: '0100' }, login.body.access_token);
    expectError(refused, 403, 'FORBIDDEN');
  });
});

describe('customers: the document\'s examples, and the same subscriber through process.php', () => {
  test('POST /api/v2/customers (example) → 201, the subscriber of get_customer, provisioned in RADIUS', async () => {
    const r = await send('post', '/api/v2/customers', {
      name: 'Fatima Begum',
      email: 'fatima@example.com',
      phone: '01898765432',
      package_id: planA,
      address: 'Apt 4B, Gulshan Tower, Dhaka',
      connection_type: 'fiber',
      onu_mac: 'AA:BB:CC:DD:EE:FF',
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      data: expect.objectContaining({
        id: expect.any(Number),
        name: 'Fatima Begum',
        email: 'fatima@example.com',
        phone: '01898765432',
        package: { id: planA, name: 'Fiber 100 Mbps' },
        connection_type: 'fiber',
        status: 'active',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    });
    const id = r.body.data.id;
    const same = await t.call('get_customer', { id });
    expect(same).toMatchObject({ ok: true, data: { id, fullname: 'Fatima Begum', email: 'fatima@example.com', plan_id: planA, custom_fields: { connection_type: 'fiber', onu_mac: 'AA:BB:CC:DD:EE:FF' } } });
    const username = same.data.username;
    expect(username).toBe('01898765432');
    expect((await t.db('radcheck').where({ username })).map((x) => x.attribute)).toContain('Cleartext-Password');
    expect((await t.db('radusergroup').where({ username })).map((x) => x.groupname)).toEqual([`plan-${planA}`]);

    // Update (example): the package and the address; RADIUS follows the new plan.
    const u = await send('put', `/api/v2/customers/${id}`, { package_id: planB, address: 'Suite 6A, Banani Heights, Dhaka' });
    expect(u.status).toBe(200);
    expect(u.body.data).toMatchObject({ id, name: 'Fatima Begum', package: { id: planB, name: 'Fiber 200 Mbps' }, address: 'Suite 6A, Banani Heights, Dhaka', status: 'active', updated_at: expect.any(String) });
    expect((await t.call('get_customer', { id })).data).toMatchObject({ plan_id: planB, address: 'Suite 6A, Banani Heights, Dhaka' });
    expect((await t.db('radusergroup').where({ username })).map((x) => x.groupname)).toEqual([`plan-${planB}`]);

    // Read back through both versions.
    expect((await get(`/api/v2/customers/${id}`)).body.data).toMatchObject({ id, package: { id: planB } });
    const v1 = await get(`/api/v1/customers/${id}`);
    expect(v1.status).toBe(401); // a v2 token on v1
  });

  test('POST /api/v1/customers (example) and the suspend/activate action', async () => {
    await t.db('admins').where({ is_primary: true }).update({ email: 'admin@example.com' });
    const login = await api().post('/api/auth/login').send({ email: 'admin@example.com', password: ADMIN_PASSWORD });
    const tok = login.body.access_token;
    const r = await send('post', '/api/v1/customers', { name: 'Rafiq Ahmed', email: 'rafiq@example.com', phone: '01712345678', package_id: planA, address: 'House 12, Road 7, Dhanmondi, Dhaka', connection_type: 'pppoe' }, tok);
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({ id: expect.any(Number), name: 'Rafiq Ahmed', email: 'rafiq@example.com', phone: '01712345678', package: 'Fiber 100 Mbps', status: 'active', created_at: expect.any(String) });
    const id = r.body.data.id;
    const s = await send('post', `/api/v1/customers/${id}/action`, { action: 'suspend' }, tok);
    expect(s.status).toBe(200);
    expect(s.body.data).toMatchObject({ id, status: 'suspended' });
    expect((await t.call('get_customer', { id })).data.status).toBe('suspended');
    const username = (await t.call('get_customer', { id })).data.username;
    expect(await t.db('radcheck').where({ username, attribute: 'Auth-Type' }).first()).toMatchObject({ value: 'Reject' });
    expect((await send('post', `/api/v1/customers/${id}/action`, { action: 'activate' }, tok)).body.data.status).toBe('active');
    expectError(await send('post', `/api/v1/customers/${id}/action`, { action: 'explode' }, tok), 422, 'VALIDATION_ERROR');
  });

  test('422 with details: missing name, a package that does not exist; 404; bad paging', async () => {
    const r = await send('post', '/api/v2/customers', { email: 'x@example.com' });
    expectError(r, 422, 'VALIDATION_ERROR');
    expect(r.body.error.details).toEqual({ name: [expect.any(String)] });
    const np = await send('post', '/api/v2/customers', { name: 'No Package', phone: '0198' });
    expectError(np, 422, 'VALIDATION_ERROR');
    expect(np.body.error.details).toEqual({ package_id: ['The package_id field is required.'] });
    const p = await send('post', '/api/v2/customers', { name: 'Nobody', phone: '0199', package_id: 99999 });
    expectError(p, 422, 'VALIDATION_ERROR');
    expect(p.body.error.details).toEqual({ package_id: [expect.any(String)] });
    expect(await t.db('customers').where({ username: '0199' })).toHaveLength(0);
    expectError(await get('/api/v2/customers/99999'), 404, 'NOT_FOUND');
    const pp = await get('/api/v2/customers?per_page=101');
    expectError(pp, 422, 'VALIDATION_ERROR');
    expect(pp.body.error.details).toEqual({ per_page: [expect.any(String)] });
    expectError(await get('/api/v2/customers/abc'), 422, 'VALIDATION_ERROR');
    expectError(await send('post', '/api/v2/customers', undefined).set('Content-Type', 'application/json').send('{"name":'), 400, 'BAD_REQUEST');
    expectError(await get('/api/v2/nothing-here'), 404, 'NOT_FOUND');
  });

  test('list with meta; DELETE removes the subscriber and its RADIUS rows', async () => {
    const r = await send('post', '/api/v2/customers', { name: 'Short Lived', phone: '0155500', package_id: planA });
    const list = await get('/api/v2/customers?page=1&per_page=2');
    expect(list.status).toBe(200);
    expect(list.body.meta).toEqual({ current_page: 1, per_page: 2, total: expect.any(Number), last_page: expect.any(Number) });
    expect(list.body.data.length).toBeLessThanOrEqual(2);
    const d = await send('delete', `/api/v2/customers/${r.body.data.id}`);
    expect(d.status).toBe(204);
    expect(await t.call('get_customer', { id: r.body.data.id })).toMatchObject({ ok: false, error: 'customer_not_found' });
    expect(await t.db('radcheck').where({ username: '0155500' })).toHaveLength(0);
  });
});

describe('billing: a bill and a payment are the invoice and payment of process.php', () => {
  test('POST /api/v2/billing/bills (example), PUT status paid records the payment', async () => {
    const cust = (await send('post', '/api/v2/customers', { name: 'Bill Payer', phone: '0177700', package_id: planB })).body.data;
    const currency = (await t.call('get_billing_settings')).data.currency;
    // The example's currency is BDT; this installation bills in its own currency, and says so for another one.
    const wrong = await send('post', '/api/v2/billing/bills', { customer_id: cust.id, amount: 1500, currency: 'BDT', due_date: '2026-05-01', description: 'x' });
    expectError(wrong, 422, 'VALIDATION_ERROR');
    expect(wrong.body.error.details).toEqual({ currency: [expect.any(String)] });
    const r = await send('post', '/api/v2/billing/bills', { customer_id: cust.id, amount: 1500, currency, due_date: '2027-05-01', description: 'Monthly subscription — Fiber 200 Mbps (May 2026)' });
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({ id: expect.any(Number), customer_id: cust.id, amount: 1500, currency, status: 'unpaid', due_date: '2027-05-01', description: 'Monthly subscription — Fiber 200 Mbps (May 2026)', created_at: expect.any(String) });
    const billId = r.body.data.id;
    const inv = await t.call('get_invoice', { id: billId });
    expect(inv.data).toMatchObject({ id: billId, customer_id: cust.id, total_cents: 150000, status: 'unpaid', due_date: '2027-05-01' });

    const paid = await send('put', `/api/v2/billing/bills/${billId}`, { status: 'paid', method: 'cash', transaction_id: 'TXN-9876' });
    expect(paid.status).toBe(200);
    expect(paid.body.data).toMatchObject({ id: billId, status: 'paid', paid_amount: 1500, due_amount: 0 });
    const after = await t.call('get_invoice', { id: billId });
    expect(after.data).toMatchObject({ status: 'paid', paid_cents: 150000, payments: [expect.objectContaining({ amount_cents: 150000, method: 'cash', reference: 'TXN-9876' })] });

    const pays = await get(`/api/v2/customers/${cust.id}/payments`);
    expect(pays.body).toEqual({ data: [expect.objectContaining({ customer_id: cust.id, bill_id: billId, amount: 1500, method: 'cash', transaction_id: 'TXN-9876', currency })], meta: { current_page: 1, per_page: 20, total: 1, last_page: 1 } });
    const bills = await get(`/api/v2/customers/${cust.id}/bills`);
    expect(bills.body.data).toEqual([expect.objectContaining({ id: billId, status: 'paid' })]);
    expect((await get('/api/v2/billing/payments')).body.data.some((p: { bill_id: number }) => p.bill_id === billId)).toBe(true);

    const fixed = await send('put', `/api/v2/billing/bills/${billId}`, { amount: 10 });
    expectError(fixed, 422, 'VALIDATION_ERROR');
    expect(fixed.body.error.details).toEqual({ amount: [expect.any(String)] });
    expectError(await send('post', '/api/v2/billing/bills', { customer_id: 99999, amount: 10 }), 422, 'VALIDATION_ERROR');
    expectError(await send('post', '/api/v2/billing/bills', { customer_id: cust.id }), 422, 'VALIDATION_ERROR');
  });

  test('subscriptions and packages read the same plans', async () => {
    const pk = await get('/api/v2/packages');
    expect(pk.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: planA, name: 'Fiber 100 Mbps', price: 1200 })]));
    expect(pk.body.meta).toMatchObject({ current_page: 1, per_page: 20 });
    const cust = (await send('post', '/api/v2/customers', { name: 'Sub Scriber', phone: '0166600', package_id: planA })).body.data;
    const subs = await get(`/api/v2/customers/${cust.id}/subscriptions`);
    expect(subs.body.data).toEqual([expect.objectContaining({ customer_id: cust.id, package: { id: planA, name: 'Fiber 100 Mbps' }, price: 1200, status: 'active' })]);
    const usage = await get(`/api/v2/customers/${cust.id}/usage`);
    expect(usage.body.data).toMatchObject({ customer_id: cust.id, sessions: 0, total_bytes: 0, online: false });
  });
});

describe('webhooks in ISPBills names and payloads, signed with X-Signature', () => {
  test('create, deliver customer.created and payment.received, update, list, delete', async () => {
    const rcv = await startReceiver();
    try {
      const c = await send('post', '/api/v2/webhooks', { url: rcv.url, events: ['customer.created', 'payment.received', 'bill.generated'], active: true });
      expect(c.status).toBe(201);
      expect(c.body.data).toMatchObject({ id: expect.any(Number), url: rcv.url, events: ['customer.created', 'payment.received', 'bill.generated'], active: true, secret: expect.any(String) });
      const secret = c.body.data.secret;
      const hookId = c.body.data.id;
      // The same row process.php lists, subscribed under ispgate's names.
      expect((await t.call('webhook_list')).data.find((w: { id: number }) => w.id === hookId)).toMatchObject({ events: ['customer.created', 'invoice.paid', 'invoice.generated'] });

      const cust = (await send('post', '/api/v2/customers', { name: 'Hooked', phone: '0188800', package_id: planA })).body.data;
      const bill = (await send('post', '/api/v2/billing/bills', { customer_id: cust.id, amount: 500 })).body.data;
      await send('put', `/api/v2/billing/bills/${bill.id}`, { status: 'paid', method: 'cash', transaction_id: 'TXN-1' });
      await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 1000));
      const bodies = rcv.received.map((x) => {
        const sig = crypto.createHmac('sha256', secret).update(x.body).digest('hex');
        expect(x.headers['x-signature']).toBe(sig);
        return JSON.parse(x.body);
      });
      const byEvent = Object.fromEntries(bodies.map((b) => [b.event, b]));
      expect(Object.keys(byEvent).sort()).toEqual(['bill.generated', 'customer.created', 'payment.received']);
      expect(byEvent['customer.created']).toEqual({ event: 'customer.created', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), data: expect.objectContaining({ id: cust.id, name: 'Hooked', package: { id: planA, name: 'Fiber 100 Mbps' } }) });
      expect(byEvent['payment.received'].data).toMatchObject({ customer_id: cust.id, amount: 500, currency: expect.any(String), method: 'cash', transaction_id: 'TXN-1' });
      expect(byEvent['bill.generated'].data).toMatchObject({ id: bill.id, customer_id: cust.id, amount: 500 });

      const u = await send('put', `/api/v2/webhooks/${hookId}`, { events: ['customer.suspended'], active: false });
      expect(u.body.data).toMatchObject({ id: hookId, events: ['customer.suspended'], active: false });
      expectError(await send('put', `/api/v2/webhooks/${hookId}`, { events: ['invoice.paid'] }), 422, 'VALIDATION_ERROR');
      const l = await get('/api/v2/webhooks');
      expect(l.body.data).toEqual([expect.objectContaining({ id: hookId })]);
      expect(JSON.stringify(l.body)).not.toContain(secret);
      expect((await send('delete', `/api/v2/webhooks/${hookId}`)).status).toBe(204);
      expect(await t.db('webhooks').where({ id: hookId })).toHaveLength(0);
    } finally {
      await rcv.close();
    }
  });
});

test('complaint.created, customer.suspended and customer.activated in ISPBills shape, from process.php actions', async () => {
  const rcv = await startReceiver();
  try {
    const c = await send('post', '/api/v2/webhooks', { url: rcv.url, events: ['complaint.created', 'customer.suspended', 'customer.activated'] });
    expect(c.status).toBe(201);
    const cust = (await send('post', '/api/v2/customers', { name: 'Complainer', phone: '0199900', package_id: planA })).body.data;
    const ticket = await t.call('ticket_create', { username: '0199900', subject: 'No internet', body: 'Red light' });
    expect(ticket.ok).toBe(true);
    await t.call('toggle_status', { id: cust.id, status: 'suspended', reason: 'test' });
    await t.call('toggle_status', { id: cust.id, status: 'active' });
    await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 1000));
    const got = rcv.received.map((x) => {
      expect(x.headers['x-signature']).toBe(crypto.createHmac('sha256', c.body.data.secret).update(x.body).digest('hex'));
      return JSON.parse(x.body);
    });
    expect(got.map((b) => b.event).sort()).toEqual(['complaint.created', 'customer.activated', 'customer.suspended']);
    expect(got.find((b) => b.event === 'complaint.created').data).toMatchObject({ id: ticket.data.id, customer_id: cust.id, subject: 'No internet', status: 'open' });
    expect(got.find((b) => b.event === 'customer.suspended').data).toMatchObject({ id: cust.id, status: 'suspended', reason: 'test' });
    expect(got.find((b) => b.event === 'customer.activated').data).toMatchObject({ id: cust.id, status: 'active' });
  } finally {
    await rcv.close();
  }
});

test('an endpoint ISPBills does not document answers 404 in the envelope; a Zabbix endpoint without a Zabbix source says why', async () => {
  for (const p of ['/api/v2/network/switches', '/api/v1/monitoring/nagios']) expectError(await get(p), 404, 'NOT_FOUND');
  const z = await get('/api/v2/monitoring/zabbix/hosts');
  expectError(z, 404, 'NOT_FOUND');
  expect(z.body.error.message).toMatch(/save_topology_metrics_source/);
});

test('rate limit: v2 answers 429 with Retry-After and X-RateLimit-* once the budget is spent', async () => {
  const small = await makeTestApp({ env: { ISPBILLS_RATE_LIMIT_V2: '3' } });
  try {
    const c = await small.call('api_client_create', { name: 'busy', dialect: 'ispbills' });
    const tok = (await request(small.app).post('/api/v2/auth/token').send({ client_id: c.data.client_id, client_secret: c.data.client_secret })).body.access_token;
    const call = () => request(small.app).get('/api/v2/packages').set('Authorization', `Bearer ${tok}`);
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    await call();
    await call();
    const over = await call();
    expectError(over, 429, 'TOO_MANY_REQUESTS');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers['x-ratelimit-limit']).toBe('3');
    expect(over.headers['x-ratelimit-remaining']).toBe('0');
  } finally {
    await small.close();
  }
});

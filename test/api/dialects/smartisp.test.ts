/**
 * The SmartISP document's own examples replayed against ispgate (request → the reply's keys and types), then the
 * same objects read back through process.php: a client, its service, an invoice and a payment made through
 * SmartISP are the rows process.php serves, RADIUS included.
 */
import net from 'node:net';
import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';

const B = '/api/SmartIPS-v1';
const ROUTER_PASS = 'router-secret-pass-77';
const HOT_PASS = 'hotspot-secret-99';

let t: TestApp;
let key: string;
let planId: number;
let routerId: number;
let clientId: number;
const seen: string[] = [];

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const get = async (path: string, k: string | null = key) => {
  let r = request(t.app).get(B + path);
  if (k) r = r.set('X-Authorization', k);
  const res = await r;
  seen.push(JSON.stringify(res.body));
  return res;
};
const post = async (path: string, form: Record<string, unknown> | string, k: string | null = key, method: 'post' | 'patch' = 'post') => {
  let r = request(t.app)[method](B + path).set('Accept', 'application/json');
  if (k) r = r.set('X-Authorization', k);
  const res = await r.type('form').send(form);
  seen.push(JSON.stringify(res.body));
  return res;
};
const keysOf = (o: object) => Object.keys(o).sort();
function today() {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return { us: `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()}`, iso: d.toISOString().slice(0, 10) };
}

beforeAll(async () => {
  t = await makeTestApp();
  planId = (await t.call('add_plan', { name: 'Plan Hogar 50M', download: '50M', upload: '50M', price: '18.70' })).data.id;
  const port = await closedPort();
  const r = await t.call('add_router', { ip: '127.0.0.1', name: 'CC2116_LAGO', user: 'SmarL0goA', pass: ROUTER_PASS, port: String(port), radius_secret: 'radsecret', mode: 'radius' });
  expect(r.ok).toBe(true);
  routerId = r.data.id;
  key = (await t.call('api_client_create', { name: 'smartisp app', dialect: 'smartisp' })).data.key;
});
afterAll(async () => t.close());

describe('auth', () => {
  it('refuses a missing or wrong key with the SmartISP error shape and 401', async () => {
    for (const k of [null, 'smisp_wrong', 'nonsense']) {
      const r = await get('/plans', k);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ status: false, success: false, message: expect.any(String), error: 'unauthorized' });
    }
  });

  it('refuses a process.php API key and a revoked app key', async () => {
    expect((await get('/plans', t.key)).status).toBe(401);
    const other = (await t.call('api_client_create', { name: 'revoked', dialect: 'smartisp' })).data;
    expect((await get('/plans', other.key)).status).toBe(200);
    await t.call('api_client_revoke', { id: other.id });
    expect((await get('/plans', other.key)).status).toBe(401);
  });

  it('counts requests in its own bucket (rate-limit headers)', async () => {
    const r = await get('/plans');
    expect(Number(r.headers['x-ratelimit-limit'])).toBeGreaterThan(0);
    expect(r.headers['x-ratelimit-remaining']).toBeDefined();
  });

  it('an unknown SmartISP path answers 404 in SmartISP\'s shape', async () => {
    const r = await get('/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ status: false, success: false, error: 'not_found' });
  });
});

describe('plans and routers', () => {
  it('GET plans: the document\'s keys, speeds in kbit/s', async () => {
    const r = await get('/plans');
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(['plans']);
    const p = r.body.plans.find((x: { id: number }) => x.id === planId);
    expect(keysOf(p)).toEqual(
      ['id', 'name', 'download', 'upload', 'num_clients', 'cost', 'iva', 'burst_limit', 'burst_threshold', 'burst_time', 'priority', 'limitat', 'aggregation', 'title', 'no_rules', 'address_list_name'].sort(),
    );
    expect(p).toMatchObject({ name: 'Plan Hogar 50M', download: 50000, upload: 50000, num_clients: 0, cost: '18.70', iva: '24.00', title: null });
  });

  it('GET routers: the document\'s keys, the password masked', async () => {
    const r = await get('/routers');
    expect(r.status).toBe(200);
    const ro = r.body.routers.find((x: { id: number }) => x.id === routerId);
    expect(keysOf(ro)).toEqual(
      ['id', 'name', 'model', 'ip', 'location', 'coordinates', 'clients', 'status', 'connection', 'login', 'password', 'port', 'lan', 'created_at', 'updated_at', 'map_marker_icon'].sort(),
    );
    expect(ro).toMatchObject({ name: 'CC2116_LAGO', ip: '127.0.0.1', login: 'SmarL0goA', password: '********', status: 'off', clients: 0 });
    expect(JSON.stringify(r.body)).not.toContain(ROUTER_PASS);
  });
});

describe('clients and services: the same subscriber as process.php', () => {
  it('create-client answers the document\'s keys and is the subscriber get_customer returns (suspended until its service)', async () => {
    const r = await post('/create-client', { name: 'Nick', phone: '1212121212', email: 'nick@gmail.com', dni: '3443454', billing_due_date: '5', pass: 'portal-pass' });
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(['client', 'message', 'status']);
    expect(r.body.status).toBe(true);
    expect(r.body.message).toBe('Client successfully added');
    expect(keysOf(r.body.client)).toEqual(['dni', 'email', 'id', 'id_punto_emision', 'name', 'phone', 'subscriber_no']);
    expect(r.body.client).toMatchObject({ name: 'Nick', phone: '1212121212', email: 'nick@gmail.com', dni: '3443454', id_punto_emision: null });
    clientId = r.body.client.id;
    expect(r.body.client.subscriber_no).toBe(String(clientId).padStart(4, '0'));

    const c = await t.call('get_customer', { username: '3443454' });
    expect(c.data).toMatchObject({ id: clientId, fullname: 'Nick', phone: '1212121212', email: 'nick@gmail.com', plan_id: planId, status: 'suspended', custom_fields: { dni: '3443454', billing_due_date: '5' } });
    expect(await t.db('radcheck').where({ username: '3443454' })).not.toHaveLength(0);
    // an audit row names the caller of the write, as for process.php
    expect(await t.db('audit_log').where({ action: 'add', outcome: 'ok' }).first()).toBeTruthy();
    // and the same event process.php's add emits, for the same webhooks
    const ev = await t.db('outbox_events').where({ event: 'customer.created' });
    expect(ev.map((e) => JSON.parse(e.payload).data.id)).toEqual([clientId]);
  });

  it('create-client: a validation error names the field (422), a second client with the same DNI is refused (409)', async () => {
    const bad = await post('/create-client', { name: 'No DNI', phone: '1', email: 'x@example.com', billing_due_date: '5', pass: 'p' });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ status: false, success: false, error: 'missing_dni', errors: { dni: [expect.any(String)] } });
    const day = await post('/create-client', { name: 'Bad day', phone: '1', email: 'x@example.com', dni: '777', billing_due_date: '40', pass: 'p' });
    expect(day.status).toBe(422);
    expect(day.body.error).toBe('invalid_billing_due_date');
    const dup = await post('/create-client', { name: 'Nick again', phone: '1', email: 'n@example.com', dni: '3443454', billing_due_date: '5', pass: 'p' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ status: false, error: 'duplicate_dni' });
    expect(await t.db('customers').where({ username: '777' })).toHaveLength(0);
  });

  it('create-service provisions the subscriber (login, password, IP, MAC, plan, router) and activates it', async () => {
    const r = await post('/create-service/3443454', {
      router: String(routerId), plan: String(planId), date_in: '18-10-2024', ip: '172.16.24.1', user_hot: 'owBeaAR', pass_hot: HOT_PASS, mac: '00:11:22:33:44:55', send_invoice: 'false', billing_type: 'recurring',
    });
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(['message', 'service', 'status']);
    expect(r.body).toMatchObject({ status: true, message: 'Service successfully created.' });
    const s = r.body.service;
    expect(keysOf(s)).toEqual(
      ['id', 'client_id', 'ip', 'mac', 'date_in', 'plan_id', 'router_id', 'status', 'user_hot', 'pass_hot', 'typeauth', 'onmikrotik', 'created_at', 'updated_at', 'billing_type', 'online', 'tree_priority', 'manually_cortado', 'smartolt_sn', 'geo_json', 'geo_json_styles', 'send_invoice', 'ipv6', 'ipv6_delegated', 'client'].sort(),
    );
    expect(s).toMatchObject({ client_id: clientId, ip: '172.16.24.1', mac: '00:11:22:33:44:55', date_in: '2024-10-18', plan_id: planId, router_id: routerId, status: 'ac', user_hot: 'owBeaAR', pass_hot: '********', billing_type: 'recurring', send_invoice: 0 });
    expect(keysOf(s.client)).toEqual(
      ['id', 'name', 'email', 'phone', 'address', 'coordinates', 'photo', 'dni', 'dv', 'custom_token_nuvai', 'created_at', 'updated_at', 'balance', 'odb_id', 'onu_id', 'port', 'onusn', 'zona_id', 'type_document_identification_id', 'type_organization_id', 'municipality_id', 'type_liability_id', 'type_regime_id', 'merchant_registration', 'adjustable_amount', 'id_punto_emision', 'wallet_balance', 'map_marker_icon', 'odb_geo_json', 'odb_geo_json_styles', 'subscriber_no', 'electronic_invoice'].sort(),
    );
    expect(s.client).toMatchObject({ id: clientId, name: 'Nick', dni: '3443454', balance: '0.00' });

    const c = (await t.call('get_customer', { id: clientId })).data;
    expect(c).toMatchObject({ username: 'owBeaAR', static_ip: '172.16.24.1', mac_address: '00:11:22:33:44:55', plan_id: planId, router_id: routerId, status: 'active' });
    const rc = await t.db('radcheck').where({ username: 'owBeaAR' });
    expect(rc.map((x) => x.value)).toContain(HOT_PASS);
    expect(await t.db('radcheck').where({ username: '3443454' })).toHaveLength(0);
    expect((await t.db('radreply').where({ username: 'owBeaAR' })).map((x) => x.value)).toContain('172.16.24.1');
  });

  it('create-service: unknown DNI 404, a second service 409, bad input 422', async () => {
    const body = { router: String(routerId), plan: String(planId), date_in: '18-10-2024', ip: '172.16.24.2', user_hot: 'x1', pass_hot: 'y', mac: '00:11:22:33:44:66' };
    const nf = await post('/create-service/000999', body);
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ status: false, error: 'client_not_found' });
    expect((await post('/create-service/3443454', body)).body).toMatchObject({ error: 'service_exists' });
    const bad = await post('/create-service/3443454', { ...body, date_in: '31-02-2024' });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('invalid_date_in');
  });

  it('a create-service refused by ispgate\'s rules changes nothing; the client stays suspended and may send it again', async () => {
    const c = await post('/create-client', { name: 'Second', phone: '2', email: 'second@example.com', dni: 'DNI-2', billing_due_date: '1', pass: 'pw' });
    expect(c.status).toBe(200);
    const body = { router: String(routerId), plan: String(planId), date_in: '2024-10-18', ip: '172.16.24.1', user_hot: 'second', pass_hot: 'pw2', mac: '02:11:22:33:44:77' };
    const taken = await post('/create-service/DNI-2', body); // 172.16.24.1 is Nick's
    expect(taken.status).toBe(422);
    expect(taken.body).toMatchObject({ status: false, error: 'invalid_static_ip' });
    expect((await t.call('get_customer', { id: c.body.client.id })).data).toMatchObject({ username: 'DNI-2', status: 'suspended', static_ip: null });
    const ok = await post('/create-service/DNI-2', { ...body, ip: '172.16.24.9' });
    expect(ok.status).toBe(200);
    expect((await t.call('get_customer', { id: c.body.client.id })).data).toMatchObject({ username: 'second', status: 'active', static_ip: '172.16.24.9' });
    await t.call('delete', { id: c.body.client.id });
  });

  it('get-user by DNI (still found after the login changed) and the clients list', async () => {
    const r = await get('/get-user/3443454');
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(['invoices', 'user']);
    expect(r.body.user).toMatchObject({ id: clientId, dni: '3443454', name: 'Nick', subscriber_no: String(clientId).padStart(4, '0') });
    expect(r.body.invoices).toEqual({ invoices_smartISP: [], invoices_sunat: [] });
    expect((await get('/get-user/nobody')).status).toBe(404);

    const l = await get('/clients?status=ac&per_page=25&page=1');
    expect(l.status).toBe(200);
    expect(keysOf(l.body)).toEqual(['data', 'pagination', 'success']);
    expect(l.body.pagination).toEqual({ total: 1, per_page: 25, current_page: 1, last_page: 1, from: 1, to: 1 });
    const row = l.body.data[0];
    expect(keysOf(row)).toEqual(['address', 'balance', 'created_at', 'dni', 'email', 'id', 'name', 'phone', 'service', 'subscriber_no', 'wallet_balance'].sort());
    expect(row.service).toEqual([
      { id: clientId, client_id: clientId, plan_id: planId, router_id: routerId, status: 'ac', online: 'off', ip: '172.16.24.1', service_type: 'home', plan: { id: planId, name: 'Plan Hogar 50M' }, router: { id: routerId, name: 'CC2116_LAGO' } },
    ]);
    expect((await get('/clients?status=de')).body.data).toEqual([]);
    expect((await get('/clients?search=Nick')).body.data).toHaveLength(1);
    const bad = await get('/clients?per_page=500');
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ success: false, error: 'invalid_per_page' });
  });
});

describe('invoices and payments: the same rows as process.php', () => {
  let invoiceId: number;
  let numBill: number;

  it('CreateInvoice with the document\'s array-valued lines', async () => {
    const d = today();
    const form = `description[]=item1&description[]=item2&invoice_billing_type=none&invoice_date=${encodeURIComponent(d.us)}&invoice_memo=caption&invoice_pay_date=${encodeURIComponent(d.us)}` +
      `&iva[]=24&iva[]=24&period_from[]=${d.iso}&period_from[]=${d.iso}&period_to[]=${d.iso}&period_to[]=${d.iso}&pos[]=1&pos[]=2&price[]=100&price[]=200&quantity[]=1&quantity[]=1&total[]=124&total[]=248&unit[]=1&unit[]=1`;
    const r = await post(`/CreateInvoice/${clientId}`, form);
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(['id_invoice', 'mesnage', 'num_bill', 'success']);
    expect(r.body).toMatchObject({ success: true, mesnage: 'Factura creada exitosamente', num_bill: expect.any(Number), id_invoice: expect.any(Number) });
    invoiceId = r.body.id_invoice;
    numBill = r.body.num_bill;
    const inv = (await t.call('get_invoice', { id: invoiceId })).data;
    expect(inv).toMatchObject({ customer_id: clientId, number: numBill, net_cents: 30000, vat_cents: 7200, total_cents: 37200, status: 'unpaid', issue_date: d.iso, notes: 'caption' });
    expect(inv.lines.map((l: { description: string }) => l.description)).toEqual(['item1', 'item2']);
  });

  it('CreateInvoice: lines of unequal length, an unknown client', async () => {
    const bad = await post(`/CreateInvoice/${clientId}`, 'description[]=a&description[]=b&iva[]=24&price[]=1&price[]=2&quantity[]=1&quantity[]=1');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('invalid_iva');
    expect((await post('/CreateInvoice/99999', 'description[]=a&iva[]=24&price[]=1&quantity[]=1')).status).toBe(404);
  });

  it('getInvoiceCliente and InvoiceClientStatus3 show it unpaid', async () => {
    const r = await get(`/getInvoiceCliente/${numBill}`);
    expect(r.status).toBe(200);
    expect(keysOf(r.body)).toEqual(['BillCustomer', 'Client', 'estatus']);
    expect(r.body.estatus).toBe('No pagado');
    expect(r.body.BillCustomer).toMatchObject({ id: invoiceId, num_bill: String(numBill), total_pay: '372.00', iva: '72.00', cost: '300.00', status: 'No pagado', client_id: 'Nick' });
    expect(r.body.Client).toMatchObject({ id: clientId, balance: '-372.00' });
    const u = await get(`/InvoiceClientStatus3/${clientId}`);
    expect(keysOf(u.body)).toEqual(['invoices', 'numero_de_factura_no_pagadas']);
    expect(u.body.numero_de_factura_no_pagadas).toBe(1);
    expect(u.body.invoices[0]).toMatchObject({ id: invoiceId, status: 'No pagado', client: { id: clientId } });
    expect((await get(`/InvoiceClientStatus1/${clientId}`)).body).toEqual({ invoices: [], numero_de_factura_pagadas: 0 });
    expect((await get('/getInvoiceCliente/987654')).status).toBe(404);
  });

  it('pagar_factura records the payment once (a retry with the same id_pago does not pay twice)', async () => {
    const form = { way_to_pay: 'Efectivo', date: today().us, amount: '372.00', id_pago: 'PAGO-1', commentary: 'cash at desk', invoice_id: String(invoiceId), payByWallet: 'false' };
    const r = await post('/pagar_factura', form);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true, mesnage: 'factura pagada' });
    const again = await post('/pagar_factura', form);
    expect(again.body).toEqual({ success: true, mesnage: 'factura pagada' });
    const inv = (await t.call('get_invoice', { id: invoiceId })).data;
    expect(inv).toMatchObject({ status: 'paid', paid_cents: 37200 });
    expect(inv.payments).toEqual([expect.objectContaining({ amount_cents: 37200, method: 'cash', reference: 'smartisp:PAGO-1' })]);
    expect(await t.db('payments').where({ invoice_id: invoiceId })).toHaveLength(1);
    const paidEvents = (await t.db('outbox_events').where({ event: 'invoice.paid' })).map((e) => JSON.parse(e.payload).data);
    expect(paidEvents).toEqual([expect.objectContaining({ invoice_id: invoiceId, amount_cents: 37200, method: 'cash' })]);

    const paid = await get(`/InvoiceClientStatus1/${clientId}`);
    expect(paid.body.numero_de_factura_pagadas).toBe(1);
    expect(paid.body.invoices[0]).toMatchObject({ id: invoiceId, status: 'Pagada' });
    expect((await get(`/getInvoiceCliente/${numBill}`)).body.estatus).toBe('Pagada');
    const user = await get('/get-user/3443454');
    expect(user.body.invoices.invoices_smartISP).toEqual([expect.objectContaining({ id: invoiceId, status: 1, paid_on: expect.any(String) })]);
  });

  it('pagar_factura: a wallet payment and a paid invoice are refused', async () => {
    const w = await post('/pagar_factura', { way_to_pay: 'Efectivo', amount: '1', id_pago: 'W1', commentary: '', invoice_id: String(invoiceId), payByWallet: 'true' });
    expect(w.status).toBe(422);
    expect(w.body.error).toBe('wallet_not_available');
  });

  it('DeleteIvoicePay never removes a recorded payment; an unpaid numbered invoice is voided, not deleted', async () => {
    const r = await post(`/DeleteIvoicePay/${invoiceId}`, {});
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: false, success: false, error: 'invoice_has_payments' });
    expect((await t.call('get_invoice', { id: invoiceId })).data).toMatchObject({ status: 'paid', paid_cents: 37200 });

    const second = await post(`/CreateInvoice/${clientId}`, { description: ['extra'], iva: ['24'], price: ['10'], quantity: ['1'] });
    expect(second.body.success).toBe(true);
    const del = await post(`/DeleteIvoicePay/${second.body.id_invoice}`, {});
    expect(del.status).toBe(200);
    expect(keysOf(del.body)).toEqual(['mensage', 'success']);
    expect((await t.call('get_invoice', { id: second.body.id_invoice })).data.status).toBe('void');
    expect(await t.db('invoices').where({ id: second.body.id_invoice })).toHaveLength(1);
  });
});

describe('tickets', () => {
  let ticketId: number;

  it('meta lists the catalogs', async () => {
    const r = await get('/tickets/meta');
    expect(r.body).toEqual({
      success: true,
      data: {
        status: ['new', 'work_in_progress', 'resolved', 'waiting_on_customer', 'waiting_on_agent'],
        type: ['question', 'incident', 'problem', 'feature_request', 'lead'],
        priority: ['low', 'medium', 'high', 'urgent'],
      },
    });
  });

  it('create, list, get, reply and update: the same ticket as process.php', async () => {
    const c = await post('/tickets', { client_id: String(clientId), subject: 'No internet connection', message: 'The service is down since this morning', type: 'incident', priority: 'high' });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ success: true, message: 'Ticket creado', data: { id: expect.any(Number), ticket_cun_number: expect.any(String), status: 'new', client_id: clientId } });
    ticketId = c.body.data.id;
    const pt = (await t.call('get_ticket', { id: ticketId })).data;
    expect(pt).toMatchObject({ subject: 'No internet connection', priority: 'high', status: 'open', customer: { id: clientId } });

    const l = await get('/tickets?status=new&per_page=25');
    expect(l.body.pagination).toMatchObject({ total: 1, current_page: 1 });
    expect(l.body.data[0]).toMatchObject({ id: ticketId, status: 'new', priority: 'high', client_id: clientId, answers_count: 1, client: { id: clientId, name: 'Nick', dni: '3443454' } });
    expect((await get(`/tickets?client_id=${clientId}`)).body.data).toHaveLength(1);
    expect((await get('/tickets?type=lead')).body.data).toHaveLength(0);

    expect((await post(`/tickets/${ticketId}/reply`, { message: 'A technician is on the way', from: 'support', author: 'Help Desk' })).body).toEqual({ success: true, message: 'Respuesta agregada' });
    const g = await get(`/tickets/${ticketId}`);
    expect(g.body.data.answers.map((a: { message: string }) => a.message)).toEqual(['The service is down since this morning', 'A technician is on the way']);
    expect(g.body.data.answers[0].created_at).toMatch(/^ [A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2}:\d{2}$/);

    const u = await post(`/tickets/${ticketId}`, { status: 'resolved' }, key, 'patch');
    expect(u.body).toEqual({ success: true, message: 'Ticket actualizado', data: { id: ticketId, status: 'resolved', priority: 'high', type: 'question' } });
    expect((await t.call('get_ticket', { id: ticketId })).data.status).toBe('resolved');
  });

  it('bodies as process.php reads them: multipart and JSON too; another content type is refused in SmartISP\'s shape', async () => {
    const mp = await request(t.app).post(`${B}/tickets/${ticketId}/reply`).set('X-Authorization', key).field('message', 'sent as multipart');
    expect(mp.body).toEqual({ success: true, message: 'Respuesta agregada' });
    const js = await request(t.app).post(`${B}/tickets/${ticketId}/reply`).set('X-Authorization', key).set('Content-Type', 'application/json').send(JSON.stringify({ message: 'sent as JSON' }));
    expect(js.body).toEqual({ success: true, message: 'Respuesta agregada' });
    const bodies = (await t.call('get_ticket', { id: ticketId })).data.messages.map((m: { body: string }) => m.body);
    expect(bodies).toEqual(expect.arrayContaining(['sent as multipart', 'sent as JSON']));
    const txt = await request(t.app).post(`${B}/tickets/${ticketId}/reply`).set('X-Authorization', key).set('Content-Type', 'text/plain').send('message=x');
    expect(txt.status).toBe(415);
    expect(txt.body).toMatchObject({ status: false, success: false, error: 'unsupported_content_type' });
  });

  it('404 for an unknown ticket, 422 for an update with no field or a bad create', async () => {
    expect((await get('/tickets/999999')).status).toBe(404);
    expect((await post('/tickets/999999/reply', { message: 'x' })).status).toBe(404);
    const none = await post(`/tickets/${ticketId}`, {}, key, 'patch');
    expect(none.status).toBe(422);
    const bad = await post('/tickets', { client_id: String(clientId), subject: 'x', message: 'y', priority: 'extreme' });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ success: false, error: 'invalid_priority' });
  });
});

test('no router or hotspot password ever left in a reply', () => {
  const all = seen.join('\n');
  expect(all).not.toContain(ROUTER_PASS);
  expect(all).not.toContain(HOT_PASS);
  expect(all).not.toContain('portal-pass');
});

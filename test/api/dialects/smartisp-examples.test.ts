/**
 * Every "Result example" of the SmartISP document (smartisp-document-examples.json, copied from the document with
 * lists cut to their fullest element) against ispgate's reply to the same request: the same keys at every level,
 * and the same JSON type wherever both sides hold a value. The few places where ispgate answers a different type
 * on purpose are listed in DIFFERENT_ON_PURPOSE with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';

const EXAMPLES: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, 'smartisp-document-examples.json'), 'utf8')).examples;
const B = '/api/SmartIPS-v1';

/** path in the reply → why its type differs from the document's example. */
const DIFFERENT_ON_PURPOSE: Record<string, string> = {
  // The document sends dni as a string and get-user answers it as a string; only this example echoes a number.
  'create-client.client.dni': 'DNI is text (leading zeros matter)',
};

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Differences between the document's example and our reply: missing/extra keys and type mismatches. */
function shapeDiff(example: unknown, ours: unknown, at: string, out: string[] = []): string[] {
  if (example === null || ours === null || example === undefined) return out; // a null on either side says nothing of the type
  if (DIFFERENT_ON_PURPOSE[at]) return out;
  const te = typeOf(example);
  const to = typeOf(ours);
  if (te !== to) {
    out.push(`${at}: document ${te}, ispgate ${to}`);
    return out;
  }
  if (te === 'array') {
    const [e] = example as unknown[];
    const [o] = ours as unknown[];
    if (e !== undefined && o !== undefined) shapeDiff(e, o, `${at}[]`, out);
    return out;
  }
  if (te === 'object') {
    const e = example as Record<string, unknown>;
    const o = ours as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!(k in o)) out.push(`${at}.${k}: missing`);
    for (const k of Object.keys(o)) if (!(k in e)) out.push(`${at}.${k}: not in the document`);
    for (const k of Object.keys(e)) if (k in o) shapeDiff(e[k], o[k], `${at}.${k}`, out);
  }
  return out;
}

let t: TestApp;
let key: string;
const replies: Record<string, unknown> = {};

beforeAll(async () => {
  t = await makeTestApp();
  const plan = (await t.call('add_plan', { name: 'Plan Hogar 50M', download: '50M', upload: '50M', price: '18.70' })).data.id;
  const router = (await t.call('add_router', { ip: '127.0.0.1', name: 'CC2116_LAGO', user: 'SmarL0goA', pass: 'router-pass', port: '1', radius_secret: 's', mode: 'radius' })).data.id;
  key = (await t.call('api_client_create', { name: 'examples', dialect: 'smartisp' })).data.key;
  const send = async (name: string, method: 'get' | 'post' | 'patch', url: string, body?: Record<string, unknown>) => {
    let r = request(t.app)[method](B + url).set('X-Authorization', key).set('Accept', 'application/json');
    const res = body ? await r.type('form').send(body) : await r;
    expect({ name, status: res.status }).toEqual({ name, status: 200 });
    replies[name] = res.body;
    return res.body;
  };

  await send('plans', 'get', '/plans');
  await send('routers', 'get', '/routers');
  const c = await send('create-client', 'post', '/create-client', { name: 'Nick', phone: '1212121212', email: 'nick@gmail.com', dni: '3443454', billing_due_date: '5', pass: 'p' });
  await send('create-service', 'post', '/create-service/3443454', { router, plan, date_in: '18-10-2024', ip: '172.16.24.1', user_hot: 'owBeaAR', pass_hot: 'h', mac: '02:00:00:00:00:09' });
  const id = c.client.id;
  const inv1 = await send('CreateInvoice', 'post', `/CreateInvoice/${id}`, { description: ['item1', 'item2'], iva: ['24', '24'], price: ['100', '200'], quantity: ['1', '1'], total: ['124', '248'], invoice_memo: 'sqws' });
  const inv2 = (await request(t.app).post(`${B}/CreateInvoice/${id}`).set('X-Authorization', key).type('form').send({ description: ['x'], iva: ['24'], price: ['10'], quantity: ['1'] })).body;
  await send('get-user', 'get', '/get-user/3443454');
  await send('getInvoiceCliente', 'get', `/getInvoiceCliente/${inv1.num_bill}`);
  await send('InvoiceClientStatus3', 'get', `/InvoiceClientStatus3/${id}`);
  await send('pagar_factura', 'post', '/pagar_factura', { way_to_pay: 'Efectivo', date: '03/20/2024', amount: '372.00', id_pago: 'X1', commentary: 'c', invoice_id: inv1.id_invoice, payByWallet: 'false' });
  await send('InvoiceClientStatus1', 'get', `/InvoiceClientStatus1/${id}`);
  await send('DeleteIvoicePay', 'post', `/DeleteIvoicePay/${inv2.id_invoice}`);
  await send('clients', 'get', '/clients?status=ac&per_page=25&page=1');
  const tk = await send('tickets/create', 'post', '/tickets', { client_id: id, subject: 'No internet connection', message: 'The service is down', type: 'incident', priority: 'high' });
  await send('tickets/reply', 'post', `/tickets/${tk.data.id}/reply`, { message: 'A technician is on the way', from: 'support', author: 'Help Desk' });
  await send('tickets', 'get', '/tickets?status=new&per_page=25');
  await send('tickets/meta', 'get', '/tickets/meta');
  await send('tickets/get', 'get', `/tickets/${tk.data.id}`);
  await send('tickets/update', 'patch', `/tickets/${tk.data.id}`, { status: 'resolved' });
});
afterAll(async () => t.close());

test('every example of the document was replayed', () => {
  expect(Object.keys(replies).sort()).toEqual(Object.keys(EXAMPLES).sort());
});

test.each(Object.keys(EXAMPLES))('%s: the reply has the document\'s keys and types', (name) => {
  expect(shapeDiff(EXAMPLES[name], replies[name], name)).toEqual([]);
});

test('the comparison notices a missing key, an extra key and a wrong type', () => {
  expect(shapeDiff({ a: 1, b: 'x', c: [{ d: true }] }, { a: '1', c: [{ d: true, e: 1 }], z: 0 }, 'r')).toEqual([
    'r.b: missing',
    'r.z: not in the document',
    'r.a: document number, ispgate string',
    'r.c[].e: not in the document',
  ]);
});

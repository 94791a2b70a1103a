/**
 * A SmartISP client written only from the documents: the calls are the SmartISP document's endpoints, and every
 * request is checked against /openapi/smartisp.json (the operation exists, its path parameters are filled, its
 * required body fields are sent) and every reply against the document's schema for that status (the success
 * schema, or the Error schema for a documented error status). Nothing here knows ispgate's internals.
 */
import Ajv2020 from 'ajv/dist/2020';
import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestApp;
let doc: Json;
let key: string;
const ajv = new Ajv2020({ strict: false, allErrors: true });

class DocClient {
  constructor(
    private readonly doc: Json,
    private readonly key: string | null,
  ) {}

  private operation(method: string, template: string) {
    const op = this.doc.paths?.[template]?.[method];
    if (!op) throw new Error(`${method.toUpperCase()} ${template} is not in the document`);
    return op;
  }

  /** Calls an operation of the document; resolves to { status, body } after checking the reply against it. */
  async call(method: 'get' | 'post' | 'patch', template: string, opts: { path?: Record<string, string | number>; query?: Record<string, string | number>; body?: Record<string, unknown> } = {}) {
    const op = this.operation(method, template);
    let url = template;
    for (const p of (op.parameters ?? []).filter((x: Json) => x.in === 'path')) {
      const v = opts.path?.[p.name];
      if (v === undefined) throw new Error(`path parameter ${p.name} missing`);
      url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
    }
    const known = new Set((op.parameters ?? []).filter((x: Json) => x.in === 'query').map((x: Json) => x.name));
    for (const k of Object.keys(opts.query ?? {})) if (!known.has(k)) throw new Error(`query parameter ${k} is not documented`);
    if (opts.query) url += '?' + new URLSearchParams(Object.entries(opts.query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    let r = request(t.app)[method](url).set('Accept', 'application/json');
    if (this.key) r = r.set('X-Authorization', this.key);
    const res = opts.body !== undefined ? await r.set('Content-Type', 'application/json').send(JSON.stringify(opts.body)) : await r;
    const documented = op.responses[String(res.status)];
    if (!documented) throw new Error(`${method.toUpperCase()} ${template} answered ${res.status}, which the document does not list: ${JSON.stringify(res.body)}`);
    let schema = documented.content?.['application/json']?.schema;
    if (schema?.$ref) schema = this.doc.components.schemas[schema.$ref.split('/').pop()];
    if (schema) {
      const validate = ajv.compile(schema);
      if (!validate(res.body)) throw new Error(`${method.toUpperCase()} ${template} ${res.status} reply does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
    }
    return { status: res.status, body: res.body };
  }
}

beforeAll(async () => {
  t = await makeTestApp();
  // The operator's side (process.php): a plan, a router, an app key. Everything after is SmartISP only.
  await t.call('add_plan', { name: 'Plan Plus 60M', download: '60M', upload: '60M', price: '21.74' });
  await t.call('add_router', { ip: '127.0.0.1', name: 'JANDIACU', user: 'Jandia', pass: 'router-pass-x', port: '1', radius_secret: 's', mode: 'radius' });
  key = (await t.call('api_client_create', { name: 'doc client', dialect: 'smartisp' })).data.key;
  doc = (await request(t.app).get('/openapi/smartisp.json')).body;
});
afterAll(async () => t.close());

test('without the app key every operation answers the documented 401', async () => {
  const anon = new DocClient(doc, null);
  expect((await anon.call('get', '/api/SmartIPS-v1/plans')).status).toBe(401);
  expect((await anon.call('get', '/api/SmartIPS-v1/clients', { query: { page: 1 } })).status).toBe(401);
  const wrong = new DocClient(doc, 'smisp_not-a-key');
  expect((await wrong.call('post', '/api/SmartIPS-v1/create-client', { body: {} })).status).toBe(401);
});

test('listing, creating and reading back, as the document describes', async () => {
  const c = new DocClient(doc, key);
  const plans = await c.call('get', '/api/SmartIPS-v1/plans');
  const routers = await c.call('get', '/api/SmartIPS-v1/routers');
  expect(plans.body.plans[0]).toMatchObject({ name: 'Plan Plus 60M', download: 60000 });
  expect(routers.body.routers[0].password).toBe('********');

  const created = await c.call('post', '/api/SmartIPS-v1/create-client', {
    body: { name: 'Shiguango Esthela', phone: 453345467, email: 'jaquelines@example.com', dni: 3453456, billing_due_date: 21, pass: 'secret-1' },
  });
  expect(created.body.client.dni).toBe('3453456');
  const service = await c.call('post', '/api/SmartIPS-v1/create-service/{dni}', {
    path: { dni: '3453456' },
    body: { router: routers.body.routers[0].id, plan: plans.body.plans[0].id, date_in: '01-04-2024', ip: '172.16.24.200', user_hot: '3453456', pass_hot: 'hot-1', mac: '02:00:00:00:00:01' },
  });
  expect(service.body.service).toMatchObject({ status: 'ac', ip: '172.16.24.200', pass_hot: '********' });

  const user = await c.call('get', '/api/SmartIPS-v1/get-user/{dni}', { path: { dni: '3453456' } });
  expect(user.body.user.name).toBe('Shiguango Esthela');
  const list = await c.call('get', '/api/SmartIPS-v1/clients', { query: { status: 'ac', per_page: 25, page: 1 } });
  expect(list.body.pagination).toMatchObject({ total: 1, current_page: 1 });
  const inv = await c.call('post', '/api/SmartIPS-v1/CreateInvoice/{userId}', {
    path: { userId: created.body.client.id },
    body: { description: ['Plan Plus 60M'], iva: ['24'], price: ['21.74'], quantity: ['1'], invoice_memo: 'April', invoice_billing_type: 'none' },
  });
  const bill = await c.call('get', '/api/SmartIPS-v1/getInvoiceCliente/{invoice_number}', { path: { invoice_number: inv.body.num_bill } });
  expect(bill.body.BillCustomer.total_pay).toBe('26.96');
  await c.call('post', '/api/SmartIPS-v1/pagar_factura', { body: { way_to_pay: 'Efectivo', date: '03/20/2024', amount: 26.96, id_pago: 'doc-1', commentary: 'x', invoice_id: inv.body.id_invoice, payByWallet: false } });
  const paid = await c.call('get', '/api/SmartIPS-v1/InvoiceClientStatus1/{userId}', { path: { userId: created.body.client.id } });
  expect(paid.body.numero_de_factura_pagadas).toBe(1);

  const ticket = await c.call('post', '/api/SmartIPS-v1/tickets', { body: { client_id: created.body.client.id, subject: 'No internet connection', message: 'Down since this morning', type: 'incident', priority: 'high' } });
  await c.call('post', '/api/SmartIPS-v1/tickets/{ticket}/reply', { path: { ticket: ticket.body.data.id }, body: { message: 'On the way', from: 'support' } });
  const tickets = await c.call('get', '/api/SmartIPS-v1/tickets', { query: { status: 'new', per_page: 25 } });
  expect(tickets.body.data[0]).toMatchObject({ id: ticket.body.data.id, answers_count: 2 });
  await c.call('get', '/api/SmartIPS-v1/tickets/meta');
  const one = await c.call('get', '/api/SmartIPS-v1/tickets/{ticket}', { path: { ticket: ticket.body.data.id } });
  expect(one.body.data.answers).toHaveLength(2);
  const upd = await c.call('patch', '/api/SmartIPS-v1/tickets/{ticket}', { path: { ticket: ticket.body.data.id }, body: { status: 'resolved' } });
  expect(upd.body.data.status).toBe('resolved');
});

test('a validation error and the documented error replies', async () => {
  const c = new DocClient(doc, key);
  const v = await c.call('post', '/api/SmartIPS-v1/create-client', { body: { name: 'x' } });
  expect(v.status).toBe(422);
  expect(v.body.errors).toHaveProperty('dni');
  expect((await c.call('get', '/api/SmartIPS-v1/clients', { query: { per_page: 1000 } })).status).toBe(422);
  expect((await c.call('get', '/api/SmartIPS-v1/get-user/{dni}', { path: { dni: 'nobody-here' } })).status).toBe(404);
  expect((await c.call('get', '/api/SmartIPS-v1/getInvoiceCliente/{invoice_number}', { path: { invoice_number: 424242 } })).status).toBe(404);
  expect((await c.call('get', '/api/SmartIPS-v1/tickets/{ticket}', { path: { ticket: 424242 } })).status).toBe(404);
  expect((await c.call('patch', '/api/SmartIPS-v1/tickets/{ticket}', { path: { ticket: 424242 }, body: { status: 'resolved' } })).status).toBe(404);
  expect((await c.call('post', '/api/SmartIPS-v1/DeleteIvoicePay/{invoiceID}', { path: { invoiceID: 424242 } })).status).toBe(404);
});

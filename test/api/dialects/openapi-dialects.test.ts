import request from 'supertest';
import { z } from 'zod';
import { createRouteTable, routeTable } from '../../../src/gateway/dialects/route-table';
import { dialectDocument, routeDocumentDiff } from '../../../src/gateway/openapi';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { validateOpenApi } from './openapi-validate';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

/** Every dialect door this server builds, each registered through the route table. */
const DIALECTS = ['smartisp', 'ispbills'];

describe.each(DIALECTS)('OpenAPI document of the %s dialect', (name) => {
  it('is served, valid OpenAPI 3.1, and lists exactly the routes its router answers', async () => {
    const table = routeTable(name)!;
    expect(table).toBeDefined();
    const r = await request(t.app).get(`/openapi/${name}.json`);
    expect(r.status).toBe(200);
    const v = validateOpenApi(r.body);
    expect(v.errors).toBeUndefined();
    expect(v).toMatchObject({ valid: true, version: '3.1' });
    expect(routeDocumentDiff(table, r.body)).toEqual({ missing: [], extra: [] });
    expect(Object.keys(r.body.paths).length).toBeGreaterThan(0);
  });
});

describe('SmartISP document content', () => {
  let doc: any;
  beforeAll(async () => {
    doc = (await request(t.app).get('/openapi/smartisp.json')).body;
  });

  it('has every endpoint of the SmartISP document, with path parameters and the app-key security', () => {
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(
      [
        'GET /api/SmartIPS-v1/plans',
        'GET /api/SmartIPS-v1/routers',
        'POST /api/SmartIPS-v1/create-client',
        'POST /api/SmartIPS-v1/create-service/{dni}',
        'GET /api/SmartIPS-v1/get-user/{dni}',
        'GET /api/SmartIPS-v1/clients',
        'POST /api/SmartIPS-v1/CreateInvoice/{userId}',
        'GET /api/SmartIPS-v1/getInvoiceCliente/{invoice_number}',
        'GET /api/SmartIPS-v1/InvoiceClientStatus3/{userId}',
        'GET /api/SmartIPS-v1/InvoiceClientStatus1/{userId}',
        'POST /api/SmartIPS-v1/pagar_factura',
        'POST /api/SmartIPS-v1/DeleteIvoicePay/{invoiceID}',
        'GET /api/SmartIPS-v1/tickets',
        'GET /api/SmartIPS-v1/tickets/meta',
        'GET /api/SmartIPS-v1/tickets/{ticket}',
        'POST /api/SmartIPS-v1/tickets',
        'POST /api/SmartIPS-v1/tickets/{ticket}/reply',
        'PATCH /api/SmartIPS-v1/tickets/{ticket}',
      ].sort(),
    );
    expect(doc.components.securitySchemes.appKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Authorization' });
    expect(doc.paths['/api/SmartIPS-v1/create-service/{dni}'].post.parameters).toEqual([expect.objectContaining({ name: 'dni', in: 'path', required: true })]);
  });

  it('request bodies are the routes\' schemas (CreateInvoice lines are arrays), queries their parameters', () => {
    const inv = doc.paths['/api/SmartIPS-v1/CreateInvoice/{userId}'].post.requestBody.content['application/json'].schema;
    expect(inv.required).toEqual(expect.arrayContaining(['description', 'iva', 'price', 'quantity']));
    expect(inv.properties.price.type).toBe('array');
    const q = doc.paths['/api/SmartIPS-v1/clients'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(q).toEqual(expect.arrayContaining(['query:page', 'query:per_page', 'query:search', 'query:status', 'query:plan', 'query:router', 'query:partner_id']));
    const client = doc.paths['/api/SmartIPS-v1/create-client'].post.requestBody.content['application/x-www-form-urlencoded'].schema;
    expect(client.required).toEqual(expect.arrayContaining(['name', 'phone', 'email', 'dni', 'billing_due_date', 'pass']));
    expect(doc.paths['/api/SmartIPS-v1/routers'].get.responses['200'].content['application/json'].schema.properties.routers.items.properties.password.const).toBe('********');
  });
});

test('the comparison catches a route missing from the document and an operation with no route', () => {
  const table = createRouteTable({ name: 'contract-probe', title: 'probe', version: '0', basePath: '/probe' });
  table.define({ method: 'get', path: '/a/:id', summary: 'a', query: z.object({ q: z.string().optional() }), handler: (_req, res) => res.json({}) });
  const doc = dialectDocument(table);
  expect(routeDocumentDiff(table, doc)).toEqual({ missing: [], extra: [] });
  // a route registered behind the table's back (not through define) is not in the document
  table.router.post('/hidden', (_req, res) => res.json({}));
  // and an operation documented by hand answers nothing
  (doc.paths as Record<string, unknown>)['/probe/ghost'] = { get: { responses: { '200': { description: 'x' } } } };
  expect(routeDocumentDiff(table, doc)).toEqual({ missing: ['POST /probe/hidden'], extra: ['GET /probe/ghost'] });
});

describe('ISPBills document content', () => {
  let doc: any;
  beforeAll(async () => {
    const r = await request(t.app).get('/openapi/ispbills.json');
    expect(r.status).toBe(200);
    doc = r.body;
  });

  /** Every endpoint of ISPBills' API Management document (v1, v2 and the auth flows), as it lists them. */
  const ISPBILLS_ENDPOINTS = [
    'POST /api/auth/login', 'POST /api/auth/refresh',
    ...['dashboard', 'noc/dashboard', 'customers', 'customers/{id}', 'invoices', 'bills', 'subscriptions', 'payments', 'routers', 'olts',
      'monitoring/ubiquiti', 'monitoring/cambium', 'monitoring/access-logs', 'monitoring/onus', 'monitoring/status-checks', 'monitoring/zabbix',
      'sms/history', 'sms/balance', 'operators', 'vpn/accounts', 'vpn/accounts/{account}/config', 'logs/router', 'logs/hotspot', 'logs/ppp-auth',
      'logs/auto-suspension', 'recharge-cards'].map((p) => `GET /api/v1/${p}`),
    ...['customers', 'customers/{id}/action', 'sms/send', 'operators', 'operators/{id}/suspend', 'operators/{id}/fund'].map((p) => `POST /api/v1/${p}`),
    'PUT /api/v1/operators/{id}',
    'POST /api/v2/auth/token', 'POST /api/v2/auth/revoke',
    ...['customers', 'customers/{id}', 'customers/{id}/bills', 'customers/{id}/payments', 'customers/{id}/subscriptions', 'customers/{id}/usage',
      'billing/bills', 'billing/bills/{id}', 'billing/payments', 'packages', 'network/routers', 'network/olts', 'network/onus', 'network/pools',
      'monitoring/zabbix/hosts', 'monitoring/zabbix/problems', 'monitoring/devices', 'monitoring/status-checks', 'sms/balance', 'vpn/accounts',
      'vpn/accounts/{id}/config', 'webhooks'].map((p) => `GET /api/v2/${p}`),
    ...['customers', 'billing/bills', 'sms/send', 'sms/broadcast', 'webhooks'].map((p) => `POST /api/v2/${p}`),
    ...['customers/{id}', 'billing/bills/{id}', 'webhooks/{id}'].map((p) => `PUT /api/v2/${p}`),
    ...['customers/{id}', 'billing/bills/{id}', 'webhooks/{id}'].map((p) => `DELETE /api/v2/${p}`),
  ];

  it('has every endpoint of the ISPBills document, each with a summary', () => {
    const ops = new Set(Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} ${p}`)));
    expect(ISPBILLS_ENDPOINTS.filter((e) => !ops.has(e))).toEqual([]);
    for (const [, o] of Object.entries(doc.paths as Record<string, Record<string, { summary: string }>>)) for (const op of Object.values(o)) expect(op.summary.length).toBeGreaterThan(5);
  });

  it('bearer security except the token endpoints; lists paginate with meta; 204s and file downloads say so; errors use the envelope', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/v2/auth/token'].post.requestBody.content['application/json'].schema.required).toEqual(['client_id', 'client_secret']);
    const list = doc.paths['/api/v2/customers'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['page', 'per_page']));
    expect(list.parameters.find((p: { name: string }) => p.name === 'per_page').schema.maximum).toBe(100);
    expect(list.responses['200'].content['application/json'].schema.properties.meta.required).toEqual(['current_page', 'per_page', 'total', 'last_page']);
    expect(list.responses['429']).toBeDefined();
    expect(doc.paths['/api/v2/customers'].post.responses['201']).toBeDefined();
    expect(doc.paths['/api/v2/customers/{id}'].delete.responses['204']).toEqual({ description: 'No content' });
    expect(Object.keys(doc.paths['/api/v2/vpn/accounts/{id}/config'].get.responses['200'].content)).toEqual(['text/plain']);
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message', 'details']);
    expect(doc.paths['/api/v2/network/olts'].get.responses['200'].content['application/json'].schema.properties.data.items.properties.status.enum).toEqual(['online', 'offline', 'unknown']);
  });
});

/**
 * /openapi/ispbills.json against what answers: a client that knows only the document calls every GET operation
 * (path parameters filled from what the previous replies gave), checks that each status it receives is one the
 * operation documents, and validates the reply against the documented schema (the success schema, or the Error
 * schema). Then the write operations of the document's own examples, the same way. A route whose reply drifts
 * from its document fails here.
 */
import Ajv2020 from 'ajv/dist/2020';
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestApp;
let fake: FakeRouterOS;
let doc: Json;
let token: string;
const ajv = new Ajv2020({ strict: false, allErrors: true });

async function call(method: 'get' | 'post' | 'put' | 'delete', template: string, opts: { path?: Record<string, string | number>; query?: Record<string, string | number>; body?: unknown; token?: string } = {}) {
  const op = doc.paths?.[template]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${template} is not in the document`);
  let url = template;
  for (const p of (op.parameters ?? []).filter((x: Json) => x.in === 'path')) {
    const v = opts.path?.[p.name];
    if (v === undefined) throw new Error(`path parameter ${p.name} missing for ${template}`);
    url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
  }
  const known = new Set((op.parameters ?? []).filter((x: Json) => x.in === 'query').map((x: Json) => x.name));
  for (const k of Object.keys(opts.query ?? {})) if (!known.has(k)) throw new Error(`query parameter ${k} is not documented for ${template}`);
  if (opts.query) url += '?' + new URLSearchParams(Object.entries(opts.query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  let r = request(t.app)[method](url).set('Accept', 'application/json');
  const bearer = opts.token ?? token;
  if (bearer && !(op.security && op.security.length === 0)) r = r.set('Authorization', `Bearer ${bearer}`);
  const res = opts.body !== undefined ? await r.set('Content-Type', 'application/json').send(JSON.stringify(opts.body)) : await r;
  const documented = op.responses[String(res.status)];
  if (!documented) throw new Error(`${method.toUpperCase()} ${template} answered ${res.status}, which the document does not list: ${JSON.stringify(res.body).slice(0, 300)}`);
  let schema = documented.content?.['application/json']?.schema;
  if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()];
  if (schema) {
    const validate = ajv.compile(schema);
    if (!validate(res.body)) throw new Error(`${method.toUpperCase()} ${template} ${res.status} reply does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
  } else if (!documented.content) {
    expect(res.text ?? '').toBe('');
  }
  return { status: res.status, body: res.body, headers: res.headers };
}

beforeAll(async () => {
  fake = new FakeRouterOS({ emptyReply: true, seed: { '/log': [{ time: '08:00:00', topics: 'system,info,account', message: 'user admin logged in' }] } });
  await fake.listen();
  t = await makeTestApp({ env: { RATE_LIMIT_BILLING: '1000', RATE_LIMIT_STANDARD: '100000', ROUTER_TIMEOUT_MS: '2000' } });
  await t.call('add_plan', { name: 'Fiber 100 Mbps', download: '100M', upload: '20M', price: '1200' });
  await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'admin', pass: 'secret', port: String(fake.port), radius_secret: 's' });
  await t.call('save_inventory_node', { name: 'OLT-1', ip: '10.30.0.1', type: 'olt', vendor: 'Huawei' });
  doc = (await request(t.app).get('/openapi/ispbills.json')).body;
  const c = await t.call('api_client_create', { name: 'doc client', dialect: 'ispbills' });
  token = (await call('post', '/api/v2/auth/token', { body: { client_id: c.data.client_id, client_secret: c.data.client_secret } })).body.access_token;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

test('the token endpoint answers its documented errors: 422 with details, 401', async () => {
  const missing = await call('post', '/api/v2/auth/token', { body: {} });
  expect(missing.status).toBe(422);
  expect(missing.body.error.details).toMatchObject({ client_id: [expect.any(String)], client_secret: [expect.any(String)] });
  expect((await call('post', '/api/v2/auth/token', { body: { client_id: 'x', client_secret: 'y' } })).status).toBe(401);
});

test('every v2 GET without path parameters answers a documented status with the documented shape', async () => {
  const gets = Object.entries(doc.paths as Record<string, Json>).filter(([p, o]) => p.startsWith('/api/v2/') && o.get && !p.includes('{'));
  expect(gets.length).toBeGreaterThanOrEqual(15);
  const statuses: Record<string, number> = {};
  for (const [p] of gets) statuses[p] = (await call('get', p)).status;
  // The lists and reads work here; what this installation has not configured answers its documented error:
  // no Zabbix source (404), no SMS gateway (409).
  expect(Object.entries(statuses).filter(([, s]) => s !== 200).sort()).toEqual([
    ['/api/v2/monitoring/zabbix/hosts', 404],
    ['/api/v2/monitoring/zabbix/problems', 404],
    ['/api/v2/sms/balance', 409],
  ].filter(([p]) => p in statuses).sort());
});

test('every v1 GET without path parameters, with a v1 token from the login flow, the same way', async () => {
  await t.db('admins').where({ is_primary: true }).update({ email: 'admin@example.com' });
  const login = await call('post', '/api/auth/login', { body: { email: 'admin@example.com', password: ADMIN_PASSWORD } });
  expect(login.status).toBe(200);
  const refreshed = await call('post', '/api/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
  const v1 = refreshed.body.access_token;
  const gets = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/') && doc.paths[p].get && !p.includes('{'));
  expect(gets.length).toBeGreaterThanOrEqual(25);
  const statuses: Record<string, number> = {};
  for (const p of gets) statuses[p] = (await call('get', p, { token: v1 })).status;
  expect(Object.entries(statuses).filter(([, s]) => s !== 200).sort()).toEqual([
    ['/api/v1/monitoring/zabbix', 404],
    ['/api/v1/sms/balance', 409],
  ]);
});

test('the write examples and the reads of what they made, each checked against the document; a 422 and a 404 too', async () => {
  const pkg = (await call('get', '/api/v2/packages')).body.data[0];
  const created = await call('post', '/api/v2/customers', { body: { name: 'Fatima Begum', email: 'fatima@example.com', phone: '01898765432', package_id: pkg.id, connection_type: 'fiber', onu_mac: 'AA:BB:CC:DD:EE:FF' } });
  expect(created.status).toBe(201);
  const id = created.body.data.id;
  for (const sub of ['/api/v2/customers/{id}', '/api/v2/customers/{id}/bills', '/api/v2/customers/{id}/payments', '/api/v2/customers/{id}/subscriptions', '/api/v2/customers/{id}/usage']) {
    expect((await call('get', sub, { path: { id } })).status).toBe(200);
  }
  expect((await call('put', '/api/v2/customers/{id}', { path: { id }, body: { address: 'Suite 6A, Banani Heights, Dhaka' } })).status).toBe(200);
  const bill = await call('post', '/api/v2/billing/bills', { body: { customer_id: id, amount: 1500, due_date: '2027-05-01', description: 'Monthly subscription' } });
  expect(bill.status).toBe(201);
  expect((await call('get', '/api/v2/billing/bills/{id}', { path: { id: bill.body.data.id } })).status).toBe(200);
  const invalid = await call('post', '/api/v2/customers', { body: { email: 'nobody@example.com' } });
  expect(invalid.status).toBe(422);
  expect(invalid.body.error.details.name).toEqual([expect.any(String)]);
  expect((await call('get', '/api/v2/customers/{id}', { path: { id: 999999 } })).status).toBe(404);
  expect((await call('get', '/api/v2/network/onus', { query: { olt_id: 999999 } })).status).toBe(404);
  expect((await call('delete', '/api/v2/billing/bills/{id}', { path: { id: bill.body.data.id } })).status).toBe(204);
  expect((await call('post', '/api/v2/auth/revoke')).status).toBe(204);
  expect((await call('get', '/api/v2/packages')).status).toBe(401);
});

/**
 * ISPBills' logs: router logs read over the RouterOS API (the strict fake), PPP authentication from FreeRADIUS's
 * radpostauth, auto-suspensions from dunning's events.
 */
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';
import { SUSPEND_REASON } from '../../../src/services/billing/dunning';

let t: TestApp;
let fake: FakeRouterOS;
let v1: string;
let routerId: number;

const get = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${v1}`);

beforeAll(async () => {
  fake = new FakeRouterOS({
    emptyReply: true,
    seed: {
      '/log': [
        { time: '10:00:01', topics: 'system,info', message: 'router rebooted' },
        { time: '10:05:12', topics: 'pppoe,ppp,info', message: 'alice logged in' },
        { time: '10:06:40', topics: 'pppoe,ppp,info', message: 'bob logged in' },
      ],
    },
  });
  await fake.listen();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '3000' } });
  routerId = (await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'admin', pass: 'secret', port: String(fake.port), radius_secret: 's' })).data.id;
  await t.db('admins').where({ is_primary: true }).update({ email: 'admin@example.com' });
  v1 = (await request(t.app).post('/api/auth/login').send({ email: 'admin@example.com', password: ADMIN_PASSWORD })).body.access_token;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

test('GET /api/v1/logs/router prints the router log, newest first, filtered by topic, paginated', async () => {
  const r = await get(`/api/v1/logs/router?router_id=${routerId}`);
  expect(r.status).toBe(200);
  expect(r.body.data.map((x: { message: string }) => x.message)).toEqual(['bob logged in', 'alice logged in', 'router rebooted']);
  expect(r.body.data[0]).toMatchObject({ router_id: routerId, time: '10:06:40', topics: ['pppoe', 'ppp', 'info'] });
  expect(r.body.meta).toEqual({ current_page: 1, per_page: 20, total: 3, last_page: 1 });
  const p = await get('/api/v1/logs/router?topics=pppoe&per_page=1&page=2');
  expect(p.body).toEqual({ data: [expect.objectContaining({ message: 'alice logged in' })], meta: { current_page: 2, per_page: 1, total: 2, last_page: 2 } });
  const missing = await get('/api/v1/logs/router?router_id=999');
  expect(missing.status).toBe(404);
});

test('a router that does not answer is a 5xx in the envelope, not an empty log', async () => {
  const dead = (await t.call('add_router', { ip: '127.0.0.2', name: 'gone', user: 'admin', pass: 'secret', port: '1', radius_secret: 's' })).data.id;
  const r = await get(`/api/v1/logs/router?router_id=${dead}`);
  expect(r.status).toBeGreaterThanOrEqual(500);
  expect(r.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
});

test('PPP authentication log from radpostauth; auto-suspensions from dunning', async () => {
  await t.db('radpostauth').insert([
    { username: 'alice', pass: '', reply: 'Access-Accept' },
    { username: 'mallory', pass: '', reply: 'Access-Reject' },
  ]);
  const r = await get('/api/v1/logs/ppp-auth');
  expect(r.body.data.slice(0, 2)).toEqual([
    expect.objectContaining({ username: 'mallory', result: 'rejected', reply: 'Access-Reject', created_at: expect.any(String) }),
    expect.objectContaining({ username: 'alice', result: 'accepted' }),
  ]);
  expect((await get('/api/v1/logs/ppp-auth?username=alice')).body.meta.total).toBe(1);

  const plan = (await t.call('add_plan', { name: 'P', download: '10M', upload: '1M' })).data.id;
  const c = (await t.call('add', { username: 'late', password: 'pw-1234', plan_id: plan })).data.id;
  await t.call('toggle_status', { id: c, status: 'suspended', reason: 'asked by the customer' });
  await t.call('toggle_status', { id: c, status: 'active' });
  // The reason dunning writes (services/billing/dunning.ts) is what marks an automatic suspension.
  await t.call('toggle_status', { id: c, status: 'suspended', reason: SUSPEND_REASON });
  const s = await get('/api/v1/logs/auto-suspension');
  expect(s.body).toEqual({ data: [expect.objectContaining({ customer_id: c, username: 'late', reason: SUSPEND_REASON, suspended_at: expect.any(String) })], meta: { current_page: 1, per_page: 20, total: 1, last_page: 1 } });
});

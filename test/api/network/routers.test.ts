import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';

let t: TestApp;
let fake: FakeRouterOS;
let deadPort: number;

beforeAll(async () => {
  fake = new FakeRouterOS({ users: { api: 'router-pass-1' } });
  await fake.listen();
  const dead = new FakeRouterOS();
  deadPort = await dead.listen();
  await dead.close();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '3000' } });
  await t.call('add_plan', { name: 'P', download: '10M', upload: '1M' });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

test('add_router seals the credentials, writes the nas row and never returns a secret', async () => {
  const body = await t.call('add_router', {
    ip: '127.0.0.1',
    name: 'core-1',
    user: 'api',
    pass: 'router-pass-1',
    port: String(fake.port),
    radius_secret: 'nas-secret-1',
  });
  expect(body).toMatchObject({
    ok: true,
    data: { id: expect.any(Number), name: 'core-1', ip: '127.0.0.1', radius_ip: '127.0.0.1', coa_port: 3799, mode: 'radius', tls: false },
  });
  const text = JSON.stringify(body);
  expect(text).not.toContain('router-pass-1');
  expect(text).not.toContain('nas-secret-1');
  const row = await t.db('routers').where({ id: body.data.id }).first();
  expect(row.api_password_enc).not.toContain('router-pass-1');
  expect(t.rt.secrets.decrypt(row.api_password_enc)).toBe('router-pass-1');
  expect(t.rt.secrets.decrypt(row.radius_secret_enc)).toBe('nas-secret-1');
  expect(await t.db('nas').where({ nasname: '127.0.0.1' })).toEqual([
    expect.objectContaining({ shortname: 'core-1', secret: 'nas-secret-1', type: 'other' }),
  ]);
  expect(t.logs.join('\n')).not.toContain('router-pass-1');
});

test.each([
  [{ ip: '300.1.1.1', name: 'r', user: 'u', pass: 'p', radius_secret: 's' }, 'invalid_ip'],
  [{ ip: '10.0.0.1', name: 'r', user: 'u', pass: 'p' }, 'missing_radius_secret'],
  [{ ip: '10.0.0.1', name: 'r', user: 'u', pass: 'p', radius_secret: 's', mode: 'snmp' }, 'invalid_mode'],
  [{ ip: '10.0.0.1', name: 'core-1', user: 'u', pass: 'p', radius_secret: 's' }, 'duplicate_router_name'],
  [{ ip: '10.0.0.1', name: 'r', user: 'u', pass: 'p', radius_secret: 's', radius_ip: '127.0.0.1' }, 'duplicate_radius_ip'],
])('add_router refuses %j with %s', async (fields, code) => {
  expect(await t.call('add_router', fields)).toMatchObject({ ok: false, error: code });
  expect(await t.db('routers').where({ name: 'r' }).first()).toBeUndefined();
});

test('edit_router moves the nas row with the RADIUS IP and updates the secret', async () => {
  const id = (await t.call('add_router', { ip: '10.9.9.9', name: 'edge', user: 'u', pass: 'p', radius_secret: 'old' })).data.id;
  const body = await t.call('edit_router', { id, radius_ip: '10.9.9.10', radius_secret: 'new-secret', coa_port: '1700' });
  expect(body).toMatchObject({ ok: true, data: { id, radius_ip: '10.9.9.10', coa_port: 1700 } });
  expect(await t.db('nas').where({ nasname: '10.9.9.9' })).toHaveLength(0);
  expect((await t.db('nas').where({ nasname: '10.9.9.10' }).first()).secret).toBe('new-secret');
  expect(await t.call('edit_router', { id: 4242, name: 'x' })).toMatchObject({ ok: false, error: 'router_not_found' });
  expect(await t.call('edit_router', { id, ip: 'not-an-ip' })).toMatchObject({ ok: false, error: 'invalid_ip' });
});

test('get_routers reports the status the probe job stored: online / offline / auth_failed, without logging in itself', async () => {
  await t.call('add_router', { ip: '127.0.0.1', name: 'dead', user: 'api', pass: 'x', port: String(deadPort), radius_ip: '127.0.0.3', radius_secret: 's' });
  await t.call('add_router', { ip: '127.0.0.1', name: 'wrongpass', user: 'api', pass: 'nope', port: String(fake.port), radius_ip: '127.0.0.4', radius_secret: 's' });
  // Before the first probe the status is not known; nothing logged in to find out.
  expect((await t.call('get_routers')).data.find((r: { name: string }) => r.name === 'dead')).toMatchObject({ status: 'unknown', checked_at: null });
  const n = Number((await t.db('routers').count({ n: '*' }))[0].n);
  const probe = await t.ctx().jobs.enqueue('monitoring.router_probe', null);
  const done = await t.ctx().jobs.wait(probe.id, 20_000);
  expect(done).toMatchObject({ state: 'completed', result: { probed: n }, progress: { done: n, total: n } });
  const logins = fake.commands('/login').length;
  const body = await t.call('get_routers', {}, { method: 'GET' });
  expect(fake.commands('/login').length).toBe(logins);
  const by = Object.fromEntries(body.data.map((r: { name: string }) => [r.name, r]));
  expect(by['core-1']).toMatchObject({ status: 'online', error: null, last_seen_at: expect.any(String), checked_at: expect.any(String) });
  expect(by.dead).toMatchObject({ status: 'offline', error: 'router_unreachable' });
  expect(by.wrongpass).toMatchObject({ status: 'auth_failed', error: 'router_login_failed' });
  expect(fake.commands('/login').length).toBeGreaterThanOrEqual(2);
});

test('list_routers_ui adds uptime, version, CPU and RAM from /system/resource', async () => {
  const body = await t.call('list_routers_ui', {}, { method: 'GET' });
  const core = body.data.find((r: { name: string }) => r.name === 'core-1');
  expect(core).toMatchObject({
    status: 'online',
    uptime: '1w2d3h',
    version: '7.16.2 (stable)',
    cpu_load_percent: 3,
    memory_total_bytes: 268435456,
    memory_used_bytes: 268435456 - 123456789,
    memory_used_percent: 54,
  });
  expect(fake.commands('/system/resource/print').length).toBeGreaterThanOrEqual(1);
  expect(body.data.find((r: { name: string }) => r.name === 'dead')).toMatchObject({ status: 'offline', uptime: null });
});

test('switch_router sets the active router for this key; add then defaults to it', async () => {
  expect(await t.call('switch_router', { id: 'nope' })).toMatchObject({ ok: false, error: 'router_not_found' });
  const sw = await t.call('switch_router', { router: 'core-1' });
  expect(sw).toMatchObject({ ok: true, data: { active_router: { name: 'core-1' } } });
  const routers = await t.call('get_routers');
  expect(routers.data.find((r: { name: string }) => r.name === 'core-1').active).toBe(true);
  const c = await t.call('add', { username: 'on-active', password: 'pw', plan: 'P' });
  expect(c).toMatchObject({ ok: true, data: { router: 'core-1' } });
});

test('delete_router removes its nas row and detaches its subscribers', async () => {
  const r = await t.db('routers').where({ name: 'core-1' }).first();
  const body = await t.call('delete_router', { id: r.id });
  expect(body).toMatchObject({ ok: true, data: { id: r.id, deleted: true, customers_detached: 1 } });
  expect(await t.db('nas').where({ nasname: '127.0.0.1' })).toHaveLength(0);
  expect((await t.db('customers').where({ username: 'on-active' }).first()).router_id).toBeNull();
  expect(await t.call('delete_router', { id: r.id })).toMatchObject({ ok: false, error: 'router_not_found' });
});

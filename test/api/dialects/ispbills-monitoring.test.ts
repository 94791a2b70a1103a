/**
 * ISPBills' network and monitoring endpoints over ispgate's own services: OLTs and ONUs (inventory nodes) and
 * Ubiquiti/Cambium radios with their status from a real snmpd (polled by the SNMP cycle), infrastructure checks and
 * the NOC board from the router liveness probe, access logs and hotspot sessions from the strict RouterOS fake.
 */
import dgram from 'node:dgram';
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';
import { SnmpLab, snmpdAvailable } from '../../fakes/snmpd-lab';
import { testIf } from '../../helpers/skip';
import { probeRouters } from '../../../src/services/monitoring/routers';

const HAVE_SNMPD = snmpdAvailable();
const NO_SNMPD = 'snmpd is not installed (apt-get install snmpd; .ci/run installs it)';

let t: TestApp;
let fake: FakeRouterOS;
let lab: SnmpLab | null = null;
let v1: string;
let v2: string;
let routerId: number;
let deadRouterId: number;
let deadPort: number;

const get = (path: string, token = v1) => request(t.app).get(path).set('Authorization', `Bearer ${token}`);

function expectError(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Object) } });
}

async function node(fields: Record<string, string>) {
  const r = await t.call('save_inventory_node', fields);
  expect(r).toMatchObject({ ok: true, data: { status: 'approved' } });
  return r.data.id as number;
}

beforeAll(async () => {
  fake = new FakeRouterOS({
    emptyReply: true,
    seed: {
      '/log': [
        { time: '09:00:00', topics: 'system,info,account', message: 'user admin logged in from 10.0.0.5 via winbox' },
        { time: '09:01:00', topics: 'pppoe,ppp,info', message: 'alice logged in' },
        { time: '09:30:00', topics: 'system,info,account', message: 'user admin logged out from 10.0.0.5 via winbox' },
      ],
      '/ip/hotspot/user': [
        { name: 'guest1', password: 'hs-secret-1', profile: 'default', server: 'hotspot1', 'limit-uptime': '1h' },
        { name: 'guest2', password: 'hs-secret-2', profile: 'vip', server: 'hotspot1', disabled: 'true' },
      ],
      '/ip/hotspot/active': [
        { server: 'hotspot1', user: 'guest1', address: '10.5.50.10', 'mac-address': 'AA:BB:CC:00:00:01', 'login-by': 'http-chap', uptime: '12m3s', 'bytes-in': '1200', 'bytes-out': '34000' },
      ],
    },
  });
  await fake.listen();
  if (HAVE_SNMPD) lab = await new SnmpLab('olt-community', [], [{ index: 1, name: 'gpon0/1', speedMbps: 2500, in: 10n, out: 20n }]).start();
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  deadPort = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '2000', ROUTER_OFFLINE_AFTER: '1', SNMP_TIMEOUT_MS: '600', SNMP_RETRIES: '0', SNMP_CONCURRENCY: '1' } });
  routerId = (await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'admin', pass: 'secret', port: String(fake.port), radius_secret: 's' })).data.id;
  deadRouterId = (await t.call('add_router', { ip: '127.0.0.2', name: 'edge-gone', user: 'admin', pass: 'secret', port: '1', radius_secret: 's' })).data.id;
  await t.db('admins').where({ is_primary: true }).update({ email: 'admin@example.com' });
  v1 = (await request(t.app).post('/api/auth/login').send({ email: 'admin@example.com', password: ADMIN_PASSWORD })).body.access_token;
  const c = await t.call('api_client_create', { name: 'noc screen', dialect: 'ispbills' });
  v2 = (await request(t.app).post('/api/v2/auth/token').send({ client_id: c.data.client_id, client_secret: c.data.client_secret })).body.access_token;
  expect(v1 && v2).toBeTruthy();
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  await lab?.stop();
});

describe('OLTs and ONUs', () => {
  let olt: number;
  let deadOlt: number;
  let onu: number;

  beforeAll(async () => {
    const snmp = (port: number) => ({ snmp_version: '2c', snmp_port: String(port), snmp_community: 'olt-community' });
    olt = await node({ name: 'OLT-Dhanmondi', ip: '127.0.0.1', type: 'olt', vendor: 'Huawei', model: 'MA5608T', ...snmp(lab?.port ?? deadPort) });
    deadOlt = await node({ name: 'OLT-Gulshan', ip: '127.0.0.3', type: 'olt', vendor: 'ZTE', ...snmp(deadPort) });
    onu = await node({ name: 'ONU Fatima', type: 'onu', mac: 'AA:BB:CC:DD:EE:FF', parent_id: String(olt), vendor: 'Huawei' });
    await node({ name: 'ONU other', type: 'onu', parent_id: String(deadOlt) });
    // The OLTs' SNMP settings became pollable devices; one cycle gives them a status.
    expect(await t.db('snmp_devices').where({ kind: 'inventory' }).count({ n: '*' })).toEqual([{ n: 2 }]);
    const cycle = await t.call('snmp_collect', {}, { method: 'GET' });
    expect(cycle).toMatchObject({ ok: true, data: { polled: 2 } });
  });

  testIf(HAVE_SNMPD, NO_SNMPD)('v1 /olts and v2 /network/olts list the OLTs with the status of their last SNMP poll', async () => {
    for (const [path, token] of [['/api/v1/olts', v1], ['/api/v2/network/olts', v2]] as const) {
      const r = await get(path, token);
      expect(r.status).toBe(200);
      expect(r.body.meta).toEqual({ current_page: 1, per_page: 20, total: 2, last_page: 1 });
      const [up, down] = r.body.data;
      expect(up).toMatchObject({ id: olt, name: 'OLT-Dhanmondi', type: 'olt', vendor: 'Huawei', model: 'MA5608T', status: 'online', monitored: true, last_seen: expect.any(String), error: null });
      expect(up.uptime).toEqual(expect.any(Number));
      expect(down).toMatchObject({ id: deadOlt, status: 'offline', monitored: true, last_seen: null, error: 'snmp_timeout' });
      expect(JSON.stringify(r.body)).not.toContain('olt-community');
    }
  });

  test('ONUs: all, or of one OLT; an olt_id that is not an OLT is a 404', async () => {
    const all = await get('/api/v2/network/onus', v2);
    expect(all.status).toBe(200);
    expect(all.body.meta.total).toBe(2);
    const mine = await get(`/api/v1/monitoring/onus?olt_id=${olt}`);
    expect(mine.body).toEqual({ data: [expect.objectContaining({ id: onu, name: 'ONU Fatima', type: 'onu', olt_id: olt, mac: 'AA:BB:CC:DD:EE:FF', status: 'unknown', monitored: false })], meta: { current_page: 1, per_page: 20, total: 1, last_page: 1 } });
    expectError(await get(`/api/v2/network/onus?olt_id=${onu}`, v2), 404, 'NOT_FOUND');
    expectError(await get('/api/v2/network/onus?olt_id=abc', v2), 422, 'VALIDATION_ERROR');
  });

  test('a node edited out of SNMP (or deleted) stops being polled', async () => {
    await t.call('save_inventory_node', { id: String(deadOlt), snmp_version: 'none' });
    expect(await t.db('snmp_devices').where({ kind: 'inventory', ref_id: deadOlt }).first()).toBeUndefined();
    const r = await get('/api/v1/olts');
    expect(r.body.data.find((x: { id: number }) => x.id === deadOlt)).toMatchObject({ status: 'unknown', monitored: false });
  });
});

describe('Ubiquiti and Cambium', () => {
  beforeAll(async () => {
    await node({ name: 'Sector North', ip: '10.20.0.2', type: 'ap', vendor: 'Ubiquiti Inc.', model: 'Rocket 5AC Prism' });
    await node({ name: 'PtP Tower', ip: '10.20.0.3', type: 'ap', vendor: 'UBNT' });
    await node({ name: 'ePMP sector', ip: '10.20.0.4', type: 'ap', vendor: 'Cambium Networks', model: 'ePMP 3000' });
    await node({ name: 'Mikrotik switch', ip: '10.20.0.5', type: 'switch', vendor: 'MikroTik' });
  });

  test('each lists its vendor\'s devices only (by inventory vendor), paginated to last_page', async () => {
    const u = await get('/api/v1/monitoring/ubiquiti?per_page=1');
    expect(u.status).toBe(200);
    expect(u.body.meta).toEqual({ current_page: 1, per_page: 1, total: 2, last_page: 2 });
    const u2 = await get('/api/v1/monitoring/ubiquiti?per_page=1&page=2');
    expect([u.body.data[0].name, u2.body.data[0].name].sort()).toEqual(['PtP Tower', 'Sector North']);
    expect(u.body.data[0]).toMatchObject({ status: 'unknown', monitored: false });
    const c = await get('/api/v1/monitoring/cambium');
    expect(c.body.data.map((x: { name: string }) => x.name)).toEqual(['ePMP sector']);
  });

  test('per_page above 100 is a 422 with details', async () => {
    const r = await get('/api/v1/monitoring/cambium?per_page=500');
    expectError(r, 422, 'VALIDATION_ERROR');
    expect(r.body.error.details.per_page).toEqual([expect.any(String)]);
  });
});

describe('status checks, device overview and the NOC board', () => {
  beforeAll(async () => {
    await probeRouters(t.ctx());
  });

  test('status-checks list the liveness probe of each router and each SNMP poll; status filters; a bad status is a 422', async () => {
    for (const [path, token] of [['/api/v1/monitoring/status-checks', v1], ['/api/v2/monitoring/status-checks', v2]] as const) {
      const r = await get(path, token);
      expect(r.status).toBe(200);
      const byId = new Map(r.body.data.map((c: { id: string }) => [c.id, c]));
      expect(byId.get(`router:${routerId}`)).toMatchObject({ check: 'router_liveness', target: 'core', status: 'up', checked_at: expect.any(String) });
      expect(byId.get(`router:${deadRouterId}`)).toMatchObject({ check: 'router_liveness', target: 'edge-gone', status: 'down', error: expect.any(String) });
      expect(r.body.data.some((c: { check: string; target_type: string }) => c.check === 'snmp' && c.target_type === 'olt')).toBe(true);
    }
    const down = await get('/api/v1/monitoring/status-checks?status=down');
    expect(down.body.data.every((c: { status: string }) => c.status === 'down')).toBe(true);
    expect(down.body.data.map((c: { id: string }) => c.id)).toContain(`router:${deadRouterId}`);
    expectError(await get('/api/v1/monitoring/status-checks?status=broken'), 422, 'VALIDATION_ERROR');
  });

  test('v2 /monitoring/devices counts devices by type and vendor, and routers', async () => {
    const r = await get('/api/v2/monitoring/devices', v2);
    expect(r.status).toBe(200);
    expect(r.body.data.routers).toEqual({ total: 2, up: 1, down: 1, unknown: 0 });
    expect(r.body.data.by_type.olt.total).toBe(2);
    expect(r.body.data.by_type.onu).toMatchObject({ total: 2, unknown: 2 });
    expect(r.body.data.by_vendor).toMatchObject({ ubiquiti: { total: 2 }, cambium: { total: 1 } });
    expect((await get('/api/v2/monitoring/devices', 'v2_not-a-token')).status).toBe(401);
  });

  test('NOC dashboard: routers up/down and the alerts behind them, worst first; Zabbix down does not hide the board', async () => {
    const r = await get('/api/v1/noc/dashboard');
    expect(r.status).toBe(200);
    expect(r.body.data.routers).toEqual({ total: 2, up: 1, down: 1, unknown: 0 });
    expect(r.body.data.zabbix).toBeNull();
    expect(r.body.data.alerts[0]).toMatchObject({ source: 'router', severity: 'high', target: 'edge-gone' });
    // A saved Zabbix source that does not answer: reported in `zabbix`, the rest still there.
    await t.db('topology_sources').insert({ source: 'zabbix', url: `http://127.0.0.1:${deadPort}/api_jsonrpc.php`, token_enc: t.rt.secrets.encrypt('tok'), verify_tls: false, poll_interval_s: 86400, created_at: new Date().toISOString().slice(0, 19).replace('T', ' '), updated_at: new Date().toISOString().slice(0, 19).replace('T', ' ') });
    try {
      const d = await get('/api/v1/noc/dashboard');
      expect(d.status).toBe(200);
      expect(d.body.data.zabbix).toMatchObject({ ok: false, error: 'source_unreachable' });
      expect(d.body.data.routers.down).toBe(1);
      // The Zabbix endpoints themselves fail loudly, in the envelope.
      const z = await get('/api/v1/monitoring/zabbix');
      expect(z.status).toBeGreaterThanOrEqual(500);
      expect(z.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await t.db('topology_sources').where({ source: 'zabbix' }).delete();
    }
  });
});

describe('access logs and hotspot', () => {
  test('access-logs are the router\'s account topic (logins to the device), newest first; an unknown router is a 404', async () => {
    const r = await get(`/api/v1/monitoring/access-logs?router_id=${routerId}`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((x: { message: string }) => x.message)).toEqual(['user admin logged out from 10.0.0.5 via winbox', 'user admin logged in from 10.0.0.5 via winbox']);
    expectError(await get('/api/v1/monitoring/access-logs?router_id=999'), 404, 'NOT_FOUND');
  });

  test('hotspot active sessions and users from the router; passwords never leave', async () => {
    const a = await get(`/api/v1/logs/hotspot?router_id=${routerId}`);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      data: [expect.objectContaining({ router_id: routerId, router: 'core', user: 'guest1', address: '10.5.50.10', mac: 'AA:BB:CC:00:00:01', login_by: 'http-chap', uptime: '12m3s', bytes_in: 1200, bytes_out: 34000 })],
      meta: { current_page: 1, per_page: 20, total: 1, last_page: 1 },
    });
    const u = await get(`/api/v1/logs/hotspot?router_id=${routerId}&type=users`);
    expect(u.body.data).toEqual([
      expect.objectContaining({ name: 'guest1', profile: 'default', limit_uptime: '1h', disabled: false, password_set: true }),
      expect.objectContaining({ name: 'guest2', profile: 'vip', disabled: true, password_set: true }),
    ]);
    expect(JSON.stringify(u.body)).not.toMatch(/hs-secret/);
    expect(fake.commands('/ip/hotspot/user/print').length).toBeGreaterThan(0);
  });

  test('all routers: the one that does not answer is named in X-Unreachable-Routers; one router that does not answer is a 5xx; a bad type a 422', async () => {
    const all = await get('/api/v1/logs/hotspot');
    expect(all.status).toBe(200);
    expect(all.body.meta.total).toBe(1);
    expect(all.headers['x-unreachable-routers']).toBe(String(deadRouterId));
    const dead = await get(`/api/v1/logs/hotspot?router_id=${deadRouterId}`);
    expect(dead.status).toBeGreaterThanOrEqual(500);
    expect(dead.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expectError(await get('/api/v1/logs/hotspot?type=everything'), 422, 'VALIDATION_ERROR');
  });
});

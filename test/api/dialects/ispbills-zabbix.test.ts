/**
 * ISPBills' Zabbix endpoints against a real Zabbix API (Debian's zabbix-frontend-php, started by .ci/run, which
 * exports ZABBIX_URL): hosts made through the Zabbix API are read back through /api/v1/monitoring/zabbix and
 * /api/v2/monitoring/zabbix/{hosts,problems}, over the Zabbix source saved for the topology.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';
import { describeIf } from '../../helpers/skip';
import { NO_ZABBIX, ZABBIX_URL, zabbixRpc as rpc, zabbixVersion } from '../../helpers/zabbix';

const version = zabbixVersion();

describeIf(version !== '', NO_ZABBIX)('ISPBills Zabbix endpoints over a real Zabbix', () => {
  let t: TestApp;
  let v2: string;
  let v1: string;
  let auth = '';
  let groupId = '';
  const hostIds: string[] = [];
  const tag = crypto.randomBytes(3).toString('hex');
  const get = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${path.startsWith('/api/v1/') ? v1 : v2}`);

  beforeAll(async () => {
    auth = await rpc('user.login', { username: 'Admin', password: 'zabbix' });
    [groupId] = (await rpc('hostgroup.create', { name: `ispbills-test-${tag}` }, auth)).groupids;
    const r = await rpc('host.create', { host: `isp-${tag}-olt`, name: `OLT ${tag}`, groups: [{ groupid: groupId }], interfaces: [{ type: 2, main: 1, useip: 1, ip: '10.98.0.1', dns: '', port: '161', details: { version: 2, bulk: 1, community: 'public' } }] }, auth);
    hostIds.push(r.hostids[0]);
    t = await makeTestApp({ env: { TOPOLOGY_TIMEOUT_MS: '10000' } });
    const c = await t.call('api_client_create', { name: 'zabbix screen', dialect: 'ispbills' });
    v2 = (await request(t.app).post('/api/v2/auth/token').send({ client_id: c.data.client_id, client_secret: c.data.client_secret })).body.access_token;
    await t.db('admins').where({ is_primary: true }).update({ email: 'noc@example.com' });
    v1 = (await request(t.app).post('/api/auth/login').send({ email: 'noc@example.com', password: ADMIN_PASSWORD })).body.access_token;
    expect(await t.call('save_topology_metrics_source', { source: 'zabbix', url: ZABBIX_URL, user: 'Admin', password: 'zabbix' })).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await t?.close();
    if (hostIds.length) await rpc('host.delete', hostIds, auth);
    if (groupId) await rpc('hostgroup.delete', [groupId], auth);
  });

  test('v2 zabbix/hosts pages through the hosts to last_page; ours is there with its address and group', async () => {
    const first = await get('/api/v2/monitoring/zabbix/hosts?per_page=1');
    expect(first.status).toBe(200);
    expect(first.body.meta).toMatchObject({ current_page: 1, per_page: 1, total: expect.any(Number) });
    expect(first.body.meta.last_page).toBe(first.body.meta.total);
    // Other suites may add hosts to the same Zabbix meanwhile: read by 100s, following last_page as it is answered.
    const all: any[] = [];
    for (let p = 1, last = 1; p <= last; p++) {
      const r = await get(`/api/v2/monitoring/zabbix/hosts?per_page=100&page=${p}`);
      last = r.body.meta.last_page;
      all.push(...r.body.data);
    }
    const ours = all.find((h) => h.host === `isp-${tag}-olt`);
    expect(ours).toEqual({ hostid: hostIds[0], host: `isp-${tag}-olt`, name: `OLT ${tag}`, enabled: true, availability: expect.stringMatching(/^(available|unavailable|unknown)$/), ip: '10.98.0.1', groups: [`ispbills-test-${tag}`], problems: expect.any(Number) });
  });

  test('v1 zabbix: hosts by availability and problems by severity; v2 problems page; a severity above 5 is a 422', async () => {
    const v1 = await get('/api/v1/monitoring/zabbix');
    expect(v1.status).toBe(200);
    expect(v1.body.data).toMatchObject({ version, hosts: { total: expect.any(Number) }, problems: { total: expect.any(Number), by_severity: expect.any(Object), newest: expect.any(Array) } });
    expect(v1.body.data.hosts.total).toBeGreaterThanOrEqual(1);
    const p = await get('/api/v2/monitoring/zabbix/problems?severity=4');
    expect(p.status).toBe(200);
    expect(p.body.meta).toMatchObject({ current_page: 1, per_page: 20 });
    for (const x of p.body.data) expect(x).toMatchObject({ eventid: expect.any(String), severity: expect.any(Number), started_at: expect.any(String), hosts: expect.any(Array) });
    expect(p.body.data.every((x: { severity: number }) => x.severity >= 4)).toBe(true);
    const bad = await get('/api/v2/monitoring/zabbix/problems?severity=9');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { severity: [expect.any(String)] } });
  });

  test('Zabbix refusing the saved credentials is a 502 in the envelope, naming why', async () => {
    await t.call('save_topology_metrics_source', { source: 'zabbix', url: ZABBIX_URL, user: 'Admin', password: `wrong-${tag}` });
    try {
      const r = await get('/api/v2/monitoring/zabbix/hosts');
      expect(r.status).toBe(502);
      expect(r.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/refused the credentials/) });
    } finally {
      await t.call('save_topology_metrics_source', { source: 'zabbix', url: ZABBIX_URL, user: 'Admin', password: 'zabbix' });
    }
  });
});

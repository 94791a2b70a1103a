import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';
import { FakeLibreNMS } from '../../fakes/librenms-server';
import { FakeObservium } from '../../fakes/observium-server';
import { monitoringJobs } from '../../../src/services/monitoring/tasks';

let t: TestApp;
let ros: FakeRouterOS;
let ln: FakeLibreNMS;
let obs: FakeObservium;
let routerId: number;
let dist1: number;

beforeAll(async () => {
  ros = new FakeRouterOS({
    users: { api: 'router-pass-1' },
    seed: {
      '/ip/neighbor': [
        // RouterOS v7 /ip/neighbor print: interface may list the bridge too.
        { interface: 'ether1,bridge1', address: '10.0.0.2', address4: '10.0.0.2', 'mac-address': 'AA:BB:CC:00:00:02', identity: 'dist-1', platform: 'MikroTik', version: '7.15 (stable)', board: 'CRS326', 'interface-name': 'sfp1', 'discovered-by': 'lldp,mndp', age: '30s' },
        { interface: 'ether5', address: '10.0.0.9', address4: '10.0.0.9', 'mac-address': 'AA:BB:CC:00:00:09', identity: 'cam-9', platform: '', 'interface-name': '', 'discovered-by': 'cdp', age: '12s' },
      ],
    },
  });
  await ros.listen();
  ln = new FakeLibreNMS('ln-token-1');
  ln.devices = [
    { device_id: 1, hostname: '127.0.0.1', sysName: 'core-1', ip: '127.0.0.1', os: 'routeros', status: 1 },
    { device_id: 2, hostname: 'dist-1.example.net', sysName: 'dist-1', ip: '10.0.0.2', os: 'routeros', status: 1 },
    { device_id: 3, hostname: 'ap-3.example.net', sysName: 'ap-3', ip: '10.0.0.3', os: 'airos', status: 0, lat: 37.98, lng: 23.72 },
  ];
  ln.ports = [
    { port_id: 100, device_id: 1, ifName: 'ether1', ifHighSpeed: 10000 },
    { port_id: 200, device_id: 2, ifName: 'sfp1', ifHighSpeed: 10000 },
    { port_id: 201, device_id: 2, ifName: 'ether2', ifHighSpeed: 1000 },
    { port_id: 300, device_id: 3, ifName: 'eth0', ifHighSpeed: 1000 },
  ];
  ln.links = [
    { id: 10, local_port_id: 100, local_device_id: 1, remote_port_id: 200, remote_device_id: 2, remote_hostname: 'dist-1', remote_port: 'sfp1', protocol: 'lldp' },
    { id: 11, local_port_id: 201, local_device_id: 2, remote_port_id: 300, remote_device_id: 3, remote_hostname: 'ap-3', remote_port: 'eth0', protocol: 'lldp' },
    { id: 12, local_port_id: 201, local_device_id: 2, remote_port_id: null, remote_device_id: 0, remote_hostname: 'phone-7', remote_port: 'port1', protocol: 'cdp' },
  ];
  await ln.listen();
  obs = new FakeObservium('observer', 'obs-pass-1');
  obs.devices = [
    { device_id: '277', hostname: 'sw-277.example.net', sysName: 'sw-277', ip: '10.0.0.77', os: 'ios', status: '1' },
    { device_id: '278', hostname: 'sw-278.example.net', sysName: 'sw-278', ip: '10.0.0.78', os: 'ios', status: '0' },
  ];
  obs.ports = [
    { port_id: '5', device_id: '277', ifName: 'Gi0/1', ifSpeed: '1000000000' },
    { port_id: '6', device_id: '278', ifName: 'Gi0/2', ifSpeed: '1000000000' },
  ];
  obs.neighbours = [{ neighbour_id: '1', port_id: '5', remote_port_id: '6', remote_hostname: 'sw-278', remote_port: 'Gi0/2', protocol: 'cdp', active: '1' }];
  await obs.listen();
  t = await makeTestApp({ env: { TOPOLOGY_TIMEOUT_MS: '2000', ROUTER_TIMEOUT_MS: '2000' } });
  [dist1] = await t.db('inventory_nodes').insert({ name: 'Distribution 1', ip: '10.0.0.2', type: 'switch', status: 'approved', created_at: '2026-11-01 00:00:00', updated_at: '2026-11-01 00:00:00' });
  dist1 = Number(dist1);
  const r = await t.call('add_router', { ip: '127.0.0.1', name: 'core-1', user: 'api', pass: 'router-pass-1', port: String(ros.port), radius_secret: 's', mode: 'api' });
  routerId = r.data.id;
});
afterAll(async () => {
  await t.close();
  await Promise.all([ros.close(), ln.close(), obs.close()]);
});

describe('save_topology_metrics_source', () => {
  test('test=1 checks LibreNMS before saving and answers its version and device count; the token is sealed', async () => {
    const body = await t.call('save_topology_metrics_source', { source: 'librenms', url: ln.url, token: 'ln-token-1', test: '1', poll_interval: '600' });
    expect(body).toEqual({
      ok: true,
      data: expect.objectContaining({ source: 'librenms', url: ln.url, token_set: true, verify_tls: true, poll_interval: 600, test: { ok: true, version: '24.10.0', device_count: 3 } }),
    });
    expect(JSON.stringify(body)).not.toContain('ln-token-1');
    const row = await t.db('topology_sources').where({ source: 'librenms' }).first();
    expect(t.rt.secrets.decrypt(row.token_enc)).toBe('ln-token-1');
    expect(ln.requests.every((r) => r.token === 'ln-token-1')).toBe(true);
  });

  test('a wrong token or an unreachable URL is a clear error and saves nothing', async () => {
    expect(await t.call('save_topology_metrics_source', { source: 'librenms', url: ln.url, token: 'wrong', test: '1' })).toMatchObject({ ok: false, error: 'source_auth_failed' });
    const row = await t.db('topology_sources').where({ source: 'librenms' }).first();
    expect(t.rt.secrets.decrypt(row.token_enc)).toBe('ln-token-1');
    expect(await t.call('save_topology_metrics_source', { source: 'observium', url: 'http://127.0.0.1:9/', user: 'a', password: 'b', test: '1' })).toMatchObject({ ok: false, error: 'source_unreachable' });
    expect(await t.call('save_topology_metrics_source', { source: 'observium', url: obs.url, user: 'observer', password: 'nope', test: '1' })).toMatchObject({ ok: false, error: 'source_auth_failed' });
    expect(await t.db('topology_sources').where({ source: 'observium' })).toHaveLength(0);
  });

  test.each([
    [{ source: 'nagios', url: 'http://x' }, 'invalid_source'],
    [{}, 'missing_source'],
    [{ source: 'zabbix', token: 't' }, 'missing_url'],
    [{ source: 'observium', url: 'http://x' }, 'missing_token'],
    [{ source: 'zabbix', url: 'ftp://x', token: 't' }, 'invalid_url'],
    [{ source: 'zabbix', url: 'http://x', token: 't', poll_interval: '5' }, 'invalid_poll_interval'],
    [{ source: 'zabbix', url: 'http://x', token: 'x'.repeat(600) }, 'invalid_token'],
  ])('refuses %j with %s', async (fields, code) => {
    expect(await t.call('save_topology_metrics_source', fields as Record<string, string>)).toMatchObject({ ok: false, error: code });
  });
});

describe('get_topology', () => {
  test('merges LibreNMS and MikroTik neighbours with the routers and the inventory; unknown devices become pending inventory nodes', async () => {
    expect((await t.call('save_topology_metrics_source', { source: 'mikrotik', test: '1' })).data.test).toMatchObject({ ok: true, routers: 1, routers_reachable: 1 });
    const body = await t.call('get_topology', {}, { method: 'GET' });
    expect(body.ok).toBe(true);
    const nodes = new Map(body.data.nodes.map((n: { id: string }) => [n.id, n]));
    expect(nodes.get(`router:${routerId}`)).toMatchObject({ label: 'core-1', type: 'router', ip: '127.0.0.1', pending: false, sources: expect.arrayContaining(['routers', 'librenms', 'mikrotik']) });
    expect(nodes.get(`inventory:${dist1}`)).toMatchObject({ label: 'Distribution 1', ip: '10.0.0.2', mac: 'AA:BB:CC:00:00:02', status: 'up', pending: false, sources: expect.arrayContaining(['inventory', 'librenms', 'mikrotik']) });
    expect(nodes.get('librenms:3')).toMatchObject({ label: 'ap-3', ip: '10.0.0.3', status: 'down', pending: true, x: 23.72, y: 37.98 });
    expect(nodes.get('librenms:name:phone-7')).toMatchObject({ label: 'phone-7', status: 'unknown', pending: true });
    expect([...nodes.values()].find((n: any) => n.label === 'cam-9')).toMatchObject({ ip: '10.0.0.9', mac: 'AA:BB:CC:00:00:09', pending: true, sources: ['mikrotik'] });

    const link = (a: string, b: string) => body.data.links.filter((l: any) => (l.source === a && l.target === b) || (l.source === b && l.target === a));
    // core-1 ether1 ↔ dist-1 sfp1 is seen by LibreNMS and by the router's LLDP: drawn once.
    expect(link(`router:${routerId}`, `inventory:${dist1}`)).toEqual([
      { id: expect.any(String), source: `router:${routerId}`, target: `inventory:${dist1}`, source_interface: 'ether1', target_interface: 'sfp1', speed_bps: 10_000_000_000, protocol: 'lldp', origin: 'librenms' },
    ]);
    expect(link(`inventory:${dist1}`, 'librenms:3')).toEqual([expect.objectContaining({ source_interface: 'ether2', target_interface: 'eth0', speed_bps: 1_000_000_000 })]);
    expect(link(`inventory:${dist1}`, 'librenms:name:phone-7')).toHaveLength(1);
    expect(body.data.sources).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'librenms', ok: true, devices: 3, links: 3, version: '24.10.0' }), expect.objectContaining({ source: 'mikrotik', ok: true })]));

    const pending = await t.db('inventory_nodes').where({ status: 'pending' }).orderBy('ip');
    expect(pending.map((p) => [p.name, p.ip, p.source])).toEqual([
      ['ap-3', '10.0.0.3', 'librenms'],
      ['cam-9', '10.0.0.9', 'mikrotik'],
    ]);
    expect(await t.db('inventory_nodes').where({ status: 'approved' })).toHaveLength(1);
    // A second look records nothing twice.
    expect((await t.call('get_topology', {})).data.discovered).toMatchObject({ pending_created: 0 });
    expect(await t.db('inventory_nodes')).toHaveLength(3);
  });

  test('Observium devices and neighbours; a source that fails is reported and the others still draw', async () => {
    await t.call('save_topology_metrics_source', { source: 'observium', url: obs.url, user: 'observer', password: 'obs-pass-1', test: '1' });
    const only = await t.call('get_topology', { source: 'observium' });
    const ids = only.data.nodes.map((n: { id: string }) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['observium:277', 'observium:278']));
    expect(only.data.links).toEqual([expect.objectContaining({ source: 'observium:277', target: 'observium:278', source_interface: 'Gi0/1', target_interface: 'Gi0/2', speed_bps: 1_000_000_000, protocol: 'cdp' })]);
    expect(only.data.nodes.find((n: { id: string }) => n.id === 'observium:278')).toMatchObject({ status: 'down' });

    await ln.close();
    const body = await t.call('get_topology', {});
    expect(body.data.sources).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'librenms', ok: false, error: 'source_unreachable' }), expect.objectContaining({ source: 'observium', ok: true })]));
    expect(body.data.nodes.map((n: { id: string }) => n.id)).toEqual(expect.arrayContaining([`router:${routerId}`, 'observium:277']));
    expect((await t.db('topology_sources').where({ source: 'librenms' }).first()).last_error).toBe('source_unreachable');
  });

  test('the scheduled discovery reads a source once its poll interval has passed, and records new devices as pending', async () => {
    obs.devices.push({ device_id: '279', hostname: 'sw-279.example.net', sysName: 'sw-279', ip: '10.0.0.79', os: 'ios', status: '1' });
    const job = monitoringJobs.find((j) => j.name === 'monitoring.topology')!;
    // Just polled by the test above: not due yet.
    expect(await job.run(t.ctx())).toEqual({ polled: [] });
    expect(await t.db('inventory_nodes').where({ ip: '10.0.0.79' })).toHaveLength(0);
    await t.db('topology_sources').where({ source: 'observium' }).update({ last_poll_at: '2026-01-01 00:00:00' });
    const r = (await job.run(t.ctx())) as { polled: Array<Record<string, unknown>> };
    expect(r.polled).toEqual([expect.objectContaining({ source: 'observium', ok: true, devices: 3 })]);
    expect(await t.db('inventory_nodes').where({ ip: '10.0.0.79', status: 'pending', source: 'observium' })).toHaveLength(1);
  });

  test('get_topology refuses a source it does not know or that is not saved', async () => {
    expect(await t.call('get_topology', { source: 'nagios' })).toMatchObject({ ok: false, error: 'invalid_source' });
    expect(await t.call('get_topology', { source: 'zabbix' })).toMatchObject({ ok: false, error: 'source_not_configured' });
    const list = await t.call('get_topology_metrics_sources', {}, { method: 'GET' });
    expect(list.data.map((s: { source: string }) => s.source)).toEqual(['librenms', 'mikrotik', 'observium']);
    expect(JSON.stringify(list)).not.toMatch(/obs-pass-1|ln-token-1/);
  });

  test('a key that may read the topology but not configure it: sources and map yes, saving a source no', async () => {
    const admin = await t.call('add_web_admin', { username: 'mapviewer', password: 'mapviewer-password-1', role: 'operator', 'permissions[topology]': 'read' });
    expect(admin.ok).toBe(true);
    const key = (await t.call('api_key_create', { name: 'map-key', admin: 'mapviewer' })).data.key;
    expect(await t.call('get_topology_metrics_sources', {}, { method: 'GET', key })).toMatchObject({ ok: true });
    const before = await t.db('topology_sources').orderBy('id');
    expect(await t.call('save_topology_metrics_source', { source: 'zabbix', url: 'http://127.0.0.1:9/api_jsonrpc.php', token: 'x' }, { key })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await t.db('topology_sources').orderBy('id')).toEqual(before);
    // Without topology.read the saved sources are not listed at all.
    await t.call('add_web_admin', { username: 'snmpviewer', password: 'snmpviewer-password-1', role: 'operator', 'permissions[monitoring]': 'read' });
    const other = (await t.call('api_key_create', { name: 'snmp-key', admin: 'snmpviewer' })).data.key;
    expect(await t.call('get_topology_metrics_sources', {}, { method: 'GET', key: other })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await t.call('get_topology', {}, { method: 'GET', key: other })).toMatchObject({ ok: false, error: 'forbidden' });
  });
});

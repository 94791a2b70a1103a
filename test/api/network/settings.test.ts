/**
 * Network Settings: revisions, validation, and the apply diff against the strict RouterOS fake.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';

let t: TestApp;
let fake: FakeRouterOS;
let routerId: number;
let radiusRouterId: number;

const writes = () => fake.log.filter((w) => /\/(add|set|remove)$/.test(w[0]));

const baseSettings = () => ({
  'pools[0][name]': 'pppoe-main',
  'pools[0][ranges]': '10.50.0.10-10.50.0.200',
  'pools[0][cidr]': '10.50.0.0/24',
  'pools[0][gateway]': '10.50.0.1',
  'pools[0][dns]': '1.1.1.1,8.8.8.8',
  'pools[0][type]': 'pppoe',
  'pools[1][name]': 'pd-v6',
  'pools[1][ranges]': '2001:db8:100::/40',
  'pools[1][prefix_length]': '56',
  'pools[1][type]': 'pppoe',
  'vlans[0][vlan_id]': '100',
  'vlans[0][name]': 'vlan100-customers',
  'vlans[0][interface]': 'ether2',
  'ospf[router_id]': '10.255.255.1',
  'ospf[areas][0][name]': 'backbone',
  'ospf[areas][0][area_id]': '0.0.0.0',
  'ospf[networks][0][network]': '10.50.0.0/24',
  'ospf[networks][0][area]': 'backbone',
  'vpls[0][name]': 'vpls-site-b',
  'vpls[0][peer]': '10.255.255.2',
  'vpls[0][vpls_id]': '65000:100',
  'routes[0][dst]': '192.168.77.0/24',
  'routes[0][gateway]': '10.50.0.254',
  'routes[0][distance]': '5',
});

beforeAll(async () => {
  fake = new FakeRouterOS({
    seed: {
      // The operator's own pool: never touched by an apply.
      '/ip/pool': [{ name: 'hotspot-own', ranges: '172.16.0.2-172.16.0.254' }],
      '/ip/route': [{ 'dst-address': '0.0.0.0/0', gateway: '192.0.2.1', distance: '1' }],
    },
  });
  await fake.listen();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '3000' } });
  routerId = (await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'admin', pass: 'secret', port: String(fake.port), radius_secret: 's', mode: 'api' })).data.id;
  radiusRouterId = (await t.call('add_router', { ip: '127.0.0.2', name: 'edge', user: 'admin', pass: 'x', radius_secret: 's2' })).data.id;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('save / get / revisions', () => {
  test('get_network_settings before any save is revision 0 and empty', async () => {
    const body = await t.call('get_network_settings', {});
    expect(body).toMatchObject({ ok: true, data: { revision: 0, pools: [], vlans: [], ospf: null } });
  });

  test('save stores a revision with normalised values; get returns it', async () => {
    const body = await t.call('save_network_settings', baseSettings());
    expect(body).toMatchObject({ ok: true, data: { revision: 1, changed: true } });
    expect(body.data.pools).toEqual([
      expect.objectContaining({ name: 'pppoe-main', family: 4, ranges: '10.50.0.10-10.50.0.200', gateway: '10.50.0.1', dns: ['1.1.1.1', '8.8.8.8'] }),
      expect.objectContaining({ name: 'pd-v6', family: 6, ranges: '2001:db8:100::/40', prefix_length: 56 }),
    ]);
    expect(body.data.ospf).toEqual({ router_id: '10.255.255.1', areas: [{ name: 'backbone', area_id: '0.0.0.0' }], networks: [{ network: '10.50.0.0/24', area: 'backbone' }], redistribute: [] });
    const rows = await t.db('network_settings_revisions');
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].settings).vlans).toEqual([{ vlan_id: 100, name: 'vlan100-customers', interface: 'ether2', router: null }]);
    const got = await t.call('get_network_settings', {});
    expect(got.data).toMatchObject({ revision: 1, vpls: [{ name: 'vpls-site-b', peer: '10.255.255.2', vpls_id: '65000:100', bridge: null }] });
  });

  test('a second save makes revision 2; revision=1 shows and restores the first', async () => {
    const second = await t.call('save_network_settings', { ...baseSettings(), 'routes[0][distance]': '9' });
    expect(second.data.revision).toBe(2);
    const list = await t.call('list_network_revisions', {});
    expect(list).toMatchObject({ ok: true, meta: { total: 2 } });
    expect(list.data.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
    const old = await t.call('get_network_settings', { revision: '1' });
    expect(old.data.routes).toEqual([{ dst: '192.168.77.0/24', gateway: '10.50.0.254', distance: 5 }]);
    const restored = await t.call('save_network_settings', { revision: '1' });
    expect(restored.data).toMatchObject({ revision: 3, restored_from: 1, routes: [{ distance: 5 }] });
    expect(await t.db('network_settings_revisions')).toHaveLength(3);
  });

  test('bad input: an unknown revision, a malformed one, a page too large', async () => {
    expect(await t.call('get_network_settings', { revision: '99' })).toMatchObject({ ok: false, error: 'revision_not_found' });
    expect(await t.call('get_network_settings', { revision: 'x' })).toMatchObject({ ok: false, error: 'invalid_revision' });
    expect(await t.call('save_network_settings', { revision: '1', 'routes[0][dst]': '10.0.0.0/8' })).toMatchObject({ ok: false, error: 'conflicting_input' });
    expect(await t.call('list_network_revisions', { per_page: '1000' })).toMatchObject({ ok: false, error: 'invalid_per_page' });
  });
});

describe('validation', () => {
  const bad = async (input: Record<string, string>, error: string, field: string) => {
    const before = await t.db('network_settings_revisions').count({ n: '*' });
    const body = await t.call('save_network_settings', input);
    expect(body).toMatchObject({ ok: false, error });
    expect(Object.keys(body.details ?? {})).toContain(field);
    expect(await t.db('network_settings_revisions').count({ n: '*' })).toEqual(before);
    return body;
  };

  test('overlapping pools name both', async () => {
    const body = await bad(
      { 'pools[0][name]': 'a', 'pools[0][ranges]': '10.0.0.0/24', 'pools[1][name]': 'b', 'pools[1][ranges]': '10.0.0.100-10.0.1.5' },
      'pool_overlap',
      'pools.1.ranges',
    );
    expect(body.message).toContain('"a"');
    expect(body.message).toContain('"b"');
  });
  test('ranges outside the CIDR', () =>
    bad({ 'pools[0][name]': 'a', 'pools[0][ranges]': '10.0.0.10-10.0.1.10', 'pools[0][cidr]': '10.0.0.0/24' }, 'range_outside_cidr', 'pools.0.ranges'));
  test('a gateway inside a pool', () =>
    bad({ 'pools[0][name]': 'a', 'pools[0][ranges]': '10.0.0.0/24', 'pools[0][gateway]': '10.0.0.1' }, 'gateway_in_pool', 'pools.0.gateway'));
  test('duplicate pool names', () =>
    bad({ 'pools[0][name]': 'a', 'pools[0][ranges]': '10.0.0.0/25', 'pools[1][name]': 'a', 'pools[1][ranges]': '10.0.1.0/25' }, 'duplicate_pool_name', 'pools.1.name'));
  test('a VLAN id out of range', () => bad({ 'vlans[0][vlan_id]': '4095', 'vlans[0][name]': 'v', 'vlans[0][interface]': 'ether1' }, 'invalid_vlan_id', 'vlans.0.vlan_id'));
  test('a malformed OSPF router id', () => bad({ 'ospf[router_id]': '10.0.0' }, 'invalid_router_id', 'ospf.router_id'));
  test('a malformed VPLS id', () => bad({ 'vpls[0][name]': 'x', 'vpls[0][peer]': '10.0.0.2', 'vpls[0][vpls_id]': '65000-1' }, 'invalid_vpls_id', 'vpls.0.vpls_id'));
  test('several problems at once are all in details', async () => {
    const body = await bad({ 'vlans[0][vlan_id]': '0', 'vlans[0][name]': 'v', 'vlans[0][interface]': 'e', 'ospf[router_id]': 'x' }, 'invalid_vlan_id', 'vlans.0.vlan_id');
    expect(Object.keys(body.details)).toEqual(['vlans.0.vlan_id', 'ospf.router_id']);
  });
});

describe('apply to a router', () => {
  beforeAll(async () => {
    const body = await t.call('save_network_settings', baseSettings());
    expect(body.ok).toBe(true);
  });

  test('dry_run plans the commands and sends none', async () => {
    fake.log.length = 0;
    const body = await t.call('save_network_settings', { dry_run: '1', 'routers[]': String(routerId) });
    expect(body).toMatchObject({ ok: true, data: { dry_run: true, routers: [{ router_id: routerId, status: 'planned' }] } });
    const cmds: string[][] = body.data.routers[0].commands;
    expect(cmds.map((c) => c[0])).toEqual([
      '/ip/pool/add',
      '/ipv6/pool/add',
      '/interface/vlan/add',
      '/routing/ospf/instance/add',
      '/routing/ospf/area/add',
      '/routing/ospf/interface-template/add',
      '/interface/vpls/add',
      '/ip/route/add',
    ]);
    expect(cmds[0]).toEqual(['/ip/pool/add', '=name=pppoe-main', '=ranges=10.50.0.10-10.50.0.200', '=comment=ispgate:pool:pppoe-main']);
    expect(writes()).toHaveLength(0);
  });

  test('apply adds everything, marked, next to the operator\'s own entries', async () => {
    const body = await t.call('save_network_settings', { apply: '1', 'routers[]': String(routerId) });
    expect(body).toMatchObject({ ok: true, data: { routers: [{ router_id: routerId, status: 'applied' }] } });
    expect(fake.rows('/ip/pool').map((r) => [r.name, r.comment])).toEqual([
      ['hotspot-own', undefined],
      ['pppoe-main', 'ispgate:pool:pppoe-main'],
    ]);
    expect(fake.rows('/ipv6/pool')).toEqual([expect.objectContaining({ name: 'pd-v6', prefix: '2001:db8:100::/40', 'prefix-length': '56' })]);
    expect(fake.rows('/interface/vlan')).toEqual([expect.objectContaining({ name: 'vlan100-customers', 'vlan-id': '100', interface: 'ether2' })]);
    expect(fake.rows('/routing/ospf/instance')).toEqual([expect.objectContaining({ name: 'ispgate', 'router-id': '10.255.255.1' })]);
    expect(fake.rows('/routing/ospf/area')).toEqual([expect.objectContaining({ name: 'backbone', 'area-id': '0.0.0.0', instance: 'ispgate' })]);
    expect(fake.rows('/routing/ospf/interface-template')).toEqual([expect.objectContaining({ area: 'backbone', networks: '10.50.0.0/24' })]);
    expect(fake.rows('/interface/vpls')).toEqual([expect.objectContaining({ name: 'vpls-site-b', peer: '10.255.255.2', 'vpls-id': '65000:100' })]);
    expect(fake.rows('/ip/route')).toHaveLength(2);
  });

  test('re-applying unchanged settings sends zero commands', async () => {
    fake.log.length = 0;
    const body = await t.call('save_network_settings', { apply: '1', 'routers[]': String(routerId) });
    expect(body.data).toMatchObject({ changed: false, routers: [{ status: 'unchanged', commands: [] }] });
    expect(writes()).toHaveLength(0);
  });

  test('a changed value is set in place; an entry ispgate made and no longer wants is removed; the operator\'s stay', async () => {
    fake.log.length = 0;
    const s = baseSettings() as Record<string, string>;
    s['routes[0][distance]'] = '7';
    for (const k of Object.keys(s)) if (k.startsWith('vpls')) delete s[k];
    const body = await t.call('save_network_settings', { ...s, 'vpls': '', apply: '1', 'routers[]': String(routerId) });
    expect(body).toMatchObject({ ok: true, data: { routers: [{ status: 'applied' }] } });
    expect(writes().map((w) => w[0])).toEqual(['/interface/vpls/remove', '/ip/route/set']);
    expect(fake.rows('/interface/vpls')).toHaveLength(0);
    expect(fake.rows('/ip/route').find((r) => r.comment?.startsWith('ispgate:'))).toMatchObject({ distance: '7' });
    expect(fake.rows('/ip/route').find((r) => r.gateway === '192.0.2.1')).toMatchObject({ distance: '1', 'dst-address': '0.0.0.0/0' });
    expect(fake.rows('/ip/pool').map((r) => r.name)).toContain('hotspot-own');
  });

  test('a router that refuses half-way is rolled back to what it had, with its !trap message', async () => {
    const snapshot = (m: string) => JSON.stringify(fake.rows(m));
    const menus = ['/ip/pool', '/ipv6/pool', '/interface/vlan', '/ip/route', '/interface/vpls'];
    const before = menus.map(snapshot);
    const s = baseSettings() as Record<string, string>;
    s['pools[0][ranges]'] = '10.50.0.20-10.50.0.210';
    s['vlans[1][vlan_id]'] = '200';
    s['vlans[1][name]'] = 'vlan200';
    s['vlans[1][interface]'] = 'ether3';
    fake.faults.push({ match: (w) => w[0] === '/interface/vpls/add', kind: 'trap', message: 'failure: bad peer', once: true });
    const body = await t.call('save_network_settings', { ...s, apply: '1', 'routers[]': String(routerId) });
    expect(body).toMatchObject({ ok: true, data: { routers: [{ status: 'rolled_back', router_message: 'failure: bad peer' }] } });
    expect(menus.map(snapshot)).toEqual(before.map((b, i) => (menus[i] === '/ip/pool' ? expect.any(String) : b)));
    expect(fake.rows('/ip/pool').find((r) => r.name === 'pppoe-main')).toMatchObject({ ranges: '10.50.0.10-10.50.0.200' });
    expect(fake.rows('/interface/vlan').map((r) => r.name)).toEqual(['vlan100-customers']);
    expect(fake.rows('/interface/vpls')).toHaveLength(0);
  });

  test('entries removed before the failure are put back as they were', async () => {
    const s = baseSettings() as Record<string, string>;
    for (const k of Object.keys(s)) if (k.startsWith('pools[1]') || k.startsWith('vlans')) delete s[k];
    s.vlans = '';
    fake.faults.push({ match: (w) => w[0] === '/ip/route/set' || w[0] === '/ip/route/add', kind: 'trap', message: 'failure: gateway unreachable', once: true });
    const before = { v6: fake.rows('/ipv6/pool').map(({ '.id': _id, ...r }) => r), vlan: fake.rows('/interface/vlan').map(({ '.id': _id, ...r }) => r) };
    const body = await t.call('save_network_settings', { ...s, 'routes[0][distance]': '8', apply: '1', 'routers[]': String(routerId) });
    expect(body.data.routers[0]).toMatchObject({ status: 'rolled_back', router_message: 'failure: gateway unreachable' });
    expect(body.data.routers[0].commands.map((c: string[]) => c[0])).toEqual(['/interface/vlan/remove', '/ipv6/pool/remove', '/interface/vpls/add']);
    expect(body.data.routers[0].failed_command).toEqual([`/ip/route/set`, expect.stringMatching(/^=\.id=/), '=distance=8']);
    expect(fake.rows('/interface/vpls')).toHaveLength(0);
    expect(fake.rows('/ipv6/pool').map(({ '.id': _id, ...r }) => r)).toEqual(before.v6);
    expect(fake.rows('/interface/vlan').map(({ '.id': _id, ...r }) => r)).toEqual(before.vlan);
    expect(fake.rows('/ip/route').find((r) => r.comment?.startsWith('ispgate:'))).toMatchObject({ distance: '7' });
  });

  test('a router that drops the connection half-way is cleaned up over a new connection: unreachable', async () => {
    const s = baseSettings() as Record<string, string>;
    s['vlans[1][vlan_id]'] = '300';
    s['vlans[1][name]'] = 'vlan300';
    s['vlans[1][interface]'] = 'ether3';
    fake.faults.push({ match: (w) => w[0] === '/routing/ospf/area/print', kind: 'drop', once: true });
    let body = await t.call('save_network_settings', { ...s, apply: '1', 'routers[]': String(routerId) });
    expect(body.data.routers[0]).toMatchObject({ status: 'unreachable', error: 'router_unreachable' });
    fake.faults.push({ match: (w) => /^\/ip\/route\/(add|set)$/.test(w[0]), kind: 'drop', once: true });
    body = await t.call('save_network_settings', { ...s, apply: '1', 'routers[]': String(routerId) });
    expect(body.data.routers[0]).toMatchObject({ status: 'unreachable' });
    expect(fake.rows('/interface/vlan').map((r) => r.name)).toEqual(['vlan100-customers']);
  });

  test('the operator\'s own pool of the same name makes RouterOS refuse; nothing is left behind', async () => {
    const own = new FakeRouterOS({ seed: { '/ip/pool': [{ name: 'pppoe-main', ranges: '192.168.0.2-192.168.0.9' }] } });
    await own.listen();
    try {
      const id = (await t.call('add_router', { ip: '127.0.0.1', name: 'own', user: 'admin', pass: 'secret', port: String(own.port), radius_ip: '127.0.0.9', radius_secret: 's', mode: 'api' })).data.id;
      const body = await t.call('save_network_settings', { apply: '1', 'routers[]': String(id) });
      expect(body.data.routers[0]).toMatchObject({ status: 'rolled_back', router_message: 'failure: already have such name' });
      expect(own.rows('/ip/pool')).toEqual([expect.objectContaining({ name: 'pppoe-main', ranges: '192.168.0.2-192.168.0.9' })]);
      expect(own.rows('/ipv6/pool')).toHaveLength(0);
      await t.call('delete_router', { id, force: '1' });
    } finally {
      await own.close();
    }
  });

  test('a pool or VLAN bound to another router is not pushed to this one', async () => {
    const body = await t.call('save_network_settings', {
      ...baseSettings(),
      'pools[2][name]': 'edge-only',
      'pools[2][ranges]': '10.80.0.0/24',
      'pools[2][routers][]': String(radiusRouterId),
      'vlans[1][vlan_id]': '900',
      'vlans[1][name]': 'edge-vlan',
      'vlans[1][interface]': 'ether9',
      'vlans[1][router]': String(radiusRouterId),
      dry_run: '1',
      'routers[]': String(routerId),
    });
    expect(body.data.settings.pools[2]).toMatchObject({ name: 'edge-only', routers: [radiusRouterId] });
    const words = (body.data.routers[0].commands as string[][]).flat();
    expect(words.some((w) => w.includes('edge-only') || w.includes('edge-vlan'))).toBe(false);
    expect(await t.call('save_network_settings', { 'pools[0][name]': 'x', 'pools[0][ranges]': '10.1.0.0/24', 'pools[0][routers][]': '999' })).toMatchObject({ ok: false, error: 'router_not_found' });
  });

  test('async=1 answers a job_id; job_status carries progress and the per-router result', async () => {
    const body = await t.call('save_network_settings', { dry_run: '1', async: '1', 'routers[]': String(routerId) });
    expect(body).toMatchObject({ ok: true, data: { job_id: expect.any(String), routers: null } });
    const done = await t.ctx().jobs.wait(body.data.job_id, 20_000);
    expect(done).toMatchObject({ state: 'completed', progress: { done: 1, total: 1 } });
    const status = await t.call('job_status', { id: body.data.job_id });
    expect(status).toMatchObject({ ok: true, data: { state: 'completed', result: { dry_run: true, routers: [{ router_id: routerId, status: 'planned' }] } } });
  });

  test('bad input: a radius-mode router, an unknown router, no routers', async () => {
    const revisions = (await t.db('network_settings_revisions')).length;
    expect(await t.call('save_network_settings', { ...baseSettings(), 'routes[0][distance]': '42', apply: '1', 'routers[]': '999' })).toMatchObject({ ok: false, error: 'router_not_found' });
    expect(await t.db('network_settings_revisions')).toHaveLength(revisions);
    expect(await t.call('save_network_settings', { apply: '1', 'routers[]': String(radiusRouterId) })).toMatchObject({ ok: false, error: 'router_not_api_mode' });
    expect(await t.call('save_network_settings', { apply: '1', 'routers[]': '999' })).toMatchObject({ ok: false, error: 'router_not_found' });
    expect(await t.call('save_network_settings', { dry_run: '1' })).toMatchObject({ ok: false, error: 'missing_routers' });
  });
});

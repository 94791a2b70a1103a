/**
 * Against a real Zabbix API (Debian's zabbix-frontend-php on its own schema in MariaDB, served by `php -S`; .ci/run
 * installs and starts it and exports ZABBIX_URL). The test creates hosts (one with coordinates in its inventory) and
 * a network map linking them through the Zabbix API, and reads them back through get_topology.
 */
import crypto from 'node:crypto';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { describeIf } from '../../helpers/skip';
import { NO_ZABBIX, ZABBIX_URL, zabbixRpc as rpc, zabbixVersion } from '../../helpers/zabbix';

const version = zabbixVersion();
const available = version !== '';
if (!available) console.warn(`Zabbix tests skipped: ${NO_ZABBIX}`);

describeIf(available, NO_ZABBIX)('get_topology from a real Zabbix', () => {
  let t: TestApp;
  let auth = '';
  const tag = crypto.randomBytes(3).toString('hex');
  const oct = (parseInt(tag.slice(0, 2), 16) % 250) + 1;
  const hostIds: string[] = [];
  let groupId = '';
  let mapId = '';

  beforeAll(async () => {
    auth = await rpc('user.login', { username: 'Admin', password: 'zabbix' });
    [groupId] = (await rpc('hostgroup.create', { name: `ispgate-test-${tag}` }, auth)).groupids;
    const snmpIf = { type: 2, main: 1, useip: 1, ip: `10.99.${oct}.1`, dns: '', port: '161', details: { version: 2, bulk: 1, community: 'public' } };
    const agentIf = { type: 1, main: 1, useip: 1, ip: `10.99.${oct}.2`, dns: '', port: '10050' };
    const inventory = { inventory_mode: 0, inventory: { location_lat: '37.9838', location_lon: '23.7275' } };
    for (const [host, iface, extra] of [[`ispgate-${tag}-rtr`, snmpIf, inventory], [`ispgate-${tag}-srv`, agentIf, {}]] as const) {
      const r = await rpc('host.create', { host, name: `${host} (zbx)`, groups: [{ groupid: groupId }], interfaces: [iface], ...extra }, auth);
      hostIds.push(r.hostids[0]);
    }
    // Zabbix keeps no neighbour tables: a link is one drawn on a network map between two hosts.
    const [icon] = await rpc('image.get', { output: ['imageid'], filter: { imagetype: 1 }, limit: 1 }, auth);
    const el = (selementid: string, hostid: string) => ({ selementid, elementtype: 0, elements: [{ hostid }], iconid_off: icon.imageid });
    [mapId] = (
      await rpc('map.create', { name: `ispgate-${tag}`, width: 800, height: 600, selements: [el('1', hostIds[0]), el('2', hostIds[1])], links: [{ selementid1: '1', selementid2: '2' }] }, auth)
    ).sysmapids;
    t = await makeTestApp({ env: { TOPOLOGY_TIMEOUT_MS: '10000' } });
  });
  afterAll(async () => {
    await t?.close();
    if (mapId) await rpc('map.delete', [mapId], auth);
    if (hostIds.length) await rpc('host.delete', hostIds, auth);
    if (groupId) await rpc('hostgroup.delete', [groupId], auth);
  });

  test('test=1 logs in with the default Admin account and answers the version and host count; a wrong user is source_auth_failed', async () => {
    const body = await t.call('save_topology_metrics_source', { source: 'zabbix', url: ZABBIX_URL, user: 'Admin', password: 'zabbix', test: '1' });
    expect(body).toMatchObject({ ok: true, data: { source: 'zabbix', user: 'Admin', password_set: true, test: { ok: true, version, device_count: expect.any(Number) } } });
    expect(body.data.test.device_count).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(body)).not.toContain('"zabbix"}');
    expect(await t.call('save_topology_metrics_source', { source: 'zabbix', url: ZABBIX_URL, user: `nobody-${tag}`, password: 'wrong-pass', test: '1' })).toMatchObject({ ok: false, error: 'source_auth_failed' });
    expect(await t.call('save_topology_metrics_source', { source: 'zabbix', url: ZABBIX_URL.replace('api_jsonrpc.php', 'nope.php'), user: 'Admin', password: 'zabbix', test: '1' })).toMatchObject({ ok: false, error: 'source_unreachable' });
  });

  test('the hosts created in Zabbix come back as nodes, and as pending inventory nodes', async () => {
    const body = await t.call('get_topology', { source: 'zabbix' }, { method: 'GET' });
    expect(body.ok).toBe(true);
    const mine = body.data.nodes.filter((n: { label: string }) => n.label.startsWith(`ispgate-${tag}-`));
    expect(mine.map((n: any) => [n.id, n.label, n.ip, n.status, n.pending]).sort()).toEqual(
      [
        [`zabbix:${hostIds[0]}`, `ispgate-${tag}-rtr (zbx)`, `10.99.${oct}.1`, 'unknown', true],
        [`zabbix:${hostIds[1]}`, `ispgate-${tag}-srv (zbx)`, `10.99.${oct}.2`, 'unknown', true],
      ].sort(),
    );
    const rtr = body.data.nodes.find((n: { id: string }) => n.id === `zabbix:${hostIds[0]}`);
    expect(rtr).toMatchObject({ x: 23.7275, y: 37.9838 });
    expect(body.data.nodes.find((n: { id: string }) => n.id === `zabbix:${hostIds[1]}`)).toMatchObject({ x: null, y: null });
    const ends = [`zabbix:${hostIds[0]}`, `zabbix:${hostIds[1]}`];
    const mineLinks = body.data.links.filter((l: { source: string; target: string }) => ends.includes(l.source) && ends.includes(l.target));
    expect(mineLinks).toEqual([expect.objectContaining({ protocol: 'zabbix_map', origin: 'zabbix', source_interface: null, target_interface: null })]);
    expect([mineLinks[0].source, mineLinks[0].target].sort()).toEqual([...ends].sort());
    expect(body.data.sources).toEqual([expect.objectContaining({ source: 'zabbix', ok: true, version })]);
    const pending = await t.db('inventory_nodes').where({ status: 'pending', source: 'zabbix' }).whereIn('ip', [`10.99.${oct}.1`, `10.99.${oct}.2`]);
    expect(pending).toHaveLength(2);
  });
});

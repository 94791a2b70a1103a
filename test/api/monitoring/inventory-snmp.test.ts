/**
 * SNMP settings on inventory nodes (save_inventory_node's flat snmp_ fields): sealed, never returned, refused
 * as a whole when one is wrong; an approved node with settings is polled by snmp_collect and by the scheduled
 * cycle against a real snmpd, a pending one is not.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { describeIf } from '../../helpers/skip';
import { SnmpLab, snmpdAvailable } from '../../fakes/snmpd-lab';
import { monitoringJobs } from '../../../src/services/monitoring/tasks';
import { migrationConfig } from '../../../src/db/migrate';

let t: TestApp;

beforeAll(async () => {
  t = await makeTestApp({ env: { SNMP_TIMEOUT_MS: '800', SNMP_RETRIES: '0', SNMP_CONCURRENCY: '1' } });
});
afterAll(async () => t.close());

const nodeCount = async () => Number((await t.db('inventory_nodes').count({ n: '*' }))[0].n);

describe('save_inventory_node SNMP fields', () => {
  test('v3 settings are sealed, shown only as set, kept by a later edit and removed with snmp_version=none', async () => {
    const body = await t.call('save_inventory_node', {
      name: 'olt-1',
      ip: '10.20.0.1',
      type: 'olt',
      snmp_version: '3',
      snmp_port: '1161',
      snmp_user: 'noc',
      snmp_auth_protocol: 'SHA-256',
      snmp_auth_key: 'auth-secret-1',
      snmp_priv_protocol: 'aes256',
      snmp_priv_key: 'priv-secret-1',
    });
    expect(body).toMatchObject({
      ok: true,
      data: { name: 'olt-1', snmp: { version: '3', port: 1161, user: 'noc', auth_protocol: 'sha256', auth_key_set: true, priv_protocol: 'aes256', priv_key_set: true, community_set: false } },
    });
    expect(JSON.stringify(body)).not.toMatch(/auth-secret|priv-secret/);
    const id = body.data.id;
    const dev = await t.db('snmp_devices').where({ kind: 'inventory', ref_id: id }).first();
    expect(dev).toMatchObject({ host: '10.20.0.1', snmp_version: '3', snmp_port: 1161, snmp_user: 'noc', auth_protocol: 'sha256', priv_protocol: 'aes256' });
    expect(dev.auth_key_enc).not.toContain('auth-secret-1');
    expect(t.rt.secrets.decrypt(dev.priv_key_enc)).toBe('priv-secret-1');

    // An edit without SNMP fields keeps them and moves the polled address with the node.
    const moved = await t.call('save_inventory_node', { id: String(id), ip: '10.20.0.2' });
    expect(moved.data.snmp).toMatchObject({ version: '3', auth_key_set: true, priv_key_set: true });
    expect(await t.db('snmp_devices').where({ kind: 'inventory', ref_id: id }).first()).toMatchObject({ host: '10.20.0.2' });
    const read = await t.call('get_inventory_node', { id: String(id) }, { method: 'GET' });
    expect(read.data.snmp).toMatchObject({ version: '3', user: 'noc' });
    const listed = await t.call('list_inventory', { search: 'olt-1' }, { method: 'GET' });
    expect(listed.data[0].snmp).toMatchObject({ version: '3' });
    expect(JSON.stringify([read, listed])).not.toMatch(/auth-secret|priv-secret/);

    const removed = await t.call('save_inventory_node', { id: String(id), snmp_version: 'none' });
    expect(removed).toMatchObject({ ok: true, data: { snmp: null } });
    expect(await t.db('snmp_devices').where({ kind: 'inventory', ref_id: id })).toHaveLength(0);
  });

  test.each([
    [{ snmp_version: '3' }, 'missing_snmp_user'],
    [{ snmp_version: '3', snmp_user: 'noc' }, 'missing_snmp_auth_key'],
    [{ snmp_version: '3', snmp_user: 'noc', snmp_auth_key: 'short' }, 'invalid_snmp_auth_key'],
    [{ snmp_version: '3', snmp_user: 'noc', snmp_auth_key: 'auth-secret-1', snmp_auth_protocol: 'md5' }, 'invalid_snmp_auth_protocol'],
    [{ snmp_version: '3', snmp_user: 'noc', snmp_auth_key: 'auth-secret-1', snmp_priv_protocol: 'des' }, 'invalid_snmp_priv_protocol'],
    [{ snmp_version: '3', snmp_user: 'noc', snmp_auth_key: 'auth-secret-1', snmp_priv_protocol: 'aes' }, 'missing_snmp_priv_key'],
    [{ snmp_version: '1', snmp_community: 'public' }, 'invalid_snmp_version'],
    [{ snmp_version: '2c' }, 'missing_snmp_community'],
    [{ snmp_version: '2c', snmp_community: 'public', snmp_port: '0' }, 'invalid_snmp_port'],
    [{ snmp_version: '2c', snmp_community: 'public', snmp_port: '161x' }, 'invalid_snmp_port'],
    [{ snmp_community: 'public' }, 'invalid_snmp_version'],
    [{ snmp_version: '2c', snmp_community: 'public', ip: '' }, 'missing_ip'],
  ])('a new node with %j is refused with %s and nothing is written', async (fields, code) => {
    const before = await nodeCount();
    expect(await t.call('save_inventory_node', { name: 'bad-snmp', ip: '10.20.1.1', ...fields })).toMatchObject({ ok: false, error: code });
    expect(await nodeCount()).toBe(before);
    expect(await t.db('inventory_nodes').where({ name: 'bad-snmp' })).toHaveLength(0);
  });

  test('an edit with a bad SNMP field leaves the node and its settings as they were; clearing the ip of a polled node is refused', async () => {
    const node = (await t.call('save_inventory_node', { name: 'sw-edit', ip: '10.20.2.1', type: 'switch', snmp_version: '2c', snmp_community: 'comm-1' })).data;
    const before = await t.db('snmp_devices').where({ kind: 'inventory', ref_id: node.id }).first();
    expect(await t.call('save_inventory_node', { id: String(node.id), name: 'renamed', snmp_version: '3' })).toMatchObject({ ok: false, error: 'missing_snmp_user' });
    expect(await t.call('save_inventory_node', { id: String(node.id), name: 'renamed', ip: '' })).toMatchObject({ ok: false, error: 'missing_ip' });
    expect(await t.db('inventory_nodes').where({ id: node.id }).first()).toMatchObject({ name: 'sw-edit', ip: '10.20.2.1' });
    expect(await t.db('snmp_devices').where({ kind: 'inventory', ref_id: node.id }).first()).toEqual(before);
    // Deleting the node takes its SNMP settings with it.
    expect(await t.call('delete_inventory_node', { id: String(node.id) })).toMatchObject({ ok: true });
    expect(await t.db('snmp_devices').where({ kind: 'inventory', ref_id: node.id })).toHaveLength(0);
  });
});

describeIf(snmpdAvailable(), 'snmpd is not installed (apt-get install snmpd; .ci/run installs it)')('inventory nodes polled against a real snmpd', () => {
  let lab: SnmpLab;
  let pendingKey: string;

  beforeAll(async () => {
    lab = await new SnmpLab('inv-community', [], [{ index: 1, name: 'sfp1', alias: 'to-olt', speedMbps: 10_000, in: 1000n, out: 2000n }], 'CRS326-24S+2Q+').start();
    await t.call('add_web_admin', { username: 'invtech', password: 'invtech-password-1', role: 'operator', 'permissions[inventory]': 'write', 'permissions[network]': 'read' });
    pendingKey = (await t.call('api_key_create', { name: 'invtech-key', admin: 'invtech' })).data.key;
  });
  afterAll(async () => lab?.stop());

  test('an approved node is polled by snmp_collect and the scheduled cycle; a pending one only after approval', async () => {
    const approved = await t.call('save_inventory_node', { name: 'core-sw', ip: '127.0.0.1', type: 'switch', coordinates: '37.98,23.72', snmp_version: '2c', snmp_port: String(lab.port), snmp_community: 'inv-community' });
    expect(approved).toMatchObject({ ok: true, data: { status: 'approved', snmp: { version: '2c', port: lab.port, community_set: true } } });
    const pending = await t.call('save_inventory_node', { name: 'field-sw', ip: '127.0.0.2', type: 'switch', snmp_version: '2c', snmp_port: String(lab.port), snmp_community: 'inv-community' }, { key: pendingKey });
    expect(pending).toMatchObject({ ok: true, data: { status: 'pending', snmp: { version: '2c' } } });
    const devOf = async (refId: number) => Number((await t.db('snmp_devices').where({ kind: 'inventory', ref_id: refId }).first()).id);
    const device = await devOf(approved.data.id);

    const body = await t.call('snmp_collect', {}, { method: 'GET' });
    expect(body.ok).toBe(true);
    const polled = body.data.devices.filter((d: { kind: string }) => d.kind === 'inventory');
    expect(polled).toEqual([
      expect.objectContaining({ device_id: device, ref_id: approved.data.id, name: 'core-sw', host: '127.0.0.1', reachable: true, interfaces_polled: 1, error: null }),
    ]);
    const ifs = await t.call('snmp_interfaces', { device: String(device) }, { method: 'GET' });
    expect(ifs.data.device).toMatchObject({ kind: 'inventory', ref_id: approved.data.id, reachable: true, sys_descr: 'CRS326-24S+2Q+' });
    expect(ifs.data.interfaces).toEqual([expect.objectContaining({ if_index: 1, name: 'sfp1', alias: 'to-olt', speed_mbps: 10_000, in_octets: '1000' })]);

    // Approval puts the pending node into the next (scheduled) cycle; the counters moved give a rate.
    expect(await t.call('approve_inventory_node', { id: String(pending.data.id) })).toMatchObject({ ok: true });
    lab.addCounters(1, 125_000n, 0n);
    const job = monitoringJobs.find((j) => j.name === 'monitoring.snmp')!;
    const run = (await job.run(t.ctx())) as { job_id: string };
    const done = await t.ctx().jobs.wait(run.job_id, 20_000);
    expect(done).toMatchObject({ state: 'completed', result: { polled: 2 } });
    const results = (done!.result as { devices: Array<{ ref_id: number; reachable: boolean; error: string | null }> }).devices;
    expect(results.find((d) => d.ref_id === approved.data.id)).toMatchObject({ reachable: true });
    // The lab agent listens on 127.0.0.1 only: the field switch is polled now, and times out on its own.
    expect(results.find((d) => d.ref_id === pending.data.id)).toMatchObject({ reachable: false, error: 'snmp_timeout' });
    const iface = (await t.call('snmp_interfaces', { device: String(device) })).data.interfaces[0];
    expect(iface).toMatchObject({ in_octets_delta: '125000', rate_note: 'ok' });
    expect(iface.in_bps).toBe(Math.floor((125_000 * 8 * 1000) / iface.interval_ms));

    // The map draws both with the status their last poll found, and the coordinates the inventory holds.
    const map = new Map((await t.call('get_topology', {}, { method: 'GET' })).data.nodes.map((n: { id: string }) => [n.id, n]));
    expect(map.get(`inventory:${approved.data.id}`)).toMatchObject({ label: 'core-sw', type: 'switch', status: 'up', x: 23.72, y: 37.98, pending: false });
    expect(map.get(`inventory:${pending.data.id}`)).toMatchObject({ label: 'field-sw', status: 'down', x: null, y: null });
  });
});

test('the migration moves a v2c setting saved on inventory_nodes into snmp_devices, community still sealed', async () => {
  const cfg = migrationConfig();
  await t.db.migrate.down({ ...cfg, name: '20261201010100_inventory_nodes_drop_snmp' });
  await t.db.migrate.down({ ...cfg, name: '20261201010000_inventory_snmp_to_devices' });
  const stamp = '2026-11-01 00:00:00';
  const [legacy] = await t.db('inventory_nodes').insert({
    name: 'legacy-olt', ip: '10.20.9.1', type: 'olt', status: 'approved', source: 'manual', snmp_version: '2c', snmp_port: 1161,
    snmp_community_enc: t.rt.secrets.encrypt('legacy-community'), created_at: stamp, updated_at: stamp,
  });
  const [noComm] = await t.db('inventory_nodes').insert({ name: 'legacy-v3', ip: '10.20.9.2', type: 'olt', status: 'approved', source: 'manual', snmp_version: '3', created_at: stamp, updated_at: stamp });
  await t.db.migrate.up({ ...cfg, name: '20261201010000_inventory_snmp_to_devices' });
  await t.db.migrate.up({ ...cfg, name: '20261201010100_inventory_nodes_drop_snmp' });
  const dev = await t.db('snmp_devices').where({ kind: 'inventory', ref_id: Number(legacy) }).first();
  expect(dev).toMatchObject({ host: '10.20.9.1', snmp_version: '2c', snmp_port: 1161 });
  expect(t.rt.secrets.decrypt(dev.community_enc)).toBe('legacy-community');
  expect(await t.db('snmp_devices').where({ kind: 'inventory', ref_id: Number(noComm) })).toHaveLength(0);
  expect(await t.db.schema.hasColumn('inventory_nodes', 'snmp_community_enc')).toBe(false);
  expect((await t.call('get_inventory_node', { id: String(legacy) })).data.snmp).toMatchObject({ version: '2c', port: 1161, community_set: true });
});

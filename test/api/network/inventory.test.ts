/**
 * Inventory (IPAM): the five reference actions, reads, the approval workflow, one holder per address, and pool usage.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { upsertDiscoveredNode } from '../../../src/services/network/inventory';

let t: TestApp;
let limitedKey: string;

beforeAll(async () => {
  t = await makeTestApp();
  // An operator who may write inventory but not network: may create, may not approve.
  const admin = await t.call('add_web_admin', {
    username: 'fieldtech',
    password: 'fieldtech-password-1',
    role: 'operator',
    'permissions[inventory]': 'write',
    'permissions[network]': 'read',
  });
  expect(admin.ok).toBe(true);
  limitedKey = (await t.call('api_key_create', { name: 'tech-key', admin: 'fieldtech' })).data.key;
  const settings = await t.call('save_network_settings', {
    'pools[0][name]': 'mgmt',
    'pools[0][ranges]': '10.9.0.0/28',
    'pools[0][type]': 'management',
    'pools[1][name]': 'cust',
    'pools[1][ranges]': '10.60.0.10-10.60.0.19',
    'pools[1][gateway]': '10.60.0.1',
  });
  expect(settings.ok).toBe(true);
});
afterAll(async () => t.close());

test('a node by an admin who may approve is approved at once, with who and when', async () => {
  const body = await t.call('save_inventory_node', {
    name: 'core-sw1',
    ip: '10.9.0.1',
    type: 'switch',
    location: 'POP Athens',
    mac: 'a4-5e-60-00-00-11',
    vendor: 'MikroTik',
    model: 'CRS326',
    serial: 'HF1234',
    coordinates: '37.98,23.72',
    snmp_version: '2c',
    snmp_community: 'public-ro',
  });
  expect(body).toMatchObject({
    ok: true,
    data: { id: expect.any(Number), status: 'approved', source: 'manual', mac: 'A4:5E:60:00:00:11', coordinates: { lat: 37.98, lng: 23.72 }, snmp: { version: '2c', community_set: true } },
  });
  expect(body.data.approved_at).toMatch(/Z$/);
  expect(JSON.stringify(body)).not.toContain('public-ro');
  const row = await t.db('inventory_nodes').where({ id: body.data.id }).first();
  expect(row.approved_by).toBeTruthy();
  // SNMP settings live with the routers' in snmp_devices, the community sealed.
  const dev = await t.db('snmp_devices').where({ kind: 'inventory', ref_id: body.data.id }).first();
  expect(dev).toMatchObject({ host: '10.9.0.1', snmp_version: '2c', snmp_port: 161 });
  expect(dev.community_enc).not.toContain('public-ro');
  expect(t.rt.secrets.decrypt(dev.community_enc)).toBe('public-ro');
});

test('a node by an admin without network.write starts pending and that admin cannot approve it', async () => {
  const body = await t.call('save_inventory_node', { name: 'ap-roof', ip: '10.9.0.2', type: 'ap' }, { key: limitedKey });
  expect(body).toMatchObject({ ok: true, data: { status: 'pending', approved_by: null, created_by: 'fieldtech' } });
  const denied = await t.call('approve_inventory_node', { id: body.data.id }, { key: limitedKey });
  expect(denied).toMatchObject({ ok: false, error: 'approval_not_allowed' });
  const ok = await t.call('approve_inventory_node', { id: body.data.id });
  expect(ok).toMatchObject({ ok: true, data: { status: 'approved', approved_at: expect.any(String) } });
  expect(await t.call('approve_inventory_node', { id: body.data.id })).toMatchObject({ ok: false, error: 'already_approved' });
});

test('an address is held once: by a node, a subscriber static IP or a pool gateway', async () => {
  const dup = await t.call('save_inventory_node', { name: 'dup', ip: '10.9.0.1', type: 'other' });
  expect(dup).toMatchObject({ ok: false, error: 'ip_in_use', held_by: { kind: 'inventory_node', name: 'core-sw1' } });
  await t.call('add_plan', { name: 'P', download: '10M', upload: '1M' });
  const cust = await t.call('add', { username: 'inv-sub', password: 'pw', plan: 'P', static_ip: '10.60.0.15' });
  expect(cust.ok).toBe(true);
  expect(await t.call('save_inventory_node', { name: 'x', ip: '10.60.0.15' })).toMatchObject({ ok: false, error: 'ip_in_use', held_by: { kind: 'customer', name: 'inv-sub' } });
  expect(await t.call('save_inventory_node', { name: 'x', ip: '10.60.0.1' })).toMatchObject({ ok: false, error: 'ip_in_use', held_by: { kind: 'pool_gateway', name: 'cust' } });
  expect(await t.db('inventory_nodes').where({ name: 'x' })).toHaveLength(0);
});

test('update with id keeps the node and its own address', async () => {
  const [node] = await t.db('inventory_nodes').where({ name: 'core-sw1' });
  const body = await t.call('save_inventory_node', { id: node.id, ip: '10.9.0.1', notes: 'rack 3', location: '' });
  expect(body).toMatchObject({ ok: true, data: { id: node.id, notes: 'rack 3', location: null, name: 'core-sw1' } });
  const child = await t.call('save_inventory_node', { name: 'cpe-1', ip: '10.9.0.5', type: 'cpe', parent_id: node.id });
  expect(child).toMatchObject({ ok: true, data: { parent_id: node.id } });
  expect(await t.call('save_inventory_node', { id: node.id, parent_id: child.data.id })).toMatchObject({ ok: false, error: 'invalid_parent_id' });
});

test('bad input: type, ip, mac, missing name, unknown id', async () => {
  expect(await t.call('save_inventory_node', { name: 'n', type: 'toaster' })).toMatchObject({ ok: false, error: 'invalid_type' });
  expect(await t.call('save_inventory_node', { name: 'n', ip: '10.0.0.256' })).toMatchObject({ ok: false, error: 'invalid_ip' });
  expect(await t.call('save_inventory_node', { name: 'n', mac: 'zz' })).toMatchObject({ ok: false, error: 'invalid_mac' });
  expect(await t.call('save_inventory_node', { ip: '10.9.0.9' })).toMatchObject({ ok: false, error: 'missing_name' });
  expect(await t.call('save_inventory_node', { id: '9999', name: 'n' })).toMatchObject({ ok: false, error: 'node_not_found' });
  expect(await t.call('approve_inventory_node', { id: 'abc' })).toMatchObject({ ok: false, error: 'invalid_id' });
  expect(await t.call('delete_inventory_node', { id: '9999' })).toMatchObject({ ok: false, error: 'node_not_found' });
  expect(await t.call('delete_inventory_bulk', { scope: 'everything' })).toMatchObject({ ok: false, error: 'invalid_scope' });
  expect(await t.call('get_inventory_node', {})).toMatchObject({ ok: false, error: 'missing_id' });
  expect(await t.call('list_inventory', { status: 'maybe' })).toMatchObject({ ok: false, error: 'invalid_status' });
});

test('discovery creates pending nodes, fills gaps without overwriting, skips addresses held elsewhere', async () => {
  const found = await upsertDiscoveredNode(t.ctx(), { ip: '10.9.0.7', name: 'MikroTik', vendor: 'MikroTik', mac: 'a4:5e:60:00:00:77' });
  expect(found).toMatchObject({ status: 'pending', source: 'discovery', name: 'MikroTik', mac: 'A4:5E:60:00:00:77' });
  const again = await upsertDiscoveredNode(t.ctx(), { ip: '10.9.0.1', vendor: 'Other', serial: 'S-9' });
  expect(again).toMatchObject({ name: 'core-sw1', vendor: 'MikroTik', serial: 'HF1234', status: 'approved' });
  expect(await upsertDiscoveredNode(t.ctx(), { ip: '10.60.0.15' })).toBeNull();
});

test('list_inventory filters and paginates with meta; get_inventory_node', async () => {
  const all = await t.call('list_inventory', { per_page: '2' });
  expect(all).toMatchObject({ ok: true, meta: { total: 4, per_page: 2, last_page: 2 } });
  expect(all.data).toHaveLength(2);
  const pending = await t.call('list_inventory', { status: 'pending' });
  expect(pending.data.map((n: { ip: string }) => n.ip)).toEqual(['10.9.0.7']);
  const search = await t.call('list_inventory', { search: 'HF12' });
  expect(search.data.map((n: { name: string }) => n.name)).toEqual(['core-sw1']);
  const cpe = await t.call('list_inventory', { type: 'cpe' });
  expect(cpe.meta.total).toBe(1);
  const one = await t.call('get_inventory_node', { id: cpe.data[0].id });
  expect(one).toMatchObject({ ok: true, data: { name: 'cpe-1', type: 'cpe' } });
});

test('ipam_usage: size, used, free, next free and utilisation per pool', async () => {
  const body = await t.call('ipam_usage', {});
  expect(body.ok).toBe(true);
  const mgmt = body.data.pools.find((p: { name: string }) => p.name === 'mgmt');
  // 10.9.0.0/28: 14 usable; .1 .2 .5 .7 are held.
  expect(mgmt).toMatchObject({ size: 14, used: 4, free: 10, next_free: '10.9.0.3', utilisation: 28.57 });
  const cust = body.data.pools.find((p: { name: string }) => p.name === 'cust');
  expect(cust).toMatchObject({ size: 10, used: 1, free: 9, next_free: '10.60.0.10' });
});

test('approve_inventory_all, delete_inventory_node and delete_inventory_bulk', async () => {
  await t.call('save_inventory_node', { name: 'p2', ip: '10.9.0.8' }, { key: limitedKey });
  const all = await t.call('approve_inventory_all', {});
  expect(all).toMatchObject({ ok: true, data: { approved: 2 } });
  expect(await t.db('inventory_nodes').where({ status: 'pending' })).toHaveLength(0);
  expect(await t.call('approve_inventory_all', {}, { key: limitedKey })).toMatchObject({ ok: false, error: 'approval_not_allowed' });

  const parent = await t.db('inventory_nodes').where({ name: 'core-sw1' }).first();
  const del = await t.call('delete_inventory_node', { id: parent.id });
  expect(del).toMatchObject({ ok: true, data: { id: parent.id, deleted: true } });
  expect(await t.db('inventory_nodes').where({ name: 'cpe-1' }).first()).toMatchObject({ parent_id: null });

  await t.call('save_inventory_node', { name: 'p3', ip: '10.9.0.9' }, { key: limitedKey });
  const pend = await t.call('delete_inventory_bulk', { scope: 'all_pending' });
  expect(pend).toMatchObject({ ok: true, data: { scope: 'all_pending', deleted: 1 } });
  const approved = await t.call('delete_inventory_bulk', { scope: 'all_approved' });
  expect(approved.data.deleted).toBe(4);
  expect(await t.db('inventory_nodes')).toHaveLength(0);
  expect((await t.call('delete_inventory_bulk', { scope: 'all' })).data.deleted).toBe(0);
});

/**
 * Pools drive addressing: add/edit with `pool` take the next free address; a given static_ip is checked against
 * the pool and against every address in use. Plans name pools for Framed-Pool.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;

beforeAll(async () => {
  t = await makeTestApp();
  const s = await t.call('save_network_settings', {
    'pools[0][name]': 'pppoe-a',
    'pools[0][ranges]': '100.70.0.10-100.70.0.12',
    'pools[0][gateway]': '100.70.0.1',
    'pools[1][name]': 'pppoe-b',
    'pools[1][ranges]': '100.71.0.0/30',
    'pools[2][name]': 'pd',
    'pools[2][ranges]': '2001:db8:300::/40',
    'pools[2][prefix_length]': '56',
  });
  expect(s.ok).toBe(true);
  expect((await t.call('add_plan', { name: 'P', download: '10M', upload: '1M' })).ok).toBe(true);
  expect((await t.call('save_inventory_node', { name: 'olt-1', ip: '100.70.0.11', type: 'olt' })).ok).toBe(true);
});
afterAll(async () => t.close());

test('add with pool takes the next free address, skipping one an inventory node holds', async () => {
  const a = await t.call('add', { username: 'pa1', password: 'pw', plan: 'P', pool: 'pppoe-a' });
  expect(a).toMatchObject({ ok: true, data: { static_ip: '100.70.0.10' } });
  const b = await t.call('add', { username: 'pa2', password: 'pw', plan: 'P', pool: 'pppoe-a' });
  expect(b).toMatchObject({ ok: true, data: { static_ip: '100.70.0.12' } });
  expect(await t.db('radreply').where({ username: 'pa2', attribute: 'Framed-IP-Address' }).first()).toMatchObject({ value: '100.70.0.12' });
  const full = await t.call('add', { username: 'pa3', password: 'pw', plan: 'P', pool: 'pppoe-a' });
  expect(full).toMatchObject({ ok: false, error: 'pool_exhausted' });
  expect(await t.db('customers').where({ username: 'pa3' })).toHaveLength(0);
});

test('a given static_ip is checked against the pool and against every holder', async () => {
  expect(await t.call('add', { username: 'x1', password: 'pw', plan: 'P', pool: 'pppoe-b', static_ip: '100.70.0.99' })).toMatchObject({ ok: false, error: 'ip_not_in_pool' });
  const node = await t.call('add', { username: 'x2', password: 'pw', plan: 'P', static_ip: '100.70.0.11' });
  expect(node).toMatchObject({ ok: false, error: 'ip_in_use', held_by: { kind: 'inventory_node', name: 'olt-1' } });
  expect(node.message).toContain('olt-1');
  expect(await t.call('add', { username: 'x3', password: 'pw', plan: 'P', static_ip: '100.70.0.1' })).toMatchObject({ ok: false, error: 'ip_in_use', held_by: { kind: 'pool_gateway' } });
  const ok = await t.call('add', { username: 'x4', password: 'pw', plan: 'P', pool: 'pppoe-b', static_ip: '100.71.0.2' });
  expect(ok).toMatchObject({ ok: true, data: { static_ip: '100.71.0.2' } });
  expect(await t.call('add', { username: 'x5', password: 'pw', plan: 'P', pool: 'nope' })).toMatchObject({ ok: false, error: 'pool_not_found' });
  expect(await t.call('add', { username: 'x6', password: 'pw', plan: 'P', pool: 'pd' })).toMatchObject({ ok: false, error: 'invalid_pool' });
});

test('edit with pool moves the subscriber into it; naming the pool they are in keeps the address', async () => {
  const moved = await t.call('edit', { username: 'pa1', pool: 'pppoe-b' });
  // 100.71.0.0/30: .1 and .2 usable; .2 is x4's.
  expect(moved).toMatchObject({ ok: true, data: { static_ip: '100.71.0.1' } });
  const same = await t.call('edit', { username: 'pa1', pool: 'pppoe-b' });
  expect(same).toMatchObject({ ok: true, data: { static_ip: '100.71.0.1' } });
  expect(await t.call('edit', { username: 'pa2', static_ip: '100.70.0.11' })).toMatchObject({ ok: false, error: 'ip_in_use' });
  expect(await t.db('customers').where({ username: 'pa2' }).first()).toMatchObject({ static_ip: '100.70.0.12' });
});

test('plans name pools: Framed-Pool and Delegated-IPv6-Prefix-Pool in the plan group; bad names refused', async () => {
  const plan = await t.call('add_plan', { name: 'Pooled', download: '20M', upload: '2M', pool: 'pppoe-a', pool6: 'pd' });
  expect(plan).toMatchObject({ ok: true, data: { pool: 'pppoe-a', pool6: 'pd' } });
  const rows = await t.db('radgroupreply').where({ groupname: `plan-${plan.data.id}` }).orderBy('attribute');
  expect(rows.map((r) => [r.attribute, r.value])).toEqual([
    ['Delegated-IPv6-Prefix-Pool', 'pd'],
    ['Framed-Pool', 'pppoe-a'],
    ['Mikrotik-Rate-Limit', '2M/20M'],
  ]);
  const cleared = await t.call('edit_plan', { id: plan.data.id, pool6: '' });
  expect(cleared).toMatchObject({ ok: true, data: { pool: 'pppoe-a', pool6: null } });
  expect(await t.db('radgroupreply').where({ groupname: `plan-${plan.data.id}`, attribute: 'Delegated-IPv6-Prefix-Pool' })).toHaveLength(0);
  expect(await t.call('add_plan', { name: 'Bad', download: '1M', upload: '1M', pool: 'nope' })).toMatchObject({ ok: false, error: 'pool_not_found' });
  expect(await t.call('add_plan', { name: 'Bad', download: '1M', upload: '1M', pool: 'pd' })).toMatchObject({ ok: false, error: 'invalid_pool' });
  expect(await t.call('edit_plan', { id: plan.data.id, pool6: 'pppoe-b' })).toMatchObject({ ok: false, error: 'invalid_pool6' });
  expect(await t.db('plans').where({ name: 'Bad' })).toHaveLength(0);
});

/**
 * An api-mode router: subscribers are pushed over the RouterOS API (profile, PPP secret, queue, lease) as steps
 * with undo around the database transaction.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';

let t: TestApp;
let fake: FakeRouterOS;
let routerId: number;
let planId: number;

beforeAll(async () => {
  fake = new FakeRouterOS({ emptyReply: true });
  await fake.listen();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '3000' } });
  planId = (await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', burst_limit: '20M/150M', burst_time: '8' })).data.id;
  routerId = (
    await t.call('add_router', { ip: '127.0.0.1', name: 'api-r', user: 'admin', pass: 'secret', port: String(fake.port), radius_secret: 's', mode: 'api' })
  ).data.id;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const names = (menu: string) => fake.rows(menu).map((r) => r.name);

test('add pushes the plan profile, PPP secret, simple queue and DHCP lease', async () => {
  const body = await t.call('add', {
    username: 'carol',
    password: '0042', // numeric-looking: must reach the router as the same text
    plan: 'FTTH 100',
    router: 'api-r',
    static_ip: '10.20.0.7',
    mac_address: 'a4:5e:60:00:00:01',
  });
  expect(body).toMatchObject({ ok: true, data: { username: 'carol', router_id: routerId } });
  const id = body.data.id;
  expect(fake.rows('/ppp/profile')).toEqual([expect.objectContaining({ name: `ispgate-plan-${planId}`, 'rate-limit': '10M/100M 20M/150M 10M/100M 8/8 8' })]);
  expect(fake.rows('/ppp/secret')).toEqual([
    expect.objectContaining({
      name: 'carol',
      password: '0042',
      profile: `ispgate-plan-${planId}`,
      service: 'pppoe',
      'remote-address': '10.20.0.7',
      disabled: 'false',
      comment: `ispgate customer ${id}`,
    }),
  ]);
  expect(fake.rows('/queue/simple')).toEqual([
    expect.objectContaining({ name: 'carol', target: '10.20.0.7/32', 'max-limit': '10M/100M', 'burst-limit': '20M/150M', 'burst-time': '8s/8s' }),
  ]);
  expect(fake.rows('/ip/dhcp-server/lease')).toEqual([
    expect.objectContaining({ 'mac-address': 'A4:5E:60:00:00:01', address: '10.20.0.7', comment: `ispgate customer ${id}` }),
  ]);
});

test('a router that drops the connection mid-add: router_unreachable, nothing in the database, the router cleaned up', async () => {
  fake.faults.push({ match: (w) => w[0] === '/ip/dhcp-server/lease/add', kind: 'drop', once: true });
  const body = await t.call('add', { username: 'dave', password: 'pw', plan: 'FTTH 100', router: 'api-r', static_ip: '10.20.0.8', mac_address: 'a4:5e:60:00:00:02' });
  expect(body).toMatchObject({ ok: false, error: 'router_unreachable' });
  expect(await t.db('customers').where({ username: 'dave' }).first()).toBeUndefined();
  expect(await t.db('radcheck').where({ username: 'dave' })).toHaveLength(0);
  expect(await t.db('outbox_events').where({ event: 'customer.created' })).toHaveLength(1);
  // The secret and queue made before the drop were removed again over a new connection.
  expect(names('/ppp/secret')).toEqual(['carol']);
  expect(names('/queue/simple')).toEqual(['carol']);
  expect(fake.rows('/ip/dhcp-server/lease')).toHaveLength(1);
});

test("the router's own refusal comes back as router_error with its message, and is undone the same way", async () => {
  fake.faults.push({ match: (w) => w[0] === '/queue/simple/add', kind: 'trap', message: 'failure: target overlaps', once: true });
  const body = await t.call('add', { username: 'erin', password: 'pw', plan: 'FTTH 100', router: 'api-r', static_ip: '10.20.0.9' });
  expect(body).toMatchObject({ ok: false, error: 'router_error' });
  expect(body.message).toContain('failure: target overlaps');
  expect(await t.db('customers').where({ username: 'erin' }).first()).toBeUndefined();
  expect(names('/ppp/secret')).toEqual(['carol']);
});

test('a router that is gone: router_unreachable and no database rows', async () => {
  const gone = new FakeRouterOS();
  const port = await gone.listen();
  await gone.close();
  const r = await t.call('add_router', { ip: '127.0.0.1', name: 'gone', user: 'admin', pass: 'secret', port: String(port), radius_ip: '127.0.0.9', radius_secret: 's', mode: 'api' });
  const body = await t.call('add', { username: 'fred', password: 'pw', plan: 'FTTH 100', router: 'gone' });
  expect(body).toMatchObject({ ok: false, error: 'router_unreachable' });
  expect(await t.db('customers').where({ username: 'fred' }).first()).toBeUndefined();
  expect(await t.db('radusergroup').where({ username: 'fred' })).toHaveLength(0);
  expect(await t.call('delete_router', { id: r.data.id })).toMatchObject({ ok: true });
});

test('toggle_status disables and re-enables the PPP secret', async () => {
  await t.call('toggle_status', { username: 'carol', status: 'suspended' });
  expect(fake.rows('/ppp/secret')[0].disabled).toBe('true');
  await t.call('toggle_status', { username: 'carol', status: 'active' });
  expect(fake.rows('/ppp/secret')[0].disabled).toBe('false');
});

test('edit renames the secret and queue in place and moves the lease to the new MAC', async () => {
  const c = await t.db('customers').where({ username: 'carol' }).first();
  const secretId = fake.rows('/ppp/secret')[0]['.id'];
  const body = await t.call('edit', { id: c.id, username: 'carol2', mac_address: 'a4:5e:60:00:00:09' });
  expect(body).toMatchObject({ ok: true, data: { username: 'carol2' } });
  expect(fake.rows('/ppp/secret')).toEqual([expect.objectContaining({ '.id': secretId, name: 'carol2' })]);
  expect(names('/queue/simple')).toEqual(['carol2']);
  expect(fake.rows('/ip/dhcp-server/lease').map((l) => l['mac-address'])).toEqual(['A4:5E:60:00:00:09']);
});

test('edit_plan re-applies the queue on api routers and reports it', async () => {
  const body = await t.call('edit_plan', { id: planId, download: '200M', upload: '20M', burst_limit: '' });
  expect(body).toMatchObject({ ok: true, data: { reapplied: { queues: { updated: 1, failed: 0 } } } });
  expect(fake.rows('/queue/simple')[0]).toMatchObject({ 'max-limit': '20M/200M', 'burst-limit': '0/0' });
  expect(fake.rows('/ppp/profile')[0]['rate-limit']).toBe('20M/200M');
});

test('delete removes secret, queue and lease from the router', async () => {
  const body = await t.call('delete', { username: 'carol2' });
  expect(body).toMatchObject({ ok: true, data: { deleted: true } });
  expect(fake.rows('/ppp/secret')).toHaveLength(0);
  expect(fake.rows('/queue/simple')).toHaveLength(0);
  expect(fake.rows('/ip/dhcp-server/lease')).toHaveLength(0);
});

test('delete_router on an unreachable api router is refused unless forced', async () => {
  await t.call('add', { username: 'gina', password: 'pw', plan: 'FTTH 100', router: 'api-r' });
  await t.call('add', { username: 'hank', password: 'pw', plan: 'FTTH 100', router: 'api-r' });
  await fake.close();
  // a subscriber on the dead router: refused and untouched, then deleted with force
  expect(await t.call('delete', { username: 'hank' })).toMatchObject({ ok: false, error: 'router_unreachable' });
  expect(await t.db('customers').where({ username: 'hank' }).first()).toBeDefined();
  expect(await t.db('radcheck').where({ username: 'hank' })).not.toHaveLength(0);
  expect(await t.call('delete', { username: 'hank', force: '1' })).toMatchObject({ ok: true, data: { deleted: true, router_cleanup_skipped: true } });
  expect(await t.db('customers').where({ username: 'hank' }).first()).toBeUndefined();
  expect(await t.db('radcheck').where({ username: 'hank' })).toHaveLength(0);
  expect(await t.call('delete_router', { id: routerId })).toMatchObject({ ok: false, error: 'router_unreachable' });
  expect(await t.db('routers').where({ id: routerId }).first()).toBeDefined();
  expect(await t.call('delete_router', { id: routerId, force: '1' })).toMatchObject({ ok: true, data: { deleted: true } });
  expect((await t.db('customers').where({ username: 'gina' }).first()).router_id).toBeNull();
});

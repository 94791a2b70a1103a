/**
 * The router stops (power loss) in the middle of provisioning: the action fails with router_unreachable, the
 * database keeps nothing of the subscriber, and once the router is back a retry converges on what the router
 * still holds instead of tripping over it.
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRouterOS } from '../../fakes/routeros-server';

let t: TestApp;
let fake: FakeRouterOS;

beforeAll(async () => {
  fake = new FakeRouterOS();
  await fake.listen();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '3000' } });
  await t.call('add_plan', { name: 'P', download: '20M', upload: '2M' });
  await t.call('add_router', { ip: '127.0.0.1', name: 'r', user: 'admin', pass: 'secret', port: String(fake.port), radius_secret: 's', mode: 'api' });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

test('stop mid-add, then retry after the router is back', async () => {
  const port = fake.port;
  fake.faults.push({
    match: (w) => {
      if (w[0] !== '/queue/simple/add') return false;
      void fake.close();
      return true;
    },
    kind: 'drop',
  });
  const body = await t.call('add', { username: 'hank', password: 'pw', plan: 'P', router: 'r', static_ip: '10.30.0.2' });
  expect(body).toMatchObject({ ok: false, error: 'router_unreachable' });
  expect(await t.db('customers').where({ username: 'hank' }).first()).toBeUndefined();
  for (const table of ['radcheck', 'radreply', 'radusergroup']) expect(await t.db(table).where({ username: 'hank' })).toHaveLength(0);
  expect(await t.db('outbox_events').where({ event: 'customer.created' })).toHaveLength(0);

  // The router comes back with what it had written before it went down (the secret; not the queue).
  const survivors = { '/ppp/secret': fake.rows('/ppp/secret'), '/ppp/profile': fake.rows('/ppp/profile') };
  expect(survivors['/ppp/secret'].map((r) => r.name)).toEqual(['hank']);
  expect(fake.rows('/queue/simple')).toHaveLength(0);
  fake = new FakeRouterOS({ seed: survivors });
  await fake.listen(port);

  const retry = await t.call('add', { username: 'hank', password: 'pw2', plan: 'P', router: 'r', static_ip: '10.30.0.2' });
  expect(retry).toMatchObject({ ok: true, data: { username: 'hank' } });
  expect(fake.rows('/ppp/secret')).toEqual([expect.objectContaining({ name: 'hank', password: 'pw2', comment: `ispgate customer ${retry.data.id}` })]);
  expect(fake.rows('/queue/simple').map((r) => r.name)).toEqual(['hank']);
  expect(fake.commands('/ppp/secret/add')).toHaveLength(0); // updated in place, not duplicated
});

/**
 * radius_test against a RADIUS server fake on loopback (both databases). The real FreeRADIUS run is in
 * test/integration/network/freeradius-radius-test.test.ts (MariaDB only, as FreeRADIUS reads MariaDB).
 */
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeRadiusServer } from '../../fakes/radius-auth-server';

let t: TestApp;
let server: FakeRadiusServer;

beforeAll(async () => {
  server = new FakeRadiusServer('gw-secret');
  await server.listen();
  t = await makeTestApp({ env: { RADIUS_SERVER: '127.0.0.1', RADIUS_SECRET: 'gw-secret', RADIUS_AUTH_PORT: String(server.port), RADIUS_TEST_TIMEOUT_MS: '1000' } });
  await t.call('add_plan', { name: 'P', download: '100M', upload: '10M' });
  expect((await t.call('add', { username: 'rt-user', password: 'stored-pw', plan: 'P', static_ip: '100.64.1.5' })).ok).toBe(true);
  server.users.set('rt-user', { password: 'stored-pw', rateLimit: '10M/100M', framedIp: '100.64.1.5', framedPool: 'pppoe-main' });
});
afterAll(async () => {
  await t.close();
  await server.close();
});

test('accept with the stored password: reply attributes and a round-trip time', async () => {
  const body = await t.call('radius_test', { username: 'rt-user' });
  expect(body).toMatchObject({
    ok: true,
    data: {
      result: 'accept',
      code: 'Access-Accept',
      password_source: 'stored',
      reply: { 'Mikrotik-Rate-Limit': '10M/100M', 'Framed-IP-Address': '100.64.1.5', 'Framed-Pool': 'pppoe-main' },
    },
  });
  expect(body.data.rtt_ms).toEqual(expect.any(Number));
  expect(server.received.at(-1)).toMatchObject({ 'User-Name': 'rt-user', 'User-Password': 'stored-pw', 'NAS-Identifier': 'ispgate-radius-test' });
  expect(JSON.stringify(body)).not.toContain('stored-pw');
});

test('a wrong password: reject, with no reply attributes', async () => {
  const body = await t.call('radius_test', { username: 'rt-user', password: 'nope' });
  expect(body).toMatchObject({ ok: true, data: { result: 'reject', code: 'Access-Reject', reply: {}, password_source: 'given' } });
});

test('bad input: unknown subscriber, missing username', async () => {
  expect(await t.call('radius_test', { username: 'ghost' })).toMatchObject({ ok: false, error: 'customer_not_found' });
  expect(await t.call('radius_test', {})).toMatchObject({ ok: false, error: 'missing_username' });
});

test('a server that does not answer: radius_unreachable', async () => {
  server.silent = true;
  try {
    expect(await t.call('radius_test', { username: 'rt-user' })).toMatchObject({ ok: false, error: 'radius_unreachable' });
  } finally {
    server.silent = false;
  }
});

test('a wrong shared secret: the reply does not verify and is not believed', async () => {
  const other = await makeTestApp({ env: { RADIUS_SERVER: '127.0.0.1', RADIUS_SECRET: 'not-the-secret', RADIUS_AUTH_PORT: String(server.port), RADIUS_TEST_TIMEOUT_MS: '1000' } });
  try {
    await other.call('add_plan', { name: 'P', download: '1M', upload: '1M' });
    await other.call('add', { username: 'rt-user', password: 'stored-pw', plan: 'P' });
    expect(await other.call('radius_test', { username: 'rt-user' })).toMatchObject({ ok: false, error: 'radius_bad_reply' });
  } finally {
    await other.close();
  }
});

test('not configured: radius_not_configured', async () => {
  const bare = await makeTestApp();
  try {
    expect(await bare.call('radius_test', { username: 'x' })).toMatchObject({ ok: false, error: 'radius_not_configured' });
  } finally {
    await bare.close();
  }
});

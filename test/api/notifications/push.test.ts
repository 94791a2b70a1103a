import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakePushService } from '../../fakes/push-service';
import { selfSignedCert } from '../../fakes/tls-cert';

let t: TestApp;
let push: FakePushService;

beforeAll(async () => {
  const cert = selfSignedCert();
  push = new FakePushService(cert);
  await push.listen();
  t = await makeTestApp({ env: { PUSH_CA_FILE: cert.certFile } });
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  await t.call('add', { username: 'maria', password: 'pw-123456', plan: 'FTTH 100' });
});
afterAll(async () => {
  await t.close();
  await push.close();
});

test('Web Push: VAPID keys made on first use, subscriptions stored, a signed and encrypted message delivered, 410 removes the subscription', async () => {
  expect((await t.call('push_subscribe', { ...push.subscribe('x') })).error).toBe('push_not_configured');
  const s = await t.call('save_notification_settings', { vapid_subject: 'mailto:noc@isp.example' });
  expect(s.data.channels.push).toBe(true);

  const admin = await t.call('push_subscribe', push.subscribe('admin-browser'));
  expect(admin.data).toMatchObject({ owner: { type: 'admin' }, vapid_public_key: expect.stringMatching(/^[A-Za-z0-9_-]{87}$/) });
  push.expectedVapidKey = admin.data.vapid_public_key;
  expect(JSON.stringify(await t.db('settings').where('key', 'like', 'notifications.vapid%'))).not.toMatch(/"[A-Za-z0-9_-]{43}"/);
  const gone = await t.call('push_subscribe', { ...push.subscribe('old-phone'), username: 'maria' });
  expect(gone.data).toMatchObject({ owner: { type: 'customer' }, vapid_public_key: admin.data.vapid_public_key });
  push.gone.add('old-phone');

  const r = await t.call('send_notification', { admin: 'admin', channel: 'push', subject: 'Router offline', text: 'core-1 stopped answering' });
  expect((await t.ctx().jobs.wait(r.data.job_id, 30_000)).state).toBe('completed');
  expect(push.rejected).toEqual([]);
  expect(push.received).toHaveLength(1);
  expect(JSON.parse(push.received[0].payload)).toEqual({ title: 'Router offline', body: 'core-1 stopped answering' });
  expect(push.received[0].jwt.sub).toBe('mailto:noc@isp.example');
  expect((await t.db('notification_deliveries').where({ notification_id: r.data.id }).first()).state).toBe('sent');

  const r2 = await t.call('send_notification', { username: 'maria', channel: 'push', text: 'hello' });
  await t.ctx().jobs.wait(r2.data.job_id, 30_000);
  const d = await t.db('notification_deliveries').where({ notification_id: r2.data.id }).first();
  expect(d.state).toBe('failed');
  expect(d.last_response).toContain('410');
  expect(await t.db('push_subscriptions').where({ owner_type: 'customer' })).toHaveLength(0);
  expect(await t.db('push_subscriptions').where({ owner_type: 'admin' })).toHaveLength(1);
});

test('push_subscribe refuses malformed subscriptions', async () => {
  expect((await t.call('push_subscribe', { endpoint: 'https://p.example/1', keys: { p256dh: 'short', auth: 'A'.repeat(22) } })).error).toBe('invalid_keys');
  expect((await t.call('push_subscribe', { keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } })).error).toBe('missing_endpoint');
  expect((await t.call('push_subscribe', { ...push.subscribe('y'), username: 'ghost' })).error).toBe('customer_not_found');
});

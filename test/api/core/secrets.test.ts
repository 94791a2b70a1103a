import { authenticator } from 'otplib';
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';
import { startReceiver } from '../../fakes/webhook-receiver';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

test('no password, hash, key or secret appears in any response or log line', async () => {
  const secrets: string[] = [ADMIN_PASSWORD, t.key, 'bob-password-123'];
  const bodies: string[] = [];
  const keep = (r: request.Response) => {
    bodies.push(JSON.stringify(r.body) + JSON.stringify(r.headers['set-cookie'] ?? ''));
    return r;
  };
  keep(await t.post('add_web_admin', { username: 'bob', password: 'bob-password-123', role: 'admin' }));
  const k = keep(await t.post('api_key_create', { name: 'bob', admin: 'bob' })).body.data.key;
  const wh = keep(await t.post('webhook_create', { url: 'http://127.0.0.1:9/x', events: ['*'] })).body.data.secret;
  const en = keep(await t.post('start_2fa_enroll', {}, { key: k })).body.data.secret;
  keep(await t.post('finish_2fa_enroll', { code: authenticator.generate(en) }, { key: k }));
  const login = keep(await request(t.app).post('/process.php').type('form').send({ action: 'login', username: 'admin', password: ADMIN_PASSWORD }));
  keep(await request(t.app).post('/process.php').type('form').send({ action: 'login', username: 'admin', password: 'wrong-one-1' }));
  keep(await t.post('list_web_admins'));
  keep(await t.post('api_key_list'));
  keep(await t.post('webhook_list'));
  keep(await t.post('me', {}, { key: 'isg_not-a-real-key' }));
  const rx = await startReceiver();
  keep(await t.post('webhook_test', { id: 1 }));
  await rx.close();

  // The secrets shown once by design (new key, webhook secret, 2FA enrolment secret) must not be logged.
  const logged = t.logs.join('\n');
  expect(t.logs.length).toBeGreaterThan(5);
  for (const s of [...secrets, k, wh, en, login.body.data.csrf_token]) expect(logged).not.toContain(s);
  expect(logged).not.toMatch(/scrypt\$/);
  const responses = bodies.join('\n');
  for (const s of [ADMIN_PASSWORD, 'bob-password-123', t.key]) expect(responses).not.toContain(s);
  expect(responses).not.toMatch(/scrypt\$|password_hash|totp_secret|secret_enc|key_hash/);
  // and the database keeps ciphertext, not the webhook secret
  const row = await t.db('webhooks').first();
  expect(row.secret_enc).not.toContain(wh);
});

test('a failing query does not carry its bound values (a password hash, a secret) into the error text', async () => {
  const err = await t
    .db('admins')
    .insert({ username: 'leak', password_hash: 'scrypt$not-to-be-logged', no_such_column: 'plain-secret-value' })
    .catch((e: Error) => e);
  expect((err as Error).message).toMatch(/no_such_column/);
  const text = `${(err as Error).message}\n${(err as Error).stack}`;
  expect(text).not.toContain('not-to-be-logged');
  expect(text).not.toContain('plain-secret-value');
});

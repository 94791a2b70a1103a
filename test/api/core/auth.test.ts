import { authenticator } from 'otplib';
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

function cookieOf(r: request.Response): string {
  const c = ([] as string[]).concat(r.headers['set-cookie'] ?? []).find((s) => s.startsWith('ispgate_session='));
  if (!c) throw new Error('no session cookie');
  return c.split(';')[0];
}

async function login(username: string, password: string, code?: string) {
  return request(t.app).post('/mikrotik/process.php').type('form').send({ action: 'login', username, password, ...(code ? { code } : {}) });
}

/**
 * Moves the clock of this process (server and test alike) to `steps` TOTP periods from the real now and
 * returns the code for that moment: each login uses a later step, as the replay guard demands.
 */
const realNow = Date.now.bind(Date);
function codeAt(secret: string, steps: number) {
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + steps * 30_000);
  return authenticator.generate(secret);
}
afterEach(() => jest.restoreAllMocks());

test('API keys: created, used, listed without the key, revoked → 401', async () => {
  const created = await t.call('api_key_create', { name: 'billing-script' });
  expect(created.data.key).toMatch(/^isg_/);
  const r1 = await t.post('me', {}, { key: created.data.key });
  expect(r1.body.ok).toBe(true);
  const list = await t.call('api_key_list');
  const entry = list.data.find((k: { id: number }) => k.id === created.data.id);
  expect(entry.last_used_at).not.toBeNull();
  expect(JSON.stringify(list)).not.toContain(created.data.key);
  const row = await t.db('api_keys').where({ id: created.data.id }).first();
  expect(row.key_hash).not.toContain(created.data.key);
  await t.call('api_key_revoke', { id: created.data.id });
  const r2 = await t.post('me', {}, { key: created.data.key });
  expect(r2.status).toBe(401);
  expect(r2.body.error).toBe('unauthorized');
});

test('panel session: login sets an HttpOnly cookie; writes need the CSRF token; logout ends it', async () => {
  const r = await login('admin', ADMIN_PASSWORD);
  expect(r.body.ok).toBe(true);
  const setCookie = ([] as string[]).concat(r.headers['set-cookie']).join(';');
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  const cookie = cookieOf(r);
  const csrf = r.body.data.csrf_token;
  const read = await request(t.app).post('/mikrotik/process.php').set('Cookie', cookie).type('form').send({ action: 'list_web_admins' });
  expect(read.body.ok).toBe(true);
  const noCsrf = await request(t.app).post('/mikrotik/process.php').set('Cookie', cookie).type('form').send({ action: 'api_key_create', name: 'x' });
  expect(noCsrf.body).toMatchObject({ ok: false, error: 'csrf_failed' });
  const withHeader = await request(t.app).post('/mikrotik/process.php').set('Cookie', cookie).set('X-CSRF-Token', csrf).type('form').send({ action: 'api_key_create', name: 'x' });
  expect(withHeader.body.ok).toBe(true);
  const withField = await request(t.app).post('/mikrotik/process.php').set('Cookie', cookie).type('form').send({ action: 'api_key_revoke', id: withHeader.body.data.id, csrf_token: csrf });
  expect(withField.body.ok).toBe(true);
  await request(t.app).post('/mikrotik/process.php').set('Cookie', cookie).set('X-CSRF-Token', csrf).type('form').send({ action: 'logout' });
  const after = await request(t.app).post('/mikrotik/process.php').set('Cookie', cookie).type('form').send({ action: 'me' });
  expect(after.status).toBe(401);
});

test('a cookie session needs the CSRF token for POST-only actions that change session state under a read permission', async () => {
  const r = await login('admin', ADMIN_PASSWORD);
  const cookie = cookieOf(r);
  const send = (fields: Record<string, string>, csrf?: string) => {
    let q = request(t.app).post('/mikrotik/process.php').set('Cookie', cookie);
    if (csrf) q = q.set('X-CSRF-Token', csrf);
    return q.type('form').send({ action: 'switch_router', ...fields });
  };
  expect((await send({ id: '' })).body).toMatchObject({ ok: false, error: 'csrf_failed' });
  expect((await send({ id: '' }, r.body.data.csrf_token)).body.error).not.toBe('csrf_failed');
  // reads that answer GET stay free of the token
  const me = await request(t.app).post('/mikrotik/process.php').set('Cookie', cookie).type('form').send({ action: 'me' });
  expect(me.body.ok).toBe(true);
});

test('wrong password → invalid_credentials; repeated failures are throttled per account', async () => {
  await t.call('add_web_admin', { username: 'victim', password: 'victim-password-1' });
  for (let i = 0; i < 5; i++) expect((await login('victim', 'wrong-password')).body.error).toBe('invalid_credentials');
  const refused = t.logs.map((l) => JSON.parse(l)).find((l) => l.action === 'login' && l.error === 'invalid_credentials');
  expect(refused.ip).toMatch(/127\.0\.0\.1|::1/);
  const blocked = await login('victim', 'victim-password-1');
  expect(blocked.status).toBe(429);
  expect(blocked.body.error).toBe('rate_limited');
});

test('parallel wrong logins cannot get more guesses than the account budget', async () => {
  await t.call('add_web_admin', { username: 'target', password: 'target-password-1' });
  const answers = await Promise.all(Array.from({ length: 9 }, () => login('target', 'guess-password-1')));
  const errors = answers.map((r) => r.body.error);
  expect(errors.filter((e) => e === 'invalid_credentials')).toHaveLength(5);
  expect(errors.filter((e) => e === 'rate_limited')).toHaveLength(4);
});

test('2FA: enroll with a QR code, login needs the code, recovery code works once, disable, reset by another admin', async () => {
  await t.call('add_web_admin', { username: 'alice', password: 'alice-password-1', role: 'admin' });
  const key = (await t.call('api_key_create', { name: 'alice-key', admin: 'alice' })).data.key;

  const start = await t.call('start_2fa_enroll', {}, { key });
  expect(start.ok).toBe(true);
  expect(start.data.qr_code).toMatch(/^data:image\/png;base64,/);
  expect(start.data.otpauth_uri).toContain(`secret=${start.data.secret}`);
  expect(start.data.otpauth_uri).toMatch(/^otpauth:\/\/totp\/ispgate:alice\?/);
  const secret = start.data.secret;

  expect(await t.call('finish_2fa_enroll', { code: '000000' }, { key })).toMatchObject({ ok: false, error: expect.stringMatching(/invalid_otp/) });
  const fin = await t.call('finish_2fa_enroll', { code: codeAt(secret, 0) }, { key });
  expect(fin.ok).toBe(true);
  expect(fin.data.recovery_codes).toHaveLength(10);
  const row = await t.db('admins').where({ username: 'alice' }).first();
  expect(row.totp_secret_enc).not.toContain(secret);

  expect((await login('alice', 'alice-password-1')).body.error).toBe('otp_required');
  expect((await login('alice', 'alice-password-1', '123456')).body.error).toBe('invalid_otp');
  const ok = await login('alice', 'alice-password-1', codeAt(secret, 1));
  expect(ok.body.ok).toBe(true);
  // the same code again is a replay
  expect((await login('alice', 'alice-password-1', codeAt(secret, 1))).body.error).toBe('invalid_otp');

  const rc = fin.data.recovery_codes[0];
  expect((await login('alice', 'alice-password-1', rc)).body.ok).toBe(true);
  expect((await login('alice', 'alice-password-1', rc)).body.error).toBe('invalid_otp');
  // typed as a person would: lower case, no dash
  const rc2 = fin.data.recovery_codes[1] as string;
  expect((await login('alice', 'alice-password-1', rc2.replace('-', '').toLowerCase())).body.ok).toBe(true);
  expect((await login('alice', 'alice-password-1', rc2)).body.error).toBe('invalid_otp');

  expect(await t.call('disable_own_2fa', { password: 'wrong' }, { key })).toMatchObject({ ok: false, error: 'invalid_password' });
  const dis = await t.call('disable_own_2fa', { code: codeAt(secret, 2) }, { key });
  expect(dis).toMatchObject({ ok: true, data: { two_factor_enabled: false } });
  expect((await login('alice', 'alice-password-1')).body.ok).toBe(true);

  // re-enroll, then the primary admin resets it with its own password
  const s2 = await t.call('start_2fa_enroll', {}, { key });
  expect((await t.call('finish_2fa_enroll', { code: codeAt(s2.data.secret, 3) }, { key })).ok).toBe(true);
  expect((await login('alice', 'alice-password-1')).body.error).toBe('otp_required');
  const adminKey = (await t.call('api_key_create', { name: 'primary-session', admin: 'admin' })).data.key;
  const aliceId = row.id;
  expect(await t.call('reset_admin_2fa', { id: aliceId, password: 'nope' }, { key: adminKey })).toMatchObject({ ok: false, error: 'invalid_password' });
  expect(await t.call('reset_admin_2fa', { id: aliceId, password: ADMIN_PASSWORD }, { key: adminKey })).toMatchObject({ ok: true, data: { two_factor_enabled: false } });
  expect((await login('alice', 'alice-password-1')).body.ok).toBe(true);
});

test('a read-only admin may read but is refused a write', async () => {
  await t.call('add_web_admin', { username: 'viewer', password: 'viewer-password-1', role: 'readonly' });
  const key = (await t.call('api_key_create', { name: 'viewer-key', admin: 'viewer' })).data.key;
  expect((await t.call('get_settings', {}, { key })).ok).toBe(true);
  const w = await t.post('save_settings', { company_name: 'Hijack' }, { key });
  expect(w.status).toBe(200);
  expect(w.body).toMatchObject({ ok: false, error: 'forbidden' });
  expect((await t.call('get_settings')).data.company_name).not.toBe('Hijack');
});

test('admins: the primary admin cannot be deleted; hashes never leave the server; every write is audited', async () => {
  const list = await t.call('list_web_admins');
  const primary = list.data.find((a: { is_primary: boolean }) => a.is_primary);
  expect(await t.call('delete_web_admin', { id: primary.id })).toMatchObject({ ok: false, error: 'primary_admin_protected' });
  expect(JSON.stringify(list)).not.toMatch(/scrypt\$|password_hash|totp_secret/);
  const created = await t.call('add_web_admin', { username: 'temp', password: 'temp-password-1' });
  expect(await t.call('add_web_admin', { username: 'temp', password: 'temp-password-1' })).toMatchObject({ ok: false, error: 'duplicate_username' });
  const edited = await t.call('edit_web_admin', { id: created.data.id, role: 'readonly', permissions: { tickets: 'write' } });
  // Explicit permissions are the whole grant: the role's read on customers does not come with them.
  expect(edited.data).toMatchObject({ role: 'readonly', permissions: expect.objectContaining({ tickets: 'write', customers: 'none' }) });
  expect(await t.call('delete_web_admin', { id: created.data.id })).toMatchObject({ ok: true, data: { deleted: true } });
  const audit = await t.db('audit_log').where({ action: 'delete_web_admin', target: String(created.data.id) }).first();
  expect(audit).toMatchObject({ actor_type: 'api_key', actor_name: 'admin' });
  const addAudit = await t.db('audit_log').where({ action: 'add_web_admin' }).orderBy('id', 'desc').first();
  expect(addAudit.params).toContain('[redacted]');
  expect(addAudit.params).not.toContain('temp-password-1');
});

test('admins.write and api_keys.write do not reach beyond the caller’s own rights; only the primary admin (or a CLI key) edits the primary', async () => {
  await t.call('add_web_admin', { username: 'hrm', password: 'hr-password-123', role: 'operator', permissions: { admins: 'write', api_keys: 'write' } });
  await t.call('add_web_admin', { username: 'boss', password: 'boss-password-123', role: 'admin' });
  const hrKey = await t.call('api_key_create', { name: 'hr-key', admin: 'hrm' });
  expect(hrKey.ok).toBe(true);
  const hr = hrKey.data.key;
  const admins = (await t.call('list_web_admins')).data as Array<{ id: number; username: string; is_primary: boolean }>;
  const primary = admins.find((a) => a.is_primary)!;
  const boss = admins.find((a) => a.username === 'boss')!;
  const hrId = admins.find((a) => a.username === 'hrm')!.id;

  expect(await t.call('add_web_admin', { username: 'hr2', password: 'hr2-password-123', role: 'admin' }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('add_web_admin', { username: 'hr3', password: 'hr3-password-123', role: 'operator', permissions: { settings: 'write' } }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden', details: { 'permissions.settings': expect.any(String) } });
  expect(await t.call('add_web_admin', { username: 'hr4', password: 'hr4-password-123', role: 'support' }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('add_web_admin', { username: 'hr4', password: 'hr4-password-123', role: 'support', permissions: { api_keys: 'read' } }, { key: hr })).toMatchObject({ ok: true });

  expect(await t.call('edit_web_admin', { id: primary.id, password: 'taken-over-123' }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('edit_web_admin', { id: boss.id, password: 'taken-over-123' }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('edit_web_admin', { id: hrId, role: 'admin' }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('delete_web_admin', { id: boss.id }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden' });
  expect((await login('admin', ADMIN_PASSWORD)).body.ok).toBe(true);
  expect((await login('boss', 'boss-password-123')).body.ok).toBe(true);

  // A key for a stronger admin is refused; a key without an admin is bound to the caller, not all-powerful.
  expect(await t.call('api_key_create', { name: 'escalate', admin: 'admin' }, { key: hr })).toMatchObject({ ok: false, error: 'forbidden' });
  const own = (await t.call('api_key_create', { name: 'hr-own' }, { key: hr })).data.key;
  expect((await t.call('me', {}, { key: own })).data).toMatchObject({ username: 'hrm', permissions: { settings: 'none', admins: 'write', api_keys: 'write' } });

  // A key of another full admin is still not the primary admin; a CLI key bound to no admin is.
  const bossKey = (await t.call('api_key_create', { name: 'boss-key', admin: 'boss' })).data.key;
  expect(await t.call('edit_web_admin', { id: primary.id, email: 'x@example.com' }, { key: bossKey })).toMatchObject({ ok: false, error: 'forbidden' });
  const { createApiKey } = await import('../../../src/services/core/api-keys');
  const cli = await createApiKey(t.db, 'cli', null);
  expect(await t.call('edit_web_admin', { id: primary.id, email: 'noc@example.com' }, { key: cli.key })).toMatchObject({ ok: true, data: { email: 'noc@example.com' } });
});

test('usernames ignore case on both databases: no second "Admin", and login accepts any case', async () => {
  expect(await t.call('add_web_admin', { username: 'Ops.Lead', password: 'ops-lead-password-1' })).toMatchObject({ ok: true });
  expect(await t.call('add_web_admin', { username: 'ops.lead', password: 'ops-lead-password-2' })).toMatchObject({ ok: false, error: 'duplicate_username' });
  expect((await login('OPS.LEAD', 'ops-lead-password-1')).body.ok).toBe(true);
  expect(await t.call('api_key_create', { name: 'k', admin: 'ops.lead' })).toMatchObject({ ok: true });
});

test('password guesses through disable_own_2fa spend the account’s login budget', async () => {
  // a fresh app: the address budget of this file is spent by the tests above
  const f = await makeTestApp();
  try {
    await f.call('add_web_admin', { username: 'guessed', password: 'guessed-password-1', role: 'admin' });
    const key = (await f.call('api_key_create', { name: 'stolen', admin: 'guessed' })).data.key;
    const secret = (await f.call('start_2fa_enroll', {}, { key })).data.secret;
    expect((await f.call('finish_2fa_enroll', { code: authenticator.generate(secret) }, { key })).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect((await f.call('disable_own_2fa', { password: `guess-${i}` }, { key })).error).toBe('invalid_password');
    const blocked = await f.post('disable_own_2fa', { password: 'guessed-password-1' }, { key });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('rate_limited');
    expect((await f.db('admins').where({ username: 'guessed' }).first()).totp_enabled).toBeTruthy();
  } finally {
    await f.close();
  }
});

import { findIspbillsClient, findSmartIspClient } from '../../../src/services/core/api-clients';
import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

test('ispbills: client_id and client_secret shown once, stored hashed, found by both, revoked at once', async () => {
  const r = await t.call('api_client_create', { name: 'mobile app', dialect: 'ispbills' });
  expect(r).toMatchObject({ ok: true, data: { dialect: 'ispbills', client_id: expect.stringMatching(/^ispb_/), client_secret: expect.any(String) } });
  const { id, client_id, client_secret } = r.data;
  const row = await t.db('api_clients').where({ id }).first();
  expect(JSON.stringify(row)).not.toContain(client_secret);
  expect((await findIspbillsClient(t.db, client_id, client_secret))?.id).toBe(id);
  expect(await findIspbillsClient(t.db, client_id, client_secret + 'x')).toBeNull();
  const list = await t.call('api_client_list', { dialect: 'ispbills' });
  expect(list.data).toEqual([expect.objectContaining({ id, client_id, active: true, admin: null })]);
  expect(JSON.stringify(list)).not.toContain(client_secret);
  expect(await t.call('api_client_revoke', { id })).toMatchObject({ ok: true, data: { id, revoked: true } });
  expect(await findIspbillsClient(t.db, client_id, client_secret)).toBeNull();
});

test('smartisp: a key shown once and found by itself only', async () => {
  const r = await t.call('api_client_create', { name: 'smartisp app', dialect: 'smartisp' });
  expect(r).toMatchObject({ ok: true, data: { dialect: 'smartisp', key: expect.stringMatching(/^smisp_/) } });
  expect(r.data.client_secret).toBeUndefined();
  expect((await findSmartIspClient(t.db, r.data.key))?.id).toBe(r.data.id);
  expect(await findSmartIspClient(t.db, r.data.key.slice(0, -1))).toBeNull();
});

test('bad input: unknown dialect, missing name, an admin that does not exist', async () => {
  expect(await t.call('api_client_create', { name: 'x', dialect: 'splynx' })).toMatchObject({ ok: false, error: 'invalid_dialect' });
  expect(await t.call('api_client_create', { dialect: 'smartisp' })).toMatchObject({ ok: false, error: 'missing_name' });
  expect(await t.call('api_client_create', { name: 'x', dialect: 'smartisp', admin: 'nobody' })).toMatchObject({ ok: false, error: 'admin_not_found' });
  expect(await t.call('api_client_revoke', { id: 999 })).toMatchObject({ ok: false, error: 'not_found' });
});

test('a credential for an admin carries that admin; nobody mints one beyond their own rights', async () => {
  expect((await t.call('add_web_admin', { username: 'support1', password: 'support-password-1', role: 'support' })).ok).toBe(true);
  const c = await t.call('api_client_create', { name: 'helpdesk app', dialect: 'ispbills', admin: 'support1' });
  expect(c).toMatchObject({ ok: true });
  expect((await t.db('api_clients').where({ id: c.data.id }).first()).admin_id).not.toBeNull();
  expect((await t.call('add_web_admin', { username: 'keys1', password: 'keys1-password-1', role: 'operator', 'permissions[api_keys]': 'write' })).ok).toBe(true);
  const k = await t.call('api_key_create', { name: 'keys1 key', admin: 'keys1' });
  const beyond = await t.call('api_client_create', { name: 'too strong', dialect: 'smartisp', admin: 'admin' }, { key: k.data.key });
  expect(beyond).toMatchObject({ ok: false, error: 'forbidden' });
});

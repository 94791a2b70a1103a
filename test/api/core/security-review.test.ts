import { makeTestApp, type TestApp } from '../../helpers/app';
import { createApiKey } from '../../../src/services/core/api-keys';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

async function adminId(username: string): Promise<number> {
  return (await t.db('admins').where({ username }).first('id')).id;
}

test('an admin holding every permission cannot mint a key for the primary admin, nor an unbound key, and so cannot take the primary over', async () => {
  expect(await t.call('add_web_admin', { username: 'deputy', password: 'deputy-password-1', role: 'admin' })).toMatchObject({ ok: true });
  const deputy = (await t.call('api_key_create', { name: 'deputy-key', admin: 'deputy' })).data.key as string;
  const primaryId = (await t.db('admins').where({ is_primary: true }).first('id')).id;

  expect(await t.call('api_key_create', { name: 'as-primary', admin: 'admin' }, { key: deputy })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('api_key_create', { name: 'as-primary', admin: 'ADMIN' }, { key: deputy })).toMatchObject({ ok: false, error: 'forbidden' });

  // Without "admin" the deputy's key is bound to the deputy, so it still cannot edit the primary.
  const own = await t.call('api_key_create', { name: 'unbound?' }, { key: deputy });
  expect(own.ok).toBe(true);
  expect((await t.db('api_keys').where({ id: own.data.id }).first('admin_id')).admin_id).toBe(await adminId('deputy'));
  expect(await t.call('edit_web_admin', { id: primaryId, password: 'taken-over-12345' }, { key: own.data.key })).toMatchObject({ ok: false, error: 'forbidden' });

  // The primary admin and a CLI key still do both.
  const byPrimary = await t.call('api_key_create', { name: 'primary-unbound' });
  expect(byPrimary.ok).toBe(true);
  expect((await t.db('api_keys').where({ id: byPrimary.data.id }).first('admin_id')).admin_id).toBeNull();
  const cli = await createApiKey(t.db, 'cli', null);
  expect(await t.call('api_key_create', { name: 'for-primary', admin: 'admin' }, { key: cli.key })).toMatchObject({ ok: true });
});

test('api_key_revoke: only the primary or a CLI key revokes the primary’s or an unbound key; nobody revokes a stronger admin’s key', async () => {
  await t.call('add_web_admin', { username: 'keyclerk', password: 'keyclerk-password-1', role: 'operator', permissions: { api_keys: 'write' } });
  await t.call('add_web_admin', { username: 'chief', password: 'chief-password-1', role: 'admin' });
  const clerk = (await t.call('api_key_create', { name: 'clerk', admin: 'keyclerk' })).data;
  const chief = (await t.call('api_key_create', { name: 'chief', admin: 'chief' })).data;
  const unbound = await createApiKey(t.db, 'integration', null);
  const primaryKeyId = (await t.db('api_keys').where({ admin_id: (await t.db('admins').where({ is_primary: true }).first('id')).id }).first('id')).id;

  expect(await t.call('api_key_revoke', { id: primaryKeyId }, { key: chief.key })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('api_key_revoke', { id: unbound.id }, { key: chief.key })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await t.call('api_key_revoke', { id: chief.id }, { key: clerk.key })).toMatchObject({ ok: false, error: 'forbidden' });
  expect((await t.call('me')).ok).toBe(true);
  expect((await t.call('me', {}, { key: unbound.key })).ok).toBe(true);

  // An admin revokes its own key and keys of admins it covers; the primary revokes anything.
  const spare = (await t.call('api_key_create', { name: 'clerk-2' }, { key: clerk.key })).data;
  expect(await t.call('api_key_revoke', { id: spare.id }, { key: clerk.key })).toMatchObject({ ok: true });
  expect(await t.call('api_key_revoke', { id: clerk.id }, { key: chief.key })).toMatchObject({ ok: true });
  expect(await t.call('api_key_revoke', { id: unbound.id })).toMatchObject({ ok: true });
});

test('list_web_admins: "_" and "%" in a search are characters, not LIKE wildcards', async () => {
  await t.call('add_web_admin', { username: 'noc_1', password: 'noc-password-123', role: 'readonly' });
  await t.call('add_web_admin', { username: 'nocx1', password: 'noc-password-123', role: 'readonly' });
  const r = await t.call('list_web_admins', { search: 'noc_' });
  expect(r.data.map((a: { username: string }) => a.username)).toEqual(['noc_1']);
  expect((await t.call('list_web_admins', { search: '%' })).data).toEqual([]);
});

test('webhook_create: a list of thousands of event names is refused without echoing it back', async () => {
  const events = Array.from({ length: 5000 }, (_, i) => `no.such.event.${i}`);
  const r = await t.post('webhook_create', { url: 'http://127.0.0.1:9/hook', events }, { json: true });
  expect(r.body).toMatchObject({ ok: false, error: 'invalid_events' });
  expect(JSON.stringify(r.body).length).toBeLessThan(2000);
  expect(await t.call('webhook_create', { url: 'http://127.0.0.1:9/hook', events: ['x'.repeat(10_000)] }, { json: true })).toMatchObject({ ok: false, error: 'invalid_events' });
});

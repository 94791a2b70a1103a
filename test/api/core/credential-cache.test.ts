/**
 * Credentials are cached per process (services/core/credentials.ts): a repeated call reads no credential row, and
 * every change to a key, an admin or a session is effective on the very next request, however it was made.
 * Several instances (through Redis) are covered in test/integration/multi-instance.test.ts.
 */
import request from 'supertest';
import { changesCredentials } from '../../../src/services/core/credentials';
import { createApiKey } from '../../../src/services/core/api-keys';
import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

/** The statements the app sends while `fn` runs. */
async function statements(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const on = (q: { sql: string }) => seen.push(q.sql);
  t.db.on('query', on);
  try {
    await fn();
  } finally {
    t.db.off('query', on);
  }
  return seen;
}

const credentialReads = (sqls: string[]) => sqls.filter((s) => /from [`"]?(api_keys|admins|sessions)[`"]?/i.test(s));

test('a repeated call with the same key reads no key, admin or session row, and writes nothing', async () => {
  const { key } = await createApiKey(t.db, 'cached', null);
  // Setting up the app changed admins a moment ago: nothing is cached for a second after a change (its commit).
  await new Promise((r) => setTimeout(r, 1100));
  expect((await t.call('me', {}, { key })).ok).toBe(true);
  const sqls = await statements(async () => expect((await t.call('me', {}, { key })).data).toMatchObject({ type: 'api_key', username: 'key:cached' }));
  expect(credentialReads(sqls)).toEqual([]);
  expect(sqls.filter((s) => /^\s*(insert|update|delete)/i.test(s))).toEqual([]);
});

test('a revoked key is refused on the very next request', async () => {
  const victim = await t.call('api_key_create', { name: 'victim' });
  expect((await t.call('me', {}, { key: victim.data.key })).ok).toBe(true);
  expect((await t.call('me', {}, { key: victim.data.key })).ok).toBe(true);
  expect((await t.call('api_key_revoke', { id: victim.data.id })).ok).toBe(true);
  const r = await t.post('me', {}, { key: victim.data.key });
  expect(r.status).toBe(401);
  expect(r.body).toMatchObject({ ok: false, error: 'unauthorized' });
});

test('an admin edited, deleted or changed straight in the database is seen on the very next request', async () => {
  await t.call('add_web_admin', { username: 'ops', password: 'ops-password-123', role: 'operator' });
  const ops = (await t.call('list_web_admins')).data.find((a: { username: string }) => a.username === 'ops');
  const key = (await t.call('api_key_create', { name: 'ops-key', admin: 'ops' })).data.key;
  expect((await t.call('list_customers', {}, { key })).ok).toBe(true);
  expect((await t.call('list_customers', {}, { key })).ok).toBe(true);

  expect((await t.call('edit_web_admin', { id: ops.id, permissions: { customers: 'none', tickets: 'read' } })).ok).toBe(true);
  expect(await t.call('list_customers', {}, { key })).toMatchObject({ ok: false, error: 'forbidden' });

  // A write made outside any action (a script, another tool on the same database connection pool) counts too.
  await t.db('admins').where({ id: ops.id }).update({ permissions: JSON.stringify({ customers: 'read' }) });
  expect((await t.call('list_customers', {}, { key })).ok).toBe(true);
  await t.db.transaction(async (trx) => {
    await trx('admins').where({ id: ops.id }).update({ permissions: JSON.stringify({ tickets: 'read' }) });
  });
  expect(await t.call('list_customers', {}, { key })).toMatchObject({ ok: false, error: 'forbidden' });

  expect((await t.call('delete_web_admin', { id: ops.id })).ok).toBe(true);
  expect((await t.post('me', {}, { key })).status).toBe(401);
});

test('a session ends at once on logout and when its admin’s password changes', async () => {
  await t.call('add_web_admin', { username: 'desk', password: 'desk-password-123', role: 'operator' });
  const desk = (await t.call('list_web_admins')).data.find((a: { username: string }) => a.username === 'desk');
  const signIn = async () => {
    const r = await request(t.app).post('/mikrotik/process.php').type('form').send({ action: 'login', username: 'desk', password: 'desk-password-123' });
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? []).find((s) => s.startsWith('ispgate_session='))!.split(';')[0];
    return { cookie, csrf: r.body.data.csrf_token as string };
  };
  const meWith = (cookie: string) => request(t.app).get('/mikrotik/process.php?action=me').set('Cookie', cookie);

  const a = await signIn();
  expect((await meWith(a.cookie)).body.ok).toBe(true);
  expect((await meWith(a.cookie)).body.ok).toBe(true);
  expect((await request(t.app).post('/mikrotik/process.php').set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf).type('form').send({ action: 'logout' })).body.ok).toBe(true);
  expect((await meWith(a.cookie)).status).toBe(401);

  const b = await signIn();
  expect((await meWith(b.cookie)).body.ok).toBe(true);
  expect((await t.call('edit_web_admin', { id: desk.id, password: 'desk-password-456' })).ok).toBe(true);
  expect((await meWith(b.cookie)).status).toBe(401);
});

test.each([
  ['update `api_keys` set `revoked_at` = ? where `id` = ?', true],
  ['update "admins" set "permissions" = ?, "updated_at" = ? where "id" = ?', true],
  ['delete from `sessions` where `id` = ?', true],
  ['delete from "admins" where "id" = ?', true],
  ['update `api_keys` set `last_used_at` = ? where `id` = ?', false],
  ['update `sessions` set `active_router_id` = ? where `id` = ?', false],
  ['insert into `sessions` (`admin_id`) values (?)', false],
  ['update `customers` set `status` = ? where `id` = ?', false],
  ['select * from `api_keys` where `key_hash` = ?', false],
  ['truncate `api_keys`', true],
])('changesCredentials(%s) = %s', (sql, expected) => {
  expect(changesCredentials(sql)).toBe(expected);
});

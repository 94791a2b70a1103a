import dns from 'node:dns';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { AddressNotAllowed, isPrivateAddress, postGuarded } from '../../../src/events/address-policy';
import { WebhookWorker } from '../../../src/events/webhook-worker';
import { emit } from '../../../src/events/outbox';
import { rolePermissions, ROLES, SECTIONS } from '../../../src/gateway/permissions';
import { createWebhook, listWebhooks } from '../../../src/services/core/webhooks';
import { mintApiKey } from '../../../src/services/core/api-keys';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { startReceiver } from '../../fakes/webhook-receiver';
import { noteSkip } from '../../helpers/skip';

let t: TestApp;
let strict: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  strict = await makeTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: '0' } });
});
afterAll(async () => {
  await t.close();
  await strict.close();
});

describe('webhook targets', () => {
  test.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://[::1]/hook', 'IPv6 loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata (link-local)'],
    ['http://10.1.2.3/hook', 'private 10/8'],
    ['http://192.168.1.10/hook', 'private 192.168/16'],
    ['http://172.20.0.5/hook', 'private 172.16/12'],
    ['http://[fd00:ec2::254]/hook', 'IPv6 unique-local'],
    ['http://[::ffff:127.0.0.1]/hook', 'IPv4-mapped loopback'],
    ['http://localhost:3000/hook', 'localhost by name'],
    ['ftp://example.com/hook', 'not http(s)'],
  ])('webhook_create refuses %s (%s) unless WEBHOOK_ALLOW_PRIVATE=1', async (url) => {
    const r = await strict.call('webhook_create', { url, events: ['invoice.paid'] });
    expect(r).toMatchObject({ ok: false, error: 'invalid_url' });
    expect(await strict.db('webhooks').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('public addresses are allowed; the address classifier is right on both families', () => {
    expect(isPrivateAddress('93.184.215.14')).toBe(false);
    expect(isPrivateAddress('2606:2800:21f:cb07:6820:80da:af6b:8b2c')).toBe(false);
    expect(isPrivateAddress('169.254.169.254')).toBe(true);
    expect(isPrivateAddress('100.64.0.1')).toBe(true);
    expect(isPrivateAddress('fe80::1')).toBe(true);
    expect(isPrivateAddress('::ffff:7f00:1')).toBe(true);
    expect(isPrivateAddress('::ffff:5db8:d70e')).toBe(false);
  });

  test('with WEBHOOK_ALLOW_PRIVATE=1 a loopback receiver is accepted and delivered to', async () => {
    const rx = await startReceiver();
    try {
      const hook = await t.call('webhook_create', { url: rx.url, events: ['invoice.paid'] });
      expect(hook).toMatchObject({ ok: true, data: { url: rx.url } });
      const sent = await t.call('webhook_test', { id: hook.data.id });
      expect(sent).toMatchObject({ ok: true, data: { delivered: true, status_code: 200 } });
      expect(rx.received).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });

  test('the address is checked again at delivery: a stored loopback URL is not sent to when private targets are refused', async () => {
    const rx = await startReceiver();
    try {
      // Stored while allowed (or before the rule existed); the worker of a strict server must still refuse it.
      const hook = await createWebhook(t.ctx(), { url: rx.url, events: ['invoice.paid'] });
      await t.db.transaction((trx) => emit(trx, 'invoice.paid', { invoice_id: 7 }));
      const worker = new WebhookWorker(t.rt.secrets, t.rt.log, { retryBaseMs: 1, maxAttempts: 3, timeoutMs: 2000, allowPrivate: false });
      expect(await worker.runOnce(t.db)).toMatchObject({ delivered: 0 });
      expect(rx.received).toHaveLength(0);
      const d = await t.db('webhook_deliveries').where({ webhook_id: hook.id }).first();
      expect(d.last_error).toMatch(/loopback, link-local or private/);
    } finally {
      await rx.close();
    }
  });

  test('a name resolving to a private address is refused by the connection’s own lookup (no DNS rebinding)', async () => {
    const host = os.hostname();
    const addrs = await dns.promises.lookup(host, { all: true }).catch(() => []);
    if (!addrs.length || !addrs.every((a) => isPrivateAddress(a.address))) {
      noteSkip(`${host} does not resolve to a private address on this machine, so the lookup guard cannot be exercised`);
      return;
    }
    const server = http.createServer((_q, s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    try {
      const port = (server.address() as AddressInfo).port;
      await expect(postGuarded(`http://${host}:${port}/`, {}, '{}', { timeoutMs: 2000, allowPrivate: false })).rejects.toBeInstanceOf(AddressNotAllowed);
      await expect(postGuarded(`http://${host}:${port}/`, {}, '{}', { timeoutMs: 2000, allowPrivate: true })).resolves.toEqual({ status: 200 });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('webhook_test reports the status code, never the receiver’s body', async () => {
    const secretBody = 'internal-admin-page-contents-42';
    const server = http.createServer((_q, s) => {
      s.statusCode = 500;
      s.end(secretBody);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
      const hook = await t.call('webhook_create', { url, events: ['*'] });
      const r = await t.call('webhook_test', { id: hook.data.id });
      expect(r).toMatchObject({ ok: true, data: { delivered: false, status_code: 500, error: 'HTTP 500' } });
      expect(JSON.stringify(r)).not.toContain(secretBody);
      expect(JSON.stringify(await t.db('webhook_attempts'))).not.toContain(secretBody);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('the webhook service works without HTTP: list shows counters, never the secret', async () => {
    const list = await listWebhooks(t.db);
    expect(list.length).toBeGreaterThan(0);
    expect(JSON.stringify(list)).not.toMatch(/whsec_|secret_enc/);
    expect(list[0]).toMatchObject({ deliveries: expect.objectContaining({ delivered: expect.any(Number) }) });
  });
});

describe('who may do what', () => {
  async function keyFor(app: TestApp, username: string, fields: Record<string, unknown>) {
    const a = await app.call('add_web_admin', { username, password: 'a-long-password', ...fields });
    expect(a.ok).toBe(true);
    return (await app.call('api_key_create', { name: `${username}-key`, admin: username })).data.key as string;
  }

  test('role=operator with permissions[billing]=read holds billing read and nothing else', async () => {
    const key = await keyFor(t, 'op-billing', { role: 'operator', 'permissions[billing]': 'read' });
    const me = await t.call('me', {}, { key });
    expect(me.data.permissions.billing).toBe('read');
    for (const s of SECTIONS.filter((x) => x !== 'billing')) expect([s, me.data.permissions[s]]).toEqual([s, 'none']);
    expect(await t.call('add_router', { name: 'r1', ip: '10.0.0.1', user: 'api', pass: 'secret', radius_secret: 's3cret', mode: 'radius' }, { key })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await t.call('pay_invoice', { invoice_id: 1, amount: '1.00' }, { key })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await t.call('list_invoices', {}, { key })).toMatchObject({ ok: true });
    expect(await t.db('routers').where({ name: 'r1' }).first()).toBeUndefined();
  });

  test.each(ROLES.filter((r) => r !== 'superadmin' && r !== 'admin'))('role %s without permissions holds exactly the role matrix', async (role) => {
    const key = await keyFor(t, `role-${role}`, { role });
    const me = await t.call('me', {}, { key });
    const expected = Object.fromEntries(SECTIONS.map((s) => [s, rolePermissions(role)[s] ?? 'none']));
    expect(me.data.permissions).toEqual(expected);
  });

  test('the role matrix: operator cannot manage admins, keys or settings; readonly reads everything; billing and support are narrow', () => {
    expect(rolePermissions('operator')).toMatchObject({ customers: 'write', routers: 'write', admins: 'none', api_keys: 'none', settings: 'read', webhooks: 'read' });
    expect(Object.values(rolePermissions('readonly')).every((l) => l === 'read')).toBe(true);
    expect(rolePermissions('billing')).toEqual({ customers: 'read', plans: 'read', billing: 'write', payments: 'write', einvoice: 'write' });
    expect(rolePermissions('support')).toEqual({ customers: 'read', plans: 'read', radius: 'read', routers: 'read', tickets: 'write', monitoring: 'read' });
  });

  test('a new role without permissions[] on edit gives exactly that role', async () => {
    const a = await t.call('add_web_admin', { username: 'rolechange', password: 'a-long-password', 'permissions[tickets]': 'write' });
    const e = await t.call('edit_web_admin', { id: a.data.id, role: 'readonly' });
    expect(e.data.permissions).toEqual(Object.fromEntries(SECTIONS.map((s) => [s, 'read'])));
  });

  test('a read-only admin cannot switch the active router (it changes what later calls act on)', async () => {
    const key = await keyFor(t, 'ro-switch', { role: 'readonly' });
    expect(await t.call('switch_router', {}, { key })).toMatchObject({ ok: false, error: 'forbidden' });
    const op = await keyFor(t, 'op-switch', { role: 'operator' });
    expect(await t.call('switch_router', {}, { key: op })).toMatchObject({ ok: true });
  });

  test('key minting rules live in the service: a non-primary admin gets a key bound to itself', async () => {
    const a = await t.call('add_web_admin', { username: 'minter', password: 'a-long-password', 'permissions[api_keys]': 'write' });
    const actor = { type: 'api_key', adminId: a.data.id as number, permissions: { api_keys: 'write' as const } };
    const k = await mintApiKey(t.db, actor, { name: 'self' });
    expect((await t.db('api_keys').where({ id: k.id }).first()).admin_id).toBe(a.data.id);
    await expect(mintApiKey(t.db, actor, { name: 'x', admin: 'admin' })).rejects.toMatchObject({ code: 'forbidden' });
  });
});

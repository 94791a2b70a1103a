import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createAdmin } from '../../../src/services/core/admins';
import { createApiKey } from '../../../src/services/core/api-keys';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { callAs, cleanupTenants, mysqlHas, randomSlug } from './helpers';

let t: TestApp;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a80000000049454e44ae426082', 'hex');

beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  if (t) await cleanupTenants(t);
  await t?.close();
});

async function provision(extra: Record<string, unknown> = {}) {
  const slug = randomSlug();
  const host = `panel.${slug}.test`;
  const body = await t.call('tenant_provision', { slug, name: `ISP ${slug}`, domains: [host], admin_username: 'boss', admin_email: 'boss@example.com', language: 'en', timezone: 'Europe/Berlin', ...extra });
  return { slug, host, body };
}

describe('tenant_provision', () => {
  test('creates the database, the first admin and one key, answered once; nothing secret in the row or logs', async () => {
    const { slug, host, body } = await provision({ primary_color: '#112233', max_subscribers: '5' });
    expect(body).toMatchObject({
      ok: true,
      data: {
        tenant: { slug, status: 'active', domains: [host], branding: { primary_color: '#112233' }, language: 'en', timezone: 'Europe/Berlin', limits: { max_subscribers: 5, max_routers: null } },
        admin: { username: 'boss', password: expect.any(String) },
        api_key: expect.any(String),
      },
    });
    const { admin, api_key: key } = body.data;
    expect(admin.password.length).toBeGreaterThanOrEqual(16);
    const row = await t.db('tenants').where({ slug }).first();
    expect(row.status).toBe('active');
    expect(await t.db('tenant_domains').where({ tenant_id: row.id }).pluck('hostname')).toEqual([host]);
    const url = t.rt.secrets.decrypt(row.database_url_enc);
    if (t.dialect === 'mysql') {
      expect(row.db_name).toBe(`ispt_${slug}`);
      expect(row.db_user).toBe(`ispt_${slug}`);
      expect(await mysqlHas('database', row.db_name)).toBe(true);
      expect(url).toContain(`ispt_${slug}:`); // connects as its own user, not root
      expect(url).not.toContain('root');
      expect(row.database_url_enc).not.toContain(row.db_user);
    } else {
      expect(url).toBe(`sqlite:${path.join(t.config.dataDir, 'tenants', `${slug}.sqlite`)}`);
      expect(fs.existsSync(path.join(t.config.dataDir, 'tenants', `${slug}.sqlite`))).toBe(true);
    }
    // The key works on the tenant's host and reads the tenant's own settings.
    const settings = await callAs(t, host, key, 'get_settings');
    expect(settings).toMatchObject({ ok: true, data: { company_name: `ISP ${slug}`, language: 'en', timezone: 'Europe/Berlin' } });
    // The admin can log in on the tenant's host with the answered password.
    expect(await callAs(t, host, null, 'login', { username: 'boss', password: admin.password })).toMatchObject({ ok: true });
    const logs = t.logs.join('\n');
    expect(logs).not.toContain(admin.password);
    expect(logs).not.toContain(key);
    if (t.dialect === 'mysql') expect(logs).not.toContain(new URL(url).password);
  });

  test('a given admin_password is used; a second call with the same slug answers duplicate_slug and leaves the first alone', async () => {
    const { slug, host, body } = await provision({ admin_password: 'given-password-1' });
    expect(body.data.admin.password).toBe('given-password-1');
    const audit = await t.db('audit_log').where({ action: 'tenant_provision' }).orderBy('id', 'desc').first();
    expect(audit.params).toContain(slug);
    expect(audit.params).not.toContain('given-password-1');
    const again = await t.call('tenant_provision', { slug, name: 'Other', domains: ['other.example.test'], admin_username: 'x', admin_email: 'x@example.com' });
    expect(again).toMatchObject({ ok: false, error: 'duplicate_slug' });
    expect(await t.db('tenants').where({ slug }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await t.db('tenant_domains').where({ hostname: 'other.example.test' }).first()).toBeUndefined();
    expect(await callAs(t, host, body.data.api_key, 'get_settings')).toMatchObject({ ok: true });
  });

  test('bad input: slug, domains, reserved slug, taken domain, short password', async () => {
    const base = { name: 'X', admin_username: 'a', admin_email: 'a@example.com', domains: ['x1.example.test'] };
    expect(await t.call('tenant_provision', { ...base, slug: 'Bad_Slug' })).toMatchObject({ ok: false, error: 'invalid_slug' });
    expect(await t.call('tenant_provision', { ...base, slug: '' })).toMatchObject({ ok: false, error: 'missing_slug' });
    expect(await t.call('tenant_provision', { ...base, slug: 'default' })).toMatchObject({ ok: false, error: 'invalid_slug' });
    expect(await t.call('tenant_provision', { ...base, slug: randomSlug(), domains: ['not a host'] })).toMatchObject({ ok: false, error: 'invalid_domains' });
    expect(await t.call('tenant_provision', { ...base, slug: randomSlug(), domains: undefined })).toMatchObject({ ok: false, error: 'missing_domains' });
    expect(await t.call('tenant_provision', { ...base, slug: randomSlug(), admin_password: 'short' })).toMatchObject({ ok: false, error: 'invalid_admin_password' });
    expect(await t.call('tenant_provision', { ...base, slug: randomSlug(), admin_email: 'nope' })).toMatchObject({ ok: false, error: 'invalid_admin_email' });
    const { host } = await provision();
    const taken = await t.call('tenant_provision', { ...base, slug: randomSlug(), domains: [host] });
    expect(taken).toMatchObject({ ok: false, error: 'duplicate_domain' });
    expect(await t.db('tenants').where({ name: 'X' }).first()).toBeUndefined();
  });

  test('branding uploads are stored for the tenant and served only under its own host', async () => {
    const slug = randomSlug();
    const host = `img.${slug}.test`;
    const r = await request(t.app)
      .post('/mikrotik/process.php')
      .set('Authorization', `Bearer ${t.key}`)
      .field('action', 'tenant_provision')
      .field('slug', slug)
      .field('name', 'Img ISP')
      .field('domains[]', host)
      .field('admin_username', 'boss')
      .field('admin_email', 'boss@example.com')
      .attach('logo', PNG, { filename: 'logo.png', contentType: 'image/png' });
    expect(r.body).toMatchObject({ ok: true, data: { tenant: { branding: { logo_url: expect.stringMatching(new RegExp(`^/uploads/${slug}/logo-[0-9a-f]{16}\\.png$`)) } } } });
    const logoUrl = r.body.data.tenant.branding.logo_url;
    const own = await request(t.app).get(logoUrl).set('Host', host);
    expect(own.status).toBe(200);
    expect(Buffer.compare(own.body, PNG)).toBe(0);
    expect((await request(t.app).get(logoUrl)).status).toBe(404); // platform host
    // Climbing out of the tenant's folder into the platform's is refused, encoded or not.
    fs.mkdirSync(path.join(t.config.dataDir, 'uploads', 'default'), { recursive: true });
    fs.writeFileSync(path.join(t.config.dataDir, 'uploads', 'default', 'platform.png'), PNG);
    expect((await request(t.app).get('/uploads/default/platform.png')).status).toBe(200);
    for (const p of [`/uploads/${slug}/../default/platform.png`, `/uploads/${slug}/..%2fdefault%2fplatform.png`, `/uploads/${slug}/%2e%2e/default/platform.png`])
      expect([p, (await request(t.app).get(p).set('Host', host)).status]).toEqual([p, 404]);
    expect(await callAs(t, host, r.body.data.api_key, 'get_settings')).toMatchObject({ ok: true, data: { logo_url: logoUrl } });
  });
});

describe('who may call the tenant actions', () => {
  test("a tenant's own admin is refused (forbidden); keys do not cross hosts (unauthorized)", async () => {
    const a = await provision();
    const key = a.body.data.api_key;
    for (const action of ['tenant_list', 'tenant_get', 'tenant_provision', 'tenant_suspend', 'tenant_delete'])
      expect(await callAs(t, a.host, key, action, { id: 1 })).toMatchObject({ ok: false, error: 'forbidden' });
    const described = await callAs(t, a.host, key, 'describe');
    expect(described.data.map((x: { action: string }) => x.action)).toContain('list_customers');
    expect(described.data.map((x: { action: string }) => x.action).filter((n: string) => n.startsWith('tenant_'))).toEqual([]);
    expect((await t.call('describe')).data.map((x: { action: string }) => x.action)).toContain('tenant_provision');
    // The tenant's key on the platform host, and the platform key on the tenant's host.
    expect(await callAs(t, null, key, 'list_customers')).toMatchObject({ ok: false, error: 'unauthorized' });
    expect(await callAs(t, a.host, t.key, 'list_customers')).toMatchObject({ ok: false, error: 'unauthorized' });
    const b = await provision();
    expect(await callAs(t, b.host, key, 'list_customers')).toMatchObject({ ok: false, error: 'unauthorized' });
    // A panel session of tenant A is unknown under B's host and the platform's.
    const login = await request(t.app).post('/mikrotik/process.php').set('Host', a.host).type('form').send({ action: 'login', username: 'boss', password: a.body.data.admin.password });
    expect(login.body).toMatchObject({ ok: true });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const me = (host: string) => request(t.app).post('/mikrotik/process.php').set('Host', host).set('Cookie', cookie).type('form').send({ action: 'me' });
    expect((await me(a.host)).body).toMatchObject({ ok: true });
    expect((await me(b.host)).body).toMatchObject({ ok: false, error: 'unauthorized' });
    expect((await me('127.0.0.1')).body).toMatchObject({ ok: false, error: 'unauthorized' });
  });

  test('a platform admin without tenants permission is forbidden', async () => {
    const op = await createAdmin(t.db, { username: 'op1', password: 'operator-pass-1', role: 'operator' });
    const k = await createApiKey(t.db, 'op', op.id);
    expect(await callAs(t, null, k.key, 'tenant_list')).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await callAs(t, null, k.key, 'tenant_provision', { slug: randomSlug(), name: 'x', domains: ['y.example.test'], admin_username: 'a', admin_email: 'a@example.com' })).toMatchObject({ ok: false, error: 'forbidden' });
  });
});

describe('limits', () => {
  test('add beyond max_subscribers and add_router beyond max_routers answer tenant_limit_reached', async () => {
    const { host, body, slug } = await provision({ max_subscribers: '1', max_routers: '1' });
    const key = body.data.api_key;
    expect(await callAs(t, host, key, 'add_plan', { name: 'P', download: '10M', upload: '1M', price: '10' })).toMatchObject({ ok: true });
    expect(await callAs(t, host, key, 'add', { username: 'u1', password: 'pw', plan: 'P' })).toMatchObject({ ok: true });
    expect(await callAs(t, host, key, 'add', { username: 'u2', password: 'pw', plan: 'P' })).toMatchObject({ ok: false, error: 'tenant_limit_reached' });
    const router = { name: 'r', user: 'admin', pass: 'x', radius_secret: 's' };
    expect(await callAs(t, host, key, 'add_router', { ...router, ip: '10.9.0.1' })).toMatchObject({ ok: true });
    expect(await callAs(t, host, key, 'add_router', { ...router, name: 'r2', ip: '10.9.0.2' })).toMatchObject({ ok: false, error: 'tenant_limit_reached' });
    // Raising the limit takes effect at once.
    expect(await t.call('tenant_edit', { slug, max_subscribers: '2' })).toMatchObject({ ok: true, data: { limits: { max_subscribers: 2 } } });
    expect(await callAs(t, host, key, 'add', { username: 'u2', password: 'pw', plan: 'P' })).toMatchObject({ ok: true });
    // The platform itself is not limited.
    expect(await t.call('add_plan', { name: 'P', download: '10M', upload: '1M', price: '10' })).toMatchObject({ ok: true });
  });

  test('20 concurrent adds with max_subscribers=5 (and add_router with max_routers=2): exactly the limit succeeds', async () => {
    const { host, body } = await provision({ max_subscribers: '5', max_routers: '2' });
    const key = body.data.api_key;
    expect(await callAs(t, host, key, 'add_plan', { name: 'P', download: '10M', upload: '1M', price: '10' })).toMatchObject({ ok: true });
    const adds = await Promise.all(Array.from({ length: 20 }, (_, i) => callAs(t, host, key, 'add', { username: `c${i}`, password: 'pw', plan: 'P' })));
    expect(adds.filter((r) => r.ok)).toHaveLength(5);
    expect(adds.filter((r) => !r.ok).map((r) => r.error)).toEqual(Array(15).fill('tenant_limit_reached'));
    const tdb = await t.rt.tenants.dbFor(body.data.tenant.id);
    expect(await tdb('customers').count({ n: '*' })).toEqual([{ n: 5 }]);
    expect(await tdb('radcheck').where({ attribute: 'Cleartext-Password' }).count({ n: '*' })).toEqual([{ n: 5 }]);
    const routers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => callAs(t, host, key, 'add_router', { name: `r${i}`, ip: `10.8.0.${i + 1}`, user: 'admin', pass: 'x', radius_secret: 's' })),
    );
    expect(routers.filter((r) => r.ok)).toHaveLength(2);
    expect(routers.filter((r) => !r.ok).map((r) => r.error)).toEqual(Array(4).fill('tenant_limit_reached'));
    expect(await tdb('routers').count({ n: '*' })).toEqual([{ n: 2 }]);
  });
});

describe('tenant_list / tenant_get / tenant_edit', () => {
  test('list and get show the tenant with counts, size and last activity', async () => {
    const { slug, host, body } = await provision();
    const key = body.data.api_key;
    await callAs(t, host, key, 'add_plan', { name: 'P', download: '10M', upload: '1M', price: '10' });
    await callAs(t, host, key, 'add', { username: 'g1', password: 'pw', plan: 'P' });
    const list = await t.call('tenant_list', { search: slug });
    expect(list).toMatchObject({ ok: true, data: { total: 1, tenants: [{ slug, domains: [host], status: 'active' }] } });
    expect(JSON.stringify(list)).not.toMatch(/database_url|password/);
    const got = await t.call('tenant_get', { slug });
    expect(got).toMatchObject({ ok: true, data: { slug, subscribers: 1, routers: 0, database_size: expect.any(Number), last_activity_at: expect.stringMatching(/^\d{4}-/) } });
    expect(got.data.database_size).toBeGreaterThan(0);
    expect(await t.call('tenant_get', { id: got.data.id })).toMatchObject({ ok: true, data: { slug } });
  });

  test('get bad input: unknown tenant, neither id nor slug', async () => {
    expect(await t.call('tenant_get', { id: 999999 })).toMatchObject({ ok: false, error: 'tenant_not_found' });
    expect(await t.call('tenant_get', {})).toMatchObject({ ok: false, error: 'missing_id' });
    expect(await t.call('tenant_list', { status: 'gone' })).toMatchObject({ ok: false, error: 'invalid_status' });
  });

  test('edit moves domains (the old host no longer reaches the tenant) and writes branding into its settings', async () => {
    const { slug, host, body } = await provision();
    const key = body.data.api_key;
    expect(await callAs(t, host, key, 'get_settings')).toMatchObject({ ok: true });
    const newHost = `new.${slug}.test`;
    const r = await t.call('tenant_edit', { slug, domains: [newHost], company_name: 'Renamed ISP', name: 'Renamed' });
    expect(r).toMatchObject({ ok: true, data: { name: 'Renamed', domains: [newHost], branding: { company_name: 'Renamed ISP' } } });
    expect(await callAs(t, host, key, 'get_settings')).toMatchObject({ ok: false, error: 'unauthorized' });
    expect(await callAs(t, newHost, key, 'get_settings')).toMatchObject({ ok: true, data: { company_name: 'Renamed ISP' } });
  });

  test('edit bad input: colour, unknown tenant, domain of another tenant', async () => {
    const a = await provision();
    const b = await provision();
    expect(await t.call('tenant_edit', { slug: a.slug, primary_color: 'red' })).toMatchObject({ ok: false, error: 'invalid_primary_color' });
    expect(await t.call('tenant_edit', { slug: 'nosuchtenant', name: 'x' })).toMatchObject({ ok: false, error: 'tenant_not_found' });
    expect(await t.call('tenant_edit', { slug: a.slug, domains: [b.host] })).toMatchObject({ ok: false, error: 'duplicate_domain' });
    expect(await t.db('tenant_domains').where({ hostname: b.host }).pluck('tenant_id')).toEqual([(await t.db('tenants').where({ slug: b.slug }).first()).id]);
  });
});

describe('tenant_suspend / tenant_resume / tenant_delete', () => {
  test('suspend: the API answers tenant_suspended and jobs skip it; resume brings it back', async () => {
    const { slug, host, body } = await provision();
    const key = body.data.api_key;
    const s = await t.call('tenant_suspend', { slug });
    expect(s).toMatchObject({ ok: true, data: { slug, status: 'suspended', suspended_at: expect.any(String) } });
    expect(await callAs(t, host, key, 'get_settings')).toMatchObject({ ok: false, error: 'tenant_suspended' });
    expect((await t.rt.tenants.list()).map((x) => x.tenant.slug)).not.toContain(slug);
    expect(await t.call('tenant_resume', { slug })).toMatchObject({ ok: true, data: { status: 'active', suspended_at: null } });
    expect(await callAs(t, host, key, 'get_settings')).toMatchObject({ ok: true });
    expect((await t.rt.tenants.list()).map((x) => x.tenant.slug)).toContain(slug);
  });

  test('suspend / resume bad input', async () => {
    expect(await t.call('tenant_suspend', { id: 999999 })).toMatchObject({ ok: false, error: 'tenant_not_found' });
    expect(await t.call('tenant_resume', { slug: 'Not Valid' })).toMatchObject({ ok: false, error: 'invalid_slug' });
  });

  test('delete: only a suspended tenant; export=1 writes a dump; database, user, files and rows go', async () => {
    const { slug, host, body } = await provision();
    const key = body.data.api_key;
    await callAs(t, host, key, 'add_plan', { name: 'Gold', download: '10M', upload: '1M', price: '10' });
    expect(await t.call('tenant_delete', { slug })).toMatchObject({ ok: false, error: 'tenant_not_suspended' });
    expect(await t.call('tenant_delete', { id: 999999 })).toMatchObject({ ok: false, error: 'tenant_not_found' });
    const row = await t.db('tenants').where({ slug }).first();
    await t.call('tenant_suspend', { slug });
    const d = await t.call('tenant_delete', { slug, export: '1' });
    expect(d).toMatchObject({ ok: true, data: { slug, deleted: true, export: { id: expect.any(Number), file: expect.stringMatching(/^exports\/tenants\/.+\.jsonl\.gz$/), bytes: expect.any(Number), rows: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    const onDisk = fs.readFileSync(path.join(t.config.dataDir, d.data.export.file));
    expect(onDisk.length).toBe(d.data.export.bytes);
    expect(fs.statSync(path.join(t.config.dataDir, d.data.export.file)).mode & 0o077).toBe(0); // secrets inside: owner only
    // The operator downloads it through the API (GET), byte for byte, after the tenant is gone.
    const dl = await request(t.app).get('/mikrotik/process.php').query({ action: 'tenant_export_download', id: d.data.export.id }).set('Authorization', `Bearer ${t.key}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/gzip');
    expect(dl.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${slug}-.+\\.jsonl\\.gz"; filename\\*=UTF-8''${slug}-.+\\.jsonl\\.gz$`));
    expect(dl.headers['x-checksum-sha256']).toBe(d.data.export.sha256);
    expect(Buffer.compare(dl.body, onDisk)).toBe(0);
    expect(require('node:crypto').createHash('sha256').update(dl.body).digest('hex')).toBe(d.data.export.sha256);
    const lines = require('node:zlib').gunzipSync(dl.body).toString('utf8').trim().split('\n').map((l: string) => JSON.parse(l));
    expect(lines).toHaveLength(d.data.export.rows);
    expect(lines).toContainEqual({ table: 'plans', row: expect.objectContaining({ name: 'Gold' }) });
    expect(lines).toContainEqual({ table: 'admins', row: expect.objectContaining({ username: 'boss' }) });
    expect(lines.filter((l: { table: string }) => l.table === 'knex_migrations').length).toBeGreaterThan(0);
    // Listed for the operator; never under the uploads folder that is served.
    expect(await t.call('tenant_exports', { slug }, { method: 'GET' })).toMatchObject({ ok: true, data: { total: 1, exports: [{ id: d.data.export.id, slug, bytes: d.data.export.bytes, sha256: d.data.export.sha256 }] } });
    expect(d.data.export.file.startsWith('uploads')).toBe(false);
    expect(await t.db('tenants').where({ slug }).first()).toBeUndefined();
    expect(await t.db('tenant_domains').where({ tenant_id: row.id }).first()).toBeUndefined();
    if (t.dialect === 'mysql') {
      expect(await mysqlHas('database', row.db_name)).toBe(false);
      expect(await mysqlHas('user', row.db_user)).toBe(false);
    } else {
      expect(fs.existsSync(path.join(t.config.dataDir, 'tenants', `${slug}.sqlite`))).toBe(false);
    }
    // The host now belongs to no one: the old key is refused there.
    expect(await callAs(t, host, key, 'get_settings')).toMatchObject({ ok: false, error: 'unauthorized' });
  });

  test('exports: only platform operators with tenants.write list, download or remove them; bad ids; a removed file answers tenant_export_missing', async () => {
    const { slug } = await provision();
    await t.call('tenant_suspend', { slug });
    const d = await t.call('tenant_delete', { slug, export: '1' });
    const exportId = d.data.export.id;
    // A tenant's own admin (whatever the role) is refused; so is a platform admin with tenants.read only.
    const other = await provision();
    for (const action of ['tenant_exports', 'tenant_export_download', 'tenant_export_delete'])
      expect(await callAs(t, other.host, other.body.data.api_key, action, { id: exportId })).toMatchObject({ ok: false, error: 'forbidden' });
    const viewer = await createAdmin(t.db, { username: `ro${slug}`, password: 'viewer-pass-12', role: 'operator', permissions: { tenants: 'read' } });
    const vk = await createApiKey(t.db, 'ro', viewer.id);
    expect(await callAs(t, null, vk.key, 'tenant_export_download', { id: exportId })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await callAs(t, null, vk.key, 'tenant_exports')).toMatchObject({ ok: false, error: 'forbidden' });
    // Bad input.
    expect(await t.call('tenant_export_download', { id: 'x1' })).toMatchObject({ ok: false, error: 'invalid_id' });
    expect(await t.call('tenant_export_download', { id: '../../etc/passwd' })).toMatchObject({ ok: false, error: 'invalid_id' });
    expect(await t.call('tenant_export_download', {})).toMatchObject({ ok: false, error: 'missing_id' });
    expect(await t.call('tenant_export_download', { id: 999999 })).toMatchObject({ ok: false, error: 'tenant_export_not_found' });
    expect(await t.call('tenant_exports', { slug: 'Not Valid' })).toMatchObject({ ok: false, error: 'invalid_slug' });
    // A file removed by hand is said so; tenant_export_delete removes the file and the entry.
    const file = path.join(t.config.dataDir, d.data.export.file);
    fs.renameSync(file, `${file}.bak`);
    expect(await t.call('tenant_export_download', { id: exportId })).toMatchObject({ ok: false, error: 'tenant_export_missing' });
    fs.renameSync(`${file}.bak`, file);
    expect(await t.call('tenant_export_delete', { id: exportId })).toMatchObject({ ok: true, data: { id: exportId, deleted: true } });
    expect(fs.existsSync(file)).toBe(false);
    expect(await t.db('tenant_exports').where({ id: exportId }).first()).toBeUndefined();
    expect(await t.call('tenant_export_delete', { id: exportId })).toMatchObject({ ok: false, error: 'tenant_export_not_found' });
    const audit = await t.db('audit_log').where({ action: 'tenant_export_download' }).orderBy('id', 'desc').first();
    expect(audit).toBeTruthy();
  }, 120_000); // two provisionings: on MariaDB each creates a database and runs every migration
});

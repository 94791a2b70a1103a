import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemContext } from '../../../src/context';
import { DEFAULT_TENANT } from '../../../src/db/tenants';
import { nowUtc } from '../../../src/db/knex';
import { provisionTenant } from '../../../src/services/tenants';
import { createStore } from '../../../src/services/tenants/storage';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { cleanupTenants, mysqlHas, randomSlug } from '../../api/tenants/helpers';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a80000000049454e44ae426082', 'hex');

let t: TestApp;
let badDir: string;
beforeAll(async () => {
  t = await makeTestApp();
  // A migration that does half its work and then fails, as a real broken migration would.
  badDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ispgate-badmig-'));
  fs.writeFileSync(
    path.join(badDir, '20990101000000_half.js'),
    "exports.up = async (knex) => { await knex.schema.createTable('half_made', (t) => { t.increments('id'); }); throw new Error('migration exploded'); };\nexports.down = async () => {};\n",
  );
});
afterAll(async () => {
  fs.rmSync(badDir, { recursive: true, force: true });
  if (t) await cleanupTenants(t);
  await t?.close();
});

test('a provisioning that fails at the migration step leaves no database, user, file or row behind', async () => {
  const slug = randomSlug('f');
  const ctx = systemContext(t.rt, DEFAULT_TENANT, t.db, 'test');
  const files = [{ field: 'logo', originalName: 'l.png', mimeType: 'image/png', size: PNG.length, path: '', buffer: PNG }];
  const input = { slug, name: 'Failing ISP', domains: [`panel.${slug}.test`], admin_username: 'boss', admin_email: 'boss@example.com' };
  await expect(provisionTenant(ctx, input, { migrationsDir: badDir, files })).rejects.toThrow('migration exploded');

  expect(await t.db('tenants').where({ slug }).first()).toBeUndefined();
  expect(await t.db('tenant_domains').where({ hostname: `panel.${slug}.test` }).first()).toBeUndefined();
  const uploads = path.join(t.config.dataDir, 'uploads', slug);
  expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([]);
  if (t.dialect === 'mysql') {
    expect(await mysqlHas('database', `ispt_${slug}`)).toBe(false);
    expect(await mysqlHas('user', `ispt_${slug}`)).toBe(false);
  } else {
    const dir = path.join(t.config.dataDir, 'tenants');
    expect(fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(slug)) : []).toEqual([]);
  }

  // The same slug provisions cleanly afterwards: nothing half-made is in the way.
  const ok = await provisionTenant(ctx, input);
  expect(ok.tenant).toMatchObject({ slug, status: 'active' });
});

test('a provisioning cut short by a crash (row left "provisioning") can be deleted once abandoned, with its database', async () => {
  const slug = randomSlug('x');
  const store = await createStore(t.db, t.config.DATABASE_URL, t.config.dataDir, slug);
  const old = nowUtc(new Date(Date.now() - 3600_000));
  await t.db('tenants').insert({ slug, name: 'Crashed', status: 'provisioning', db_name: store.dbName, db_user: store.dbUser, created_at: old, updated_at: old });
  const fresh = randomSlug('y');
  await t.db('tenants').insert({ slug: fresh, name: 'In progress', status: 'provisioning', created_at: nowUtc(), updated_at: nowUtc() });

  expect(await t.call('tenant_delete', { slug: fresh })).toMatchObject({ ok: false, error: 'tenant_not_suspended' });
  expect(await t.call('tenant_delete', { slug })).toMatchObject({ ok: true, data: { slug, deleted: true } });
  expect(await t.db('tenants').where({ slug }).first()).toBeUndefined();
  if (t.dialect === 'mysql') {
    expect(await mysqlHas('database', store.dbName!)).toBe(false);
    expect(await mysqlHas('user', store.dbUser!)).toBe(false);
  } else {
    expect(fs.existsSync(store.file!)).toBe(false);
  }
});

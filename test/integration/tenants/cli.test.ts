import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { callAs, cleanupTenants, mysqlHas, randomSlug } from '../../api/tenants/helpers';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

let t: TestApp;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  t = await makeTestApp();
  env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: t.config.DATABASE_URL, DATA_DIR: t.config.DATA_DIR, APP_KEY: t.config.APP_KEY, LOG_LEVEL: 'warn' };
});
afterAll(async () => {
  if (t) await cleanupTenants(t);
  await t?.close();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(TSX, ['src/cli.ts', 'tenant', ...args], { cwd: ROOT, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test('tenant create|list|suspend|resume|delete from the CLI, with the API’s rules', async () => {
  const slug = randomSlug('c');
  const host = `panel.${slug}.test`;
  const made = await cli('create', '--slug', slug, '--name', 'CLI ISP', '--domain', host, '--domain', `www.${slug}.test`, '--admin-username', 'boss', '--admin-email', 'boss@example.com', '--max-subscribers', '10');
  expect(made.code).toBe(0);
  const out = JSON.parse(made.stdout);
  expect(out).toMatchObject({ tenant: { slug, domains: [host, `www.${slug}.test`], limits: { max_subscribers: 10 } }, admin: { username: 'boss', password: expect.any(String) }, api_key: expect.any(String) });
  expect(await callAs(t, `www.${slug}.test`, out.api_key, 'get_settings')).toMatchObject({ ok: true, data: { company_name: 'CLI ISP' } });

  const dup = await cli('create', '--slug', slug, '--name', 'Again', '--domain', 'x.example.test', '--admin-username', 'a', '--admin-email', 'a@example.com');
  expect(dup.code).toBe(1);
  expect(dup.stderr).toContain('duplicate_slug');
  const bad = await cli('create', '--slug', 'Bad Slug', '--name', 'x', '--domain', 'x.example.test', '--admin-username', 'a', '--admin-email', 'a@example.com');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('invalid_slug');

  const list = JSON.parse((await cli('list')).stdout);
  expect(list.tenants.map((x: { slug: string }) => x.slug)).toContain(slug);

  expect(JSON.parse((await cli('suspend', '--slug', slug)).stdout)).toMatchObject({ slug, status: 'suspended' });
  // Another process (this app) learns of it when its 30 s host cache expires; the test does not wait for that.
  t.rt.tenants.hostCache.clear();
  expect(await callAs(t, host, out.api_key, 'get_settings')).toMatchObject({ ok: false, error: 'tenant_suspended' });
  expect(JSON.parse((await cli('resume', '--slug', slug)).stdout)).toMatchObject({ status: 'active' });

  const notSuspended = await cli('delete', '--slug', slug);
  expect(notSuspended.code).toBe(1);
  expect(notSuspended.stderr).toContain('tenant_not_suspended');
  await cli('suspend', '--slug', slug);
  const row = await t.db('tenants').where({ slug }).first();
  await t.rt.tenants.forget(row.id); // this process holds the tenant's database open; the CLI drops it
  const del = await cli('delete', '--slug', slug, '--export');
  expect(del.code).toBe(0);
  const deleted = JSON.parse(del.stdout);
  expect(deleted).toMatchObject({ slug, deleted: true, export: { id: expect.any(Number), file: expect.stringContaining(slug) } });
  const exports = JSON.parse((await cli('exports', '--slug', slug)).stdout);
  expect(exports).toMatchObject({ total: 1, exports: [{ id: deleted.export.id, slug, sha256: deleted.export.sha256, path: path.join(t.config.dataDir, deleted.export.file) }] });
  expect(fs.statSync(exports.exports[0].path).size).toBe(deleted.export.bytes);
  expect(await t.db('tenants').where({ slug }).first()).toBeUndefined();
  if (t.dialect === 'mysql') expect(await mysqlHas('database', row.db_name)).toBe(false);
}, 400_000); // ten CLI processes, each starting tsx and migrating

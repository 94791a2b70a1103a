import crypto from 'node:crypto';
import qs from 'qs';
import request from 'supertest';
import knexFactory, { type Knex } from 'knex';
import type { TestApp } from '../../helpers/app';
import { MYSQL_ADMIN_URL } from '../../helpers/db';
import { dropStore } from '../../../src/services/tenants/storage';
import path from 'node:path';

export function randomSlug(prefix = 't'): string {
  return `${prefix}${crypto.randomBytes(5).toString('hex')}`;
}

/** POST an action to the app under a given Host, with a given key (or none). */
export async function callAs(t: TestApp, host: string | null, key: string | null, action: string, fields: Record<string, unknown> = {}) {
  let r = request(t.app).post('/mikrotik/process.php');
  if (host) r = r.set('Host', host);
  if (key) r = r.set('Authorization', `Bearer ${key}`);
  return (await r.set('Content-Type', 'application/x-www-form-urlencoded').send(qs.stringify({ action, ...fields }))).body;
}

/** Removes every tenant database, user and file a test left behind (tests drop what they made, even on failure). */
export async function cleanupTenants(t: TestApp): Promise<void> {
  await t.rt.tenants.close();
  const rows = await t.db('tenants').select('*');
  for (const r of rows) {
    await dropStore(t.db, { dialect: t.dialect, dbName: r.db_name ?? `ispt_${String(r.slug).replace(/-/g, '_')}`, dbUser: r.db_user ?? `ispt_${String(r.slug).replace(/-/g, '_')}`, file: path.join(t.config.dataDir, 'tenants', `${r.slug}.sqlite`) }).catch(() => undefined);
  }
}

export function rootMysql(): Knex {
  const u = new URL(MYSQL_ADMIN_URL);
  return knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
}

export async function mysqlHas(kind: 'database' | 'user', name: string): Promise<boolean> {
  const root = rootMysql();
  try {
    const r = kind === 'database' ? await root.raw('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]) : await root.raw('SELECT 1 FROM mysql.user WHERE User = ?', [name]);
    return (r[0] as unknown[]).length > 0;
  } finally {
    await root.destroy();
  }
}

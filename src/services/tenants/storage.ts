/**
 * Where a tenant's data lives: on MariaDB its own database and its own user with grants on that database only
 * (the platform's credentials never serve a tenant); on SQLite its own file under DATA_DIR/tenants/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { dialectOf } from '../../db/knex';
import { AppError } from '../../errors';
import { randomToken } from '../../secrets';

export const SLUG_RE = /^[a-z][a-z0-9-]{1,30}$/;
const PREFIX = 'ispt_';

export interface TenantStore {
  dialect: 'sqlite' | 'mysql';
  /** Connection URL of the tenant's own database (with the tenant user's password on MariaDB): seal it. */
  url: string;
  dbName: string | null;
  dbUser: string | null;
  file: string | null;
}

/** Database and user names from a validated slug: `-` becomes `_`, and a prefix keeps them apart from the rest. */
export function mysqlNames(slug: string): { database: string; user: string } {
  if (!SLUG_RE.test(slug)) throw new AppError('invalid_slug', 'The slug must be 2-31 lower-case letters, digits or "-", starting with a letter.', 422);
  const n = PREFIX + slug.replace(/-/g, '_');
  return { database: n, user: n };
}

export function sqliteFile(dataDir: string, slug: string): string {
  if (!SLUG_RE.test(slug)) throw new AppError('invalid_slug', 'The slug must be 2-31 lower-case letters, digits or "-", starting with a letter.', 422);
  return path.join(dataDir, 'tenants', `${slug}.sqlite`);
}

/**
 * Creates the tenant's empty database. Refuses (tenant_database_exists) rather than reuse a database, user or
 * file that is already there: it may belong to someone, and the undo would then remove what it did not make.
 */
export async function createStore(main: Knex, mainUrl: string, dataDir: string, slug: string): Promise<TenantStore> {
  if (dialectOf(mainUrl) === 'sqlite') {
    const file = sqliteFile(dataDir, slug);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      // 'wx': fails if the file exists, so two provisionings cannot share one file.
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError('tenant_database_exists', `A database file for "${slug}" exists already; remove or rename it first.`, 409);
      throw e;
    }
    return { dialect: 'sqlite', url: `sqlite:${file}`, dbName: null, dbUser: null, file };
  }
  const { database, user } = mysqlNames(slug);
  const exists = await main.raw('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
  if ((exists[0] as unknown[]).length) throw new AppError('tenant_database_exists', `A database "${database}" exists already on the server; drop it or pick another slug.`, 409);
  const users = await main.raw('SELECT User FROM mysql.user WHERE User = ?', [user]);
  if ((users[0] as unknown[]).length) throw new AppError('tenant_database_exists', `A database user "${user}" exists already on the server; drop it or pick another slug.`, 409);
  const password = randomToken(24);
  await main.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [database]);
  try {
    await main.raw("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
  } catch (e) {
    await main.raw('DROP DATABASE IF EXISTS ??', [database]);
    throw e;
  }
  try {
    // Everything on its own database (the migrations create, alter, index and reference tables), nothing else.
    await main.raw("GRANT ALL PRIVILEGES ON ??.* TO ?@'%'", [database, user]);
  } catch (e) {
    await dropStore(main, { dialect: 'mysql', dbName: database, dbUser: user, file: null });
    throw e;
  }
  const u = new URL(mainUrl.replace(/^mariadb:/, 'mysql:'));
  const url = `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${u.hostname}:${u.port || 3306}/${database}`;
  return { dialect: 'mysql', url, dbName: database, dbUser: user, file: null };
}

/** Removes the database and its user, or the file; what is already gone is not an error. */
export async function dropStore(main: Knex, s: Pick<TenantStore, 'dialect' | 'dbName' | 'dbUser' | 'file'>): Promise<void> {
  if (s.dialect === 'sqlite') {
    if (s.file) for (const f of [s.file, `${s.file}-wal`, `${s.file}-shm`, `${s.file}-journal`]) fs.rmSync(f, { force: true });
    return;
  }
  if (s.dbName) await main.raw('DROP DATABASE IF EXISTS ??', [s.dbName]);
  if (s.dbUser) await main.raw("DROP USER IF EXISTS ?@'%'", [s.dbUser]);
}

export async function storeSize(main: Knex, s: Pick<TenantStore, 'dialect' | 'dbName' | 'file'>): Promise<number | null> {
  if (s.dialect === 'sqlite') {
    if (!s.file) return null;
    let n = 0;
    for (const f of [s.file, `${s.file}-wal`]) n += fs.existsSync(f) ? fs.statSync(f).size : 0;
    return n;
  }
  const r = await main.raw('SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [s.dbName]);
  return Number((r[0] as Array<{ n: number }>)[0]?.n ?? 0);
}

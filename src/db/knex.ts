import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';

export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(url: string): Dialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql';
  throw new Error(`DATABASE_URL must start with sqlite: or mysql:// (got "${url.split(':')[0]}:")`);
}

/** Opens a Knex handle for `sqlite:<path>` (better-sqlite3, WAL, foreign keys on) or `mysql://user:pass@host:port/db`. */
export function createKnex(url: string): Knex {
  if (dialectOf(url) === 'sqlite') {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '') || ':memory:';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      // A failed query's message would otherwise carry its bound values (password hashes, PPPoE passwords)
      // into logs and stack traces; the SQL with placeholders is enough to debug.
      compileSqlOnError: false,
      connection: { filename: file },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: { pragma: (s: string) => unknown }, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return knexFactory({
    client: 'mysql2',
    compileSqlOnError: false,
    connection: {
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: u.pathname.replace(/^\//, ''),
      charset: 'utf8mb4',
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
    },
    pool: { min: 0, max: Number(u.searchParams.get('pool') ?? 10) },
  });
}

export function isSqlite(db: Knex): boolean {
  return (db.client.config.client as string) === 'better-sqlite3';
}

/** UTC timestamp string that sorts and compares the same on SQLite and MariaDB DATETIME columns. */
export function nowUtc(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Database DATETIME value (either dialect) → ISO-8601 UTC for the wire. */
export function toIso(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(s) ? s.slice(0, 19).replace(' ', 'T') + 'Z' : s;
}

/** SELECT … FOR UPDATE on MariaDB; SQLite serialises writers already, so the plain query is the lock. */
export function forUpdate<T extends Knex.QueryBuilder>(db: Knex, q: T): T {
  return (isSqlite(db) ? q : q.forUpdate()) as T;
}

/** Insert and return the new id on both dialects. */
export async function insertId(db: Knex, table: string, row: Record<string, unknown>): Promise<number> {
  const res = await db(table).insert(row);
  return Number(Array.isArray(res) ? res[0] : res);
}

/** JSON columns are TEXT on both dialects; these keep the parsing in one place. */
export function parseJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined || v === '') return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

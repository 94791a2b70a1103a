import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { fold, FOLD_SQL } from '../domain/fold';

export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(url: string): Dialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql';
  throw new Error(`DATABASE_URL must start with sqlite: or mysql:// (got "${url.split(':')[0]}:")`);
}

interface PreparedStatement {
  reader: boolean;
  safeIntegers(on?: boolean): PreparedStatement;
}
interface PreparingConnection {
  prepare(sql: string): PreparedStatement;
}

/**
 * Knex prepares every better-sqlite3 statement anew on each query; compiling the SQL is most of the cost of a small
 * indexed read. The connection keeps its last STATEMENT_CACHE statements by SQL text and hands back the compiled one
 * (SQLite re-prepares it by itself after a schema change). Statements run synchronously to completion under Knex
 * (all/run, never iterate), so one is never busy when handed out again; safeIntegers is reset to the default.
 */
const STATEMENT_CACHE = 500;
function reusePreparedStatements(conn: PreparingConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, PreparedStatement>();
  conn.prepare = (sql: string) => {
    let st = cache.get(sql);
    if (st) {
      cache.delete(sql);
      cache.set(sql, st);
      return st.safeIntegers(false);
    }
    st = prepare(sql);
    if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(sql, st);
    return st;
  };
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
        afterCreate: (
          conn: { pragma: (s: string) => unknown; function: (name: string, opts: { deterministic: boolean }, fn: (v: unknown) => unknown) => unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) => {
          // Case and accent folding like MariaDB's collation, for the username indexes and searches.
          conn.function(FOLD_SQL, { deterministic: true }, (v) => (typeof v === 'string' ? fold(v) : v));
          conn.pragma('journal_mode = WAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          reusePreparedStatements(conn as unknown as PreparingConnection);
          done(null, conn);
        },
      },
    });
  }
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const ms = (name: string, def: number) => {
    const v = Number(u.searchParams.get(name) ?? def);
    return Number.isSafeInteger(v) && v > 0 ? v : def;
  };
  // A frozen server (SIGSTOP, a stalled disk, a dead link) must not hang every request and /healthz for as
  // long as it lasts: a connection is awaited at most acquire_timeout_ms, a query at most query_timeout_ms.
  const acquireTimeoutMs = ms('acquire_timeout_ms', 5000);
  const queryTimeoutMs = ms('query_timeout_ms', 10_000);
  const db = knexFactory({
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
      connectTimeout: acquireTimeoutMs,
    },
    acquireConnectionTimeout: acquireTimeoutMs,
    pool: { min: 0, max: Number(u.searchParams.get('pool') ?? 10), createTimeoutMillis: acquireTimeoutMs },
  });
  (db.client as { acquireTimeoutMs?: number }).acquireTimeoutMs = acquireTimeoutMs;
  withQueryDeadline(db, queryTimeoutMs);
  return db;
}

/**
 * Every MariaDB query gets a deadline. mysql2's own `timeout` leaves the connection waiting for the late
 * answer, so the next query on it would queue behind; this one destroys the connection instead (the pool drops
 * it and opens a fresh one) and fails with DB_QUERY_TIMEOUT, which the gateway answers as 503. Migrations lift
 * the deadline (see setQueryDeadline): an ALTER on a large table may legitimately take minutes.
 */
function withQueryDeadline(db: Knex, defaultMs: number) {
  const client = db.client as { _query: (conn: any, obj: any) => Promise<unknown>; queryDeadlineMs?: number };
  client.queryDeadlineMs = defaultMs;
  const original = client._query.bind(client);
  client._query = (conn: any, obj: any) => {
    const limit = client.queryDeadlineMs ?? 0;
    if (!limit) return original(conn, obj);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        try {
          conn.destroy();
        } catch {
          // already gone
        }
        reject(Object.assign(new Error(`The database did not answer within ${limit} ms.`), { code: 'DB_QUERY_TIMEOUT' }));
      }, limit);
      original(conn, obj).then(
        (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  };
}

/** Changes (0 = lifts) the per-query deadline of a MariaDB handle; returns the previous one. */
export function setQueryDeadline(db: Knex, ms: number): number {
  const client = db.client as { queryDeadlineMs?: number };
  const prev = client.queryDeadlineMs ?? 0;
  if (client.queryDeadlineMs !== undefined) client.queryDeadlineMs = ms;
  return prev;
}

/** How long a health check may wait for the database before it says 503. */
export function healthDeadlineMs(db: Knex): number {
  return Math.min(3000, (db.client as { acquireTimeoutMs?: number }).acquireTimeoutMs ?? 3000);
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

/**
 * One server process for bench/pipeline.ts. Modes:
 *   ispgate   — the real app (createApp) answering POST /mikrotik/process.php action=me (credentials cached, as run)
 *   ispgate-uncached — the same with the credential cache off: the key and admin read on every request, as bare
 *   bare-knex — a bare Express 5 route running the same statements as action=me (the key by its hash, the admin
 *               by id) through Knex made by the same createKnex (same driver, same pool, same statement reuse)
 *   bare-raw  — the same route and statements on the driver itself (better-sqlite3 / mysql2 pool, no Knex)
 * It prints one JSON line {"port","pid"} when it listens. Usage: tsx bench/pipeline-server.ts <mode> <DATABASE_URL> <dataDir> <appKey>
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import express from 'express';
import { createApp, createRuntime } from '../src/app';
import { loadConfig } from '../src/config';
import { createKnex } from '../src/db/knex';
import { fullPermissions } from '../src/gateway/permissions';
import { createLogger } from '../src/logger';

const [mode, url, dataDir, appKey] = process.argv.slice(2);

const FULL = fullPermissions();
const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const KEY_SQL_SQLITE = 'select * from `api_keys` where `key_hash` = ? and `revoked_at` is null limit ?';
const ADMIN_SQL = 'select * from `admins` where `id` = ? limit ?';

function bareApp(lookup: (hash: string) => Promise<{ key: Record<string, unknown> | undefined; admin?: Record<string, unknown> }>) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/bare', express.urlencoded({ extended: false, limit: '2mb' }), async (req, res) => {
    try {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!m || req.body?.action !== 'me') return void res.status(401).json({ ok: false, error: 'unauthorized' });
      const { key, admin } = await lookup(sha(m[1]));
      if (!key || !admin) return void res.status(401).json({ ok: false, error: 'unauthorized' });
      // The same reply as action=me (the admin's public fields and its 21 permission sections).
      const iso = (v: unknown) => (v ? new Date(String(v).replace(' ', 'T') + 'Z').toISOString() : null);
      const admin_ = { id: admin.id, username: admin.username, email: admin.email, role: admin.role, permissions: FULL, is_primary: Boolean(admin.is_primary), two_factor_enabled: Boolean(admin.totp_enabled), last_login_at: iso(admin.last_login_at), created_at: iso(admin.created_at) };
      res.json({ ok: true, data: { type: 'api_key', username: admin.username, admin: admin_, permissions: FULL, tenant: 'default' } });
    } catch (e) {
      res.status(500).json({ ok: false, error: String(e) });
    }
  });
  return app;
}

async function main() {
  let app: express.Express;
  if (mode === 'ispgate' || mode === 'ispgate-uncached') {
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, DATA_DIR: dataDir, APP_KEY: appKey, LOG_LEVEL: 'warn', JOBS_ENABLED: 'false' });
    const rt = createRuntime(config, { log: createLogger({ level: 'warn', json: true }), rateLimits: false, ...(mode === 'ispgate-uncached' ? { credentialTtlMs: 0 } : {}) });
    app = createApp(rt) as unknown as express.Express;
  } else if (mode === 'bare-knex') {
    const db = createKnex(url);
    app = bareApp(async (hash) => {
      const key = await db('api_keys').where({ key_hash: hash }).whereNull('revoked_at').first();
      const admin = key ? await db('admins').where({ id: key.admin_id }).first() : undefined;
      return { key, admin };
    });
  } else if (mode === 'bare-raw' && url.startsWith('sqlite:')) {
    const Database = createRequire(__filename)('better-sqlite3') as new (file: string) => {
      pragma(s: string): unknown;
      prepare(sql: string): { get(...args: unknown[]): unknown };
    };
    const conn = new Database(url.slice('sqlite:'.length));
    conn.pragma('journal_mode = WAL');
    conn.pragma('busy_timeout = 5000');
    const k = conn.prepare(KEY_SQL_SQLITE);
    const a = conn.prepare(ADMIN_SQL);
    app = bareApp(async (hash) => {
      const key = k.get(hash, 1) as Record<string, unknown> | undefined;
      const admin = key ? (a.get(key.admin_id, 1) as Record<string, unknown> | undefined) : undefined;
      return { key, admin };
    });
  } else if (mode === 'bare-raw') {
    const mysql = await import('mysql2/promise');
    const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const pool = mysql.createPool({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1), connectionLimit: 10, dateStrings: true, timezone: 'Z', charset: 'utf8mb4' });
    app = bareApp(async (hash) => {
      const [keys] = (await pool.query(KEY_SQL_SQLITE, [hash, 1])) as unknown as [Record<string, unknown>[]];
      const key = keys[0];
      const [admins] = key ? ((await pool.query(ADMIN_SQL, [key.admin_id, 1])) as unknown as [Record<string, unknown>[]]) : [[]];
      return { key, admin: admins[0] };
    });
  } else throw new Error(`unknown mode ${mode}`);
  const server = app.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    process.stdout.write(JSON.stringify({ port: addr.port, pid: process.pid }) + '\n');
  });
  // BENCH_MEM_SAMPLE=1 (bench/memory.ts): the peak of each part of the process's memory, sampled every 250 ms and
  // printed as one JSON line when it stops, to tell the JavaScript heap from buffers and the rest of the RSS.
  const peak: Record<string, number> = {};
  if (process.env.BENCH_MEM_SAMPLE === '1') {
    const sample = () => {
      const m = process.memoryUsage() as unknown as Record<string, number>;
      for (const [k, v] of Object.entries(m)) peak[k] = Math.max(peak[k] ?? 0, v);
      for (const sp of v8.getHeapSpaceStatistics()) peak[`space:${sp.space_name}`] = Math.max(peak[`space:${sp.space_name}`] ?? 0, sp.space_size);
    };
    setInterval(sample, 250).unref();
  }
  process.on('SIGTERM', () => {
    if (process.env.BENCH_MEM_SAMPLE === '1') process.stdout.write(JSON.stringify({ memoryPeakMiB: Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v / 1048576)])) }) + '\n', () => process.exit(0));
    else process.exit(0);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

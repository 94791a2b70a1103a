import qs from 'qs';
import request from 'supertest';
import type { Knex } from 'knex';
import { closeRuntime, createApp, createRuntime } from '../../src/app';
import { prepareDatabase } from '../../src/bootstrap';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { Runtime } from '../../src/runtime';
import { systemContext } from '../../src/context';
import { DEFAULT_TENANT } from '../../src/db/tenants';
import type { ActionContext } from '../../src/gateway/action';
import type { TaskDef } from '../../src/jobs/queue';
import { freshDatabase, testDialect } from './db';

export const ADMIN_PASSWORD = 'admin-password-123';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  rt: Runtime;
  db: Knex;
  config: Config;
  /** The primary admin's API key (full permissions). */
  key: string;
  /** Every log line written, for assertions that no secret leaks. */
  logs: string[];
  dialect: 'sqlite' | 'mysql';
  /** POST form-encoded (PHP bracket syntax) to /mikrotik/process.php with the key; resolves to the JSON body. */
  call(action: string, fields?: Record<string, unknown>, opts?: CallOptions): Promise<any>;
  /** Same, resolving to the whole supertest response (status, headers, body). */
  post(action: string, fields?: Record<string, unknown>, opts?: CallOptions): Promise<request.Response>;
  /** A system context on the default tenant, for services and jobs. */
  ctx(): ActionContext;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string | null;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  json?: boolean;
}

/**
 * An app on a fresh database of the dialect chosen by TEST_DATABASE (sqlite by default, or mysql), migrated,
 * with the primary admin (password ADMIN_PASSWORD) and its API key. Request budgets are off unless asked for.
 */
export async function makeTestApp(opts: { env?: Record<string, string>; rateLimits?: boolean; tasks?: TaskDef[]; databaseUrl?: (url: string) => string } = {}): Promise<TestApp> {
  const dialect = testDialect();
  const fresh = await freshDatabase(dialect);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(fresh.url) : fresh.url,
    DATA_DIR: fresh.dir,
    APP_KEY: 'test-app-key-0123456789abcdef0123456789',
    LOG_LEVEL: 'silent',
    WEBHOOK_RETRY_BASE_MS: '1',
    WEBHOOK_TIMEOUT_MS: '3000',
    // Test receivers listen on loopback, which production refuses (see README, Webhooks).
    WEBHOOK_ALLOW_PRIVATE: '1',
    ...opts.env,
  });
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', json: true, sink: (l) => logs.push(l) });
  log.transports.forEach((t) => {
    if (t.constructor.name === 'Console') t.silent = true;
  });
  const rt = createRuntime(config, { log, rateLimits: opts.rateLimits ?? false, tasks: opts.tasks });
  const prepared = await prepareDatabase(rt.db, ADMIN_PASSWORD);
  const app = createApp(rt);

  const post = (action: string, fields: Record<string, unknown> = {}, o: CallOptions = {}) => {
    const key = o.key === undefined ? prepared.key : o.key;
    const method = o.method ?? 'POST';
    const payload = { action, ...fields };
    let r = method === 'GET' ? request(app).get(`/mikrotik/process.php?${qs.stringify(payload)}`) : request(app).post('/mikrotik/process.php');
    if (key) r = r.set('Authorization', `Bearer ${key}`);
    for (const [h, v] of Object.entries(o.headers ?? {})) r = r.set(h, v);
    if (method === 'GET') return r;
    if (o.json) return r.set('Content-Type', 'application/json').send(JSON.stringify(payload));
    return r.set('Content-Type', 'application/x-www-form-urlencoded').send(qs.stringify(payload));
  };

  return {
    app,
    rt,
    db: rt.db,
    config,
    key: prepared.key!,
    logs,
    dialect,
    post: (a, f, o) => post(a, f, o),
    call: async (a, f, o) => (await post(a, f, o)).body,
    ctx: () => systemContext(rt, DEFAULT_TENANT, rt.db, 'test'),
    async close() {
      await closeRuntime(rt);
      await fresh.drop();
    },
  };
}

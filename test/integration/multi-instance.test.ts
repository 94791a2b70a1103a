/**
 * Three app instances on one MariaDB and one Redis (as README's "several instances" deployment): a month's
 * generation asked of all three at once makes each invoice once, a scheduled job runs once per tick across them,
 * and request budgets are shared. SQLite is one file for one process, so this runs on MariaDB only.
 */
import qs from 'qs';
import request from 'supertest';
import { closeRuntime, createApp, createRuntime } from '../../src/app';
import { prepareDatabase } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Queue } from 'bullmq';
import { bullConnection, bullPrefix } from '../../src/jobs/bullmq';
import { Scheduler } from '../../src/jobs/scheduler';
import { createApiKey } from '../../src/services/core/api-keys';
import type { Runtime } from '../../src/runtime';
import { freshDatabase, testDialect } from '../helpers/db';
import { dropRedisPrefix, redisAvailable, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/redis';
import { testIf } from '../helpers/skip';

const dialect = testDialect();
let skip: string | null = dialect === 'mysql' ? null : 'three instances need one shared database server: run with TEST_DATABASE=mysql';
const test = testIf(dialect === 'mysql', 'three instances need one shared database server: run with TEST_DATABASE=mysql');

const prefix = uniqueRedisPrefix('multi');
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
const instances: Array<{ rt: Runtime; app: ReturnType<typeof createApp> }> = [];
let key: string;

beforeAll(async () => {
  if (!skip && !(await redisAvailable())) skip = `no Redis answers at ${TEST_REDIS_URL} (.ci/run starts one)`;
  if (skip) {
    // eslint-disable-next-line no-console
    console.warn(`multi-instance test skipped: ${skip}`);
    return;
  }
  fresh = await freshDatabase('mysql');
  for (let i = 0; i < 3; i++) {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: fresh.url,
      DATA_DIR: fresh.dir,
      APP_KEY: 'test-app-key-0123456789abcdef0123456789',
      LOG_LEVEL: 'silent',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      RATE_LIMIT_STANDARD: '6',
      RATE_LIMIT_BULK: '1000',
      RATE_LIMIT_BILLING: '1000',
    });
    const log = createLogger({ level: 'silent', json: true });
    const rt = createRuntime(config, { log, rateLimits: true });
    // One at a time: the first migrates and makes the admin and its key; the others find them there.
    const prepared = await prepareDatabase(rt.db, 'admin-password-123');
    if (prepared.key) key = prepared.key;
    instances.push({ rt, app: createApp(rt) });
  }
  const db = instances[0].rt.db;
  const now = '2026-10-01 00:00:00';
  const [planId] = await db('plans').insert({ name: 'Fibre', download_bps: 100e6, upload_bps: 10e6, price_cents: 2500, created_at: now, updated_at: now });
  await db.batchInsert(
    'customers',
    Array.from({ length: 40 }, (_, i) => ({ username: `m${i}`, password: 'pw', plan_id: planId, status: 'active', activated_at: now, created_at: now, updated_at: now })),
    100,
  );
}, 60_000);

afterAll(async () => {
  for (const i of instances) await closeRuntime(i.rt);
  if (fresh) await fresh.drop();
  if (!skip) await dropRedisPrefix(prefix);
});

const call = async (n: number, action: string, fields: Record<string, unknown> = {}, as = key) =>
  (
    await request(instances[n].app)
      .post('/mikrotik/process.php')
      .set('Authorization', `Bearer ${as}`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(qs.stringify({ action, ...fields }))
  ).body;

test('a month generation asked of all three instances at once makes each invoice once', async () => {
  if (skip) return;
  const replies = await Promise.all([0, 1, 2].map((n) => call(n, 'generate_invoices_month', { month: '2026-11' })));
  for (const r of replies) expect(r).toMatchObject({ ok: true, data: { month: '2026-11', total_for_month: 40 } });
  // One job did the work; the other two requests were handed the same job and answered its result.
  expect(new Set(replies.map((r) => r.data.job_id)).size).toBe(1);
  const db = instances[0].rt.db;
  const invoices = await db('invoices').where({ period: '2026-11' }).select('customer_id', 'series', 'number');
  expect(invoices).toHaveLength(40);
  expect(new Set(invoices.map((i) => i.customer_id)).size).toBe(40);
  expect(new Set(invoices.map((i) => `${i.series}-${i.number}`)).size).toBe(40);
  expect(Number((await db('jobs').where({ task: 'billing.generate_month' }).count({ n: '*' }))[0].n)).toBe(1);
});

test('a scheduled job runs once per tick across the three instances', async () => {
  if (skip) return;
  const ticks: Array<{ instance: number; tick: string | undefined }> = [];
  const schedulers = instances.map(
    (inst, n) =>
      new Scheduler(inst.rt, [
        {
          name: 'test.tick',
          everyMs: 300,
          async run(_ctx, info) {
            ticks.push({ instance: n, tick: info?.tick });
          },
        },
      ]),
  );
  // A schedule an older version left behind (its job since renamed) is removed when the schedulers start.
  const stale = new Queue('schedule', { connection: bullConnection(TEST_REDIS_URL, 'producer'), prefix: bullPrefix(prefix) });
  await stale.upsertJobScheduler('routers.probe', { every: 60_000 }, { name: 'routers.probe' });
  for (const s of schedulers) s.start();
  for (const s of schedulers) await s.started();
  expect((await stale.getJobSchedulers()).map((j) => j.key)).toEqual(['test.tick']);
  await stale.close();
  for (let i = 0; i < 300 && ticks.length < 6; i++) await new Promise((r) => setTimeout(r, 50));
  for (const s of schedulers) await s.stop();
  expect(ticks.length).toBeGreaterThanOrEqual(6);
  for (const t of ticks) expect(t.tick).toEqual(expect.any(String));
  // Every tick ran on exactly one instance: no tick id twice.
  expect(new Set(ticks.map((t) => t.tick)).size).toBe(ticks.length);
}, 30_000);

test('request budgets are shared: the standard budget spent on one instance is spent on all', async () => {
  if (skip) return;
  // A key of its own, so the budget starts full whatever the tests above spent.
  const db = instances[0].rt.db;
  const admin = await db('admins').orderBy('id').first('id');
  const own = (await createApiKey(db, 'budget test', admin.id)).key;
  const replies = [];
  for (let i = 0; i < 6; i++) replies.push(await call(i % 3, 'list_plans', {}, own));
  expect(replies.map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
  // Six spent across three instances: the seventh is refused wherever it lands.
  for (const n of [0, 1, 2]) expect(await call(n, 'list_plans', {}, own)).toMatchObject({ ok: false, error: 'rate_limited' });
});

test('credentials cached on every instance: a key revoked or an admin narrowed on one is refused on another at the very next request', async () => {
  if (skip) return;
  const db = instances[0].rt.db;
  const [a, b] = [0, 1];
  // Both caches must be live (subscribed to Redis), or B would read the database every time and prove nothing.
  for (let i = 0; i < 100 && !instances.every((x) => x.rt.credentials.live); i++) await new Promise((r) => setTimeout(r, 50));
  expect(instances.every((x) => x.rt.credentials.live)).toBe(true);
  // The changes made while seeding quarantine the caches for a second (see services/core/credentials.ts).
  await new Promise((r) => setTimeout(r, 1100));
  const boss = (await createApiKey(db, 'credential boss', null)).key;
  const admin = await db('admins').orderBy('id').first('id');
  const victim = await createApiKey(db, 'victim', admin.id);

  // B answers the victim once from the database, then from its cache: no key row read.
  expect((await call(b, 'me', {}, victim.key)).ok).toBe(true);
  const bReads: string[] = [];
  const onB = (q: { sql: string }) => bReads.push(q.sql);
  instances[b].rt.db.on('query', onB);
  expect((await call(b, 'me', {}, victim.key)).ok).toBe(true);
  instances[b].rt.db.off('query', onB);
  expect(bReads.filter((s) => /from `api_keys`/.test(s))).toEqual([]);

  expect(await call(a, 'api_key_revoke', { id: victim.id }, boss)).toMatchObject({ ok: true });
  expect(await call(b, 'me', {}, victim.key)).toMatchObject({ ok: false, error: 'unauthorized' });

  // Narrowing an admin's rights on A: B refuses the next call its key makes.
  expect(await call(a, 'add_web_admin', { username: 'narrowed', password: 'narrowed-password-1', role: 'operator' }, boss)).toMatchObject({ ok: true });
  const narrowedId = (await db('admins').where({ username: 'narrowed' }).first('id')).id;
  const ops = (await createApiKey(db, 'narrowed key', narrowedId)).key;
  await new Promise((r) => setTimeout(r, 1100));
  expect((await call(b, 'list_plans', {}, ops)).ok).toBe(true);
  expect((await call(b, 'list_plans', {}, ops)).ok).toBe(true);
  expect(await call(a, 'edit_web_admin', { id: narrowedId, permissions: { tickets: 'read' } }, boss)).toMatchObject({ ok: true });
  expect(await call(b, 'list_plans', {}, ops)).toMatchObject({ ok: false, error: 'forbidden' });
}, 30_000);

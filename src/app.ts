import crypto from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import Redis from 'ioredis';
import { allActions } from './actions';
import type { Config } from './config';
import { serviceContext, systemContext } from './context';
import { createKnex, healthDeadlineMs } from './db/knex';
import { RETRY_AFTER_SECONDS } from './db/errors';
import { DEFAULT_TENANT, TenantDatabases } from './db/tenants';
import { AppError, isAppError } from './errors';
import { WebhookWorker } from './events/webhook-worker';
import { bodyParsers, parseQuery } from './gateway/body';
import { sendError } from './gateway/envelope';
import { Metrics } from './gateway/metrics';
import { openApiHandler } from './gateway/openapi';
import { smartIspRouter } from './gateway/dialects/smartisp';
import { gate, processHandler, toAppError } from './gateway/pipeline';
import { ispbillsRouter } from './gateway/dialects/ispbills';
import { flushKeyUses } from './gateway/last-used';
import { InProcessTransport, jobGauges, JobQueue, type TaskDef } from './jobs/queue';
import { allTasks } from './jobs/tasks';
import { BullMQTransport } from './jobs/bullmq';
import { RateLimits } from './gateway/rate-limit';
import { ActionRegistry } from './gateway/registry';
import { createLogger, type Logger } from './logger';
import type { Runtime } from './runtime';
import { loadAppKey, safeEqual, SecretBox } from './secrets';
import { paymentWebhooksRouter } from './gateway/webhook-router';
import { Credentials } from './services/core/credentials';
import type { Knex } from 'knex';

export interface RuntimeOptions {
  log?: Logger;
  db?: Knex;
  /** Disable the request budgets (tests that make many calls); the rate-limit tests leave them on. */
  rateLimits?: boolean;
  /** Extra job tasks (tests). */
  tasks?: TaskDef[];
  /** How long a key or session answer is cached (0: not cached; bench/pipeline.ts measures both). */
  credentialTtlMs?: number;
}

export function createRuntime(config: Config, opts: RuntimeOptions = {}): Runtime {
  const log = opts.log ?? createLogger({ level: config.LOG_LEVEL, json: config.NODE_ENV === 'production' });
  const secrets = new SecretBox(loadAppKey(config.dataDir, config.APP_KEY));
  const db = opts.db ?? createKnex(config.DATABASE_URL);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 }) : undefined;
  const big = 1_000_000_000;
  const rateLimits = new RateLimits(
    opts.rateLimits === false
      ? { standard: big, billing: big, bulk: big, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS }
      : { standard: config.RATE_LIMIT_STANDARD, billing: config.RATE_LIMIT_BILLING, bulk: config.RATE_LIMIT_BULK, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS },
    redis,
    config.REDIS_PREFIX,
  );
  let registry: ActionRegistry;
  // eslint-disable-next-line prefer-const
  registry = new ActionRegistry(allActions(() => registry.describe()));
  const tenants = new TenantDatabases(db, secrets);
  const metrics = new Metrics(async () => {
    const r = await db('webhook_deliveries').whereIn('status', ['pending', 'sending']).count({ n: '*' });
    return Number(r[0].n);
  });
  const webhooks = new WebhookWorker(secrets, log, { retryBaseMs: config.WEBHOOK_RETRY_BASE_MS, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
  // Who a key or session is, cached per process; a change is heard at once here and, through Redis, everywhere.
  const credentials = new Credentials({ redis, redisPrefix: config.REDIS_PREFIX, ttlMs: opts.credentialTtlMs, onError: (e) => log.warn('credential cache: redis', { err: String(e) }) });
  credentials.watch(db);
  const rt: Runtime = { config, log, secrets, db, tenants, registry, rateLimits, loginLimits: RateLimits.loginLimiter(redis, config.REDIS_PREFIX), metrics, webhooks, redis, credentials, jobs: undefined as unknown as JobQueue };
  rt.jobs = new JobQueue(
    {
      log,
      listTenants: () => tenants.list(),
      openTenant: async (tenantId) => {
        if (tenantId === null) return { tenant: DEFAULT_TENANT, db };
        const row = await db('tenants').where({ id: tenantId }).first();
        if (!row) throw new Error(`tenant ${tenantId} is gone`);
        // A suspended tenant's jobs wait (still queued) until it is resumed; the sweep hands them out again then.
        if (row.status !== 'active') throw new AppError('tenant_suspended', `Tenant ${row.slug} is ${row.status}; its jobs wait.`, 403);
        return { tenant: { id: row.id, slug: row.slug, name: row.name }, db: await tenants.dbFor(tenantId) };
      },
      contextFor: (tenant, tdb, name) => serviceContext(rt, tenant, tdb, name),
    },
    // With Redis, jobs travel on BullMQ and any instance's worker may take one; without, they run in this process.
    config.REDIS_URL ? new BullMQTransport(config.REDIS_URL, config.REDIS_PREFIX, config.JOB_CONCURRENCY, log) : new InProcessTransport(config.JOB_CONCURRENCY),
    [...allTasks(), ...(opts.tasks ?? [])],
  );
  void rt.jobs.start();
  metrics.trackJobs(() => jobGauges(db));
  return rt;
}

export async function closeRuntime(rt: Runtime): Promise<void> {
  await rt.jobs.stop();
  await rt.credentials.close();
  await flushKeyUses(rt.db).catch(() => undefined);
  await rt.tenants.close();
  await rt.db.destroy();
  rt.redis?.disconnect();
}

const GET_ACTIONS_NOTE = 'Read actions answer GET too; see action=describe.';

/** Builds the Express app without listening (tests import this). */
/** The built panel, public/ at the project's root: one level up from src/, two from dist/src/ when run compiled. */
const PUBLIC_DIR = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../../public' : '../public');

export function createApp(rt: Runtime) {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: every reply is an API answer computed per call; hashing each JSON body cost CPU for no cache hit.
  app.set('etag', false);
  app.set('trust proxy', rt.config.TRUST_PROXY);
  app.set('query parser', (s: string) => parseQuery(s));
  app.set('json replacer', (_k: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });

  const handler = processHandler(rt);
  const parsers = bodyParsers({
    maxBodyBytes: 2 * 1024 * 1024,
    anonymousBodyBytes: 16 * 1024,
    maxMultipartBytes: rt.config.MULTIPART_MAX_BYTES,
    maxFileBytes: rt.config.UPLOAD_MAX_BYTES,
    maxFieldBytes: 64 * 1024,
    maxFiles: 5,
    tmpDir: path.join(rt.config.dataDir, 'tmp'),
  });
  // The gate authenticates from the headers before any body is read (see gateway/pipeline.ts).
  const checkIn = gate(rt, rt.credentials);
  // Right after the request id, as one route per path: nearly every request is one of these, and each layer before
  // them (health, metrics, uploads, webhooks) was a path match it paid for.
  for (const p of ['/mikrotik/process.php', '/process.php', '/process']) app.route(p).post(checkIn, parsers, handler).get(checkIn, handler);

  app.get('/healthz', async (_req, res) => {
    try {
      // A frozen database must not hang the health check: answer 503 once the deadline passes.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('deadline')), healthDeadlineMs(rt.db)); });
      await Promise.race([rt.db.raw('select 1'), deadline]).finally(() => clearTimeout(timer));
      res.json({ ok: true });
    } catch {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(503).json({ ok: false, error: 'database_unavailable', message: 'The database does not answer.' });
    }
  });

  app.get('/metrics', async (req, res) => {
    // Optional: scrapers outside a trusted network send METRICS_TOKEN as a Bearer token.
    if (rt.config.METRICS_TOKEN && !safeEqual(req.headers.authorization ?? '', `Bearer ${rt.config.METRICS_TOKEN}`)) {
      sendError(res, new AppError('unauthorized', 'The metrics endpoint needs "Authorization: Bearer <METRICS_TOKEN>".', 401), true, res.locals.requestId);
      return;
    }
    res.setHeader('Content-Type', rt.metrics.registry.contentType);
    res.send(await rt.metrics.registry.metrics());
  });

  // Uploads live under /uploads/<tenant slug>/ and are served only under that tenant's own host.
  app.use('/uploads', async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const { tenant } = await rt.tenants.resolve(req.headers.host);
      // Decoded as serve-static will decode it: a ".." segment could otherwise climb into another tenant's folder.
      const decoded = decodeURIComponent(req.path);
      const own = decoded.startsWith(`/${tenant.slug}/`) && !/(^|[\\/])\.\.([\\/]|$)/.test(decoded);
      next(own ? undefined : Object.assign(new Error('not found'), { status: 404 }));
    } catch (e) {
      next(isAppError(e) || e instanceof URIError ? Object.assign(new Error('not found'), { status: 404 }) : e);
    }
  });
  app.use('/uploads', express.static(path.join(rt.config.dataDir, 'uploads'), { fallthrough: false, dotfiles: 'deny', index: false, maxAge: '1h' }));

  app.use(
    '/webhooks',
    express.raw({ type: '*/*', limit: '1mb' }),
    paymentWebhooksRouter({
      async contextFor(req) {
        const { tenant, db } = await rt.tenants.resolve(req.headers.host);
        return systemContext(rt, tenant, db, 'gateway-webhook');
      },
    }),
  );

  app.use('/api/SmartIPS-v1', smartIspRouter(rt));
  app.get('/openapi/:name.json', checkIn, openApiHandler(rt));
  app.use(ispbillsRouter(rt));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html' }));

  app.use((_req: Request, res: Response) => {
    sendError(res, new AppError('not_found', `No such endpoint. The API is POST /mikrotik/process.php with an action field. ${GET_ACTIONS_NOTE}`, 404), true);
  });

  // Gate and body-parser failures, and anything that escaped a handler: always the envelope, never a stack.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // A missing or refused file under /uploads (serve-static's 404/403/400) is the client's error, answered
    // with its own status: an image URL answering 200 would be cached as if it were the image.
    const httpStatus = !isAppError(err) ? Number((err as { status?: unknown })?.status) : NaN;
    if (httpStatus >= 400 && httpStatus < 500) {
      const e =
        httpStatus === 404
          ? new AppError('not_found', 'No such file.', 404)
          : httpStatus === 403
            ? new AppError('forbidden', 'That path is not served.', 403)
            : new AppError('invalid_request', 'The request cannot be served.', httpStatus);
      return sendError(res, e, true);
    }
    const e = toAppError(err);
    if (e.code === 'internal_error') rt.log.error('unhandled error', { request_id: res.locals.requestId, err: (err as Error)?.stack ?? String(err) });
    sendError(res, e, rt.config.strictErrors, res.locals.requestId);
  });

  return app;
}

import { parse as parseCookieHeader } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { nowUtc } from '../db/knex';
import { translateDbError } from '../db/errors';
import { AppError, isAppError } from '../errors';
import { redact } from '../logger';
import type { Runtime } from '../runtime';
import { safeEqual, sha256Hex } from '../secrets';
import type { ActionContext, Actor, AnyAction, Tenant, UploadedFile } from './action';
import { sendError, sendOk } from './envelope';
import { recordKeyUse } from './last-used';
import { allows, fullPermissions, parsePermission } from './permissions';
import { systemClock } from '../services/context';
import { validationError } from './validation';

export const SESSION_COOKIE = 'ispgate_session';

/**
 * Cookies set by other applications on the same host arrive too (`theme=50%`); the `cookie` package leaves a
 * value it cannot decode as it is instead of throwing, so a stray `%` never breaks a panel call.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseCookieHeader(header ?? ''))) if (v !== undefined) out[k] = v;
  return out;
}

export interface Caller {
  actor: Actor;
  viaCookie: boolean;
  csrfHash?: string;
}

/**
 * How the gate learns who a caller is: built once when the app is composed (src/app.ts passes the runtime's
 * `credentials`, services/core/credentials.ts), so the gateway holds no credential rules or SQL of its own.
 */
export interface Authenticator {
  /** The caller of a Bearer API key; null when the key is unknown or revoked. */
  apiKey(db: Knex, key: string): Promise<{ actor: Actor; key: { id: number; last_used_at: string | null } } | null>;
  /** The caller of a panel session token; null when unknown or expired. */
  session(db: Knex, token: string): Promise<{ actor: Actor; csrfHash: string } | null>;
  /** The actor of any other credential acting for an admin (null: a platform credential holding every permission). */
  credentialActor(db: Knex, adminId: number | null, platformName: string, what?: string): Promise<Actor>;
}

/**
 * One key (or session) lookup and one admin read per request on a miss, none on a hit, and no write: the
 * authenticator caches answers for a few seconds and drops them on every instance the moment a credential changes;
 * the key's last use is batched (gateway/last-used.ts).
 */
async function authenticate(auth: Authenticator, db: Knex, req: Request): Promise<Caller | null> {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new AppError('unauthorized', 'The Authorization header must be "Bearer <API key>".', 401);
    const found = await auth.apiKey(db, m[1]);
    if (!found) throw new AppError('unauthorized', 'The API key is not valid or has been revoked.', 401);
    recordKeyUse(db, found.key);
    return { viaCookie: false, actor: found.actor };
  }
  const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (token) {
    const s = await auth.session(db, token);
    if (!s) return null;
    return { viaCookie: true, csrfHash: s.csrfHash, actor: s.actor };
  }
  return null;
}

/** What the gate learnt about a request before its body was read. */
export interface GateResult {
  tenant: Tenant;
  db: Knex;
  caller: Caller | null;
  /** Why the credentials sent were refused (a bad or revoked key); raised unless the action is public. */
  authError: AppError | null;
}

/**
 * Runs before the body is read: resolves the tenant and authenticates from the headers alone (Bearer key or
 * session cookie). A caller without valid credentials never gets a multipart body read, and its form or JSON body
 * is read only up to a few kilobytes (enough for `action=login`): unauthenticated uploads are refused at once.
 */
export function gate(rt: Runtime, auth: Authenticator) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const { tenant, db } = await rt.tenants.resolve(req.headers.host);
      let caller: Caller | null = null;
      let authError: AppError | null = null;
      try {
        caller = await authenticate(auth, db, req);
      } catch (e) {
        if (!isAppError(e) || e.code !== 'unauthorized') throw e;
        authError = e;
      }
      res.locals.gate = { tenant, db, caller, authError } satisfies GateResult;
      res.locals.authenticated = caller !== null;
      if (!caller && req.method === 'POST' && String(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
        res.setHeader('Connection', 'close');
        throw authError ?? new AppError('unauthorized', 'A valid API key (Authorization: Bearer …) or a panel session is required.', 401);
      }
      next();
    } catch (e) {
      next(e);
    }
  };
}

export function isWrite(a: AnyAction): boolean {
  if (a.audit !== undefined) return a.audit;
  const p = parsePermission(a.permission);
  return p ? p.level === 'write' : false;
}

function headerMap(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The process.php pipeline: tenant → auth → action → permission → rate limit → validate → run → audit → envelope. */
export function processHandler(rt: Runtime) {
  return async (req: Request, res: Response, _next: NextFunction) => {
    const started = process.hrtime.bigint();
    const requestId = res.locals.requestId as string;
    let params: Record<string, unknown> = {};
    let actionName = '';
    let action: AnyAction | undefined;
    let tenant: Tenant | undefined;
    let actor: Actor | undefined;
    // The child logger is made only when a line is written (refusals, failures, debug, an action's own lines).
    let childLog: ActionContext['log'] | undefined;
    let logAction: string | undefined;
    const log = () => (childLog ??= rt.log.child({ request_id: requestId, action: logAction, ip: req.ip }));
    let outcome = 'ok';
    try {
      // req.query is parsed on every read (an Express 5 getter) and may refuse (too_many_fields): inside the try,
      // and not read at all when the URL has no query string (a POST of a form, as nearly every call is).
      const query = req.url.indexOf('?') === -1 ? undefined : (req.query as Record<string, unknown>);
      params = { ...query, ...(req.body as Record<string, unknown>) };
      actionName = typeof params.action === 'string' ? params.action.trim() : '';
      delete params.action;
      action = actionName ? rt.registry.get(actionName) : undefined;
      // The caller's address on every line: operators feed failed logins to fail2ban and the like.
      logAction = action ? actionName : actionName ? 'unknown' : undefined;
      const g = res.locals.gate as GateResult;
      tenant = g.tenant;
      const db = g.db;
      const isPublic = action && typeof action.permission === 'object' && 'public' in action.permission;
      const caller = isPublic ? null : g.caller;
      if (!isPublic && !caller) throw g.authError ?? new AppError('unauthorized', 'A valid API key (Authorization: Bearer …) or a panel session is required.', 401);
      actor = caller?.actor ?? { type: 'anonymous', adminId: null, apiKeyId: null, sessionId: null, username: null, permissions: {} };

      if (!actionName) throw new AppError('missing_action', 'The "action" field is required.', 400);
      if (!action) throw new AppError('unknown_action', `Unknown action "${actionName.slice(0, 64)}". action=describe lists every action.`, 404);
      if (req.method === 'GET' && !(action.methods ?? ['POST']).includes('GET'))
        throw new AppError('method_not_allowed', `The action "${action.name}" must be sent with POST.`, 405);

      const perm = parsePermission(action.permission);
      // Tenants are the platform's to manage: a tenant's own admins, whatever their role, are refused before anything else.
      if (perm?.section === 'tenants' && tenant.id !== null) throw new AppError('forbidden', 'Tenants are managed by the platform operator only.', 403);
      if (perm && !allows(actor.permissions, perm.section, perm.level))
        throw new AppError('forbidden', `Your account needs ${perm.level} permission on "${perm.section}" for ${action.name}.`, 403);

      // Writes, and every action that only answers POST (switch_router changes session state under a read
      // permission), need the token; reads that also answer GET do not.
      if (caller?.viaCookie && (isWrite(action) || !(action.methods ?? ['POST']).includes('GET'))) {
        const given = (req.headers['x-csrf-token'] as string | undefined) ?? (typeof params.csrf_token === 'string' ? params.csrf_token : '');
        if (!given || !caller.csrfHash || !safeEqual(sha256Hex(given), caller.csrfHash))
          throw new AppError('csrf_failed', 'Send the csrf_token from login as the X-CSRF-Token header or a csrf_token field.', 403);
      }
      delete params.csrf_token;

      const rateKey = actor.apiKeyId ? `k${actor.apiKeyId}` : actor.adminId ? `a${actor.adminId}` : `ip${req.ip}`;
      const verdict = await rt.rateLimits.consume(`${tenant.slug}:${rateKey}`, action.rateClass);
      res.setHeader('X-RateLimit-Limit', String(verdict.limit));
      res.setHeader('X-RateLimit-Remaining', String(verdict.remaining));
      res.setHeader('X-RateLimit-Reset', String(verdict.resetSeconds));

      const parsed = (action.input as z.ZodType).safeParse(params);
      if (!parsed.success) throw validationError(parsed.error, params, action.input as z.ZodType);

      const ctx = buildContext(rt, { db, tenant, actor, requestId, req, res, log });
      const act = action;
      const data = await runAudited(db, ctx, act, params, () => act.run(ctx, parsed.data));
      if (rt.log.isDebugEnabled()) log().debug('action ok', { tenant: tenant.slug, actor: actor.username, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      sendOk(res, data);
    } catch (e) {
      const err = toAppError(e);
      outcome = err.code;
      if (err.code === 'internal_error') log().error('action failed', { tenant: tenant?.slug, actor: actor?.username, err: (e as Error)?.stack ?? String(e) });
      else log().info('action refused', { tenant: tenant?.slug, actor: actor?.username, error: err.code });
      if (err.code === 'rate_limited') {
        res.setHeader('Retry-After', String(err.extra?.retry_after ?? 60));
        res.setHeader('X-RateLimit-Limit', String(err.extra?.limit ?? ''));
        res.setHeader('X-RateLimit-Remaining', '0');
        res.setHeader('X-RateLimit-Reset', String(err.extra?.retry_after ?? 60));
      }
      sendError(res, err, rt.config.strictErrors, requestId);
    } finally {
      const label = action ? action.name : 'unknown';
      rt.metrics.requests.inc({ action: label, outcome: outcome.length > 40 ? 'error' : outcome });
      rt.metrics.latency.observe({ action: label }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}

export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  const db = translateDbError(e);
  if (db) return db;
  return new AppError('internal_error', 'Something went wrong on our side; the request id identifies it in the logs.', 500);
}

export function buildContext(
  rt: Runtime,
  p: { db: Knex; tenant: Tenant; actor: Actor; requestId: string; req: Request; res: Response; log: () => ActionContext['log'] },
): ActionContext {
  const files: UploadedFile[] = (p.res.locals.files as UploadedFile[] | undefined) ?? [];
  const routerTable = p.actor.type === 'session' ? 'sessions' : 'api_keys';
  const routerRowId = p.actor.type === 'session' ? p.actor.sessionId : p.actor.apiKeyId;
  let memoRouter: number | null | undefined;
  let memoHeaders: Record<string, string | undefined> | undefined;
  // The caller's address (proxy-addr walks X-Forwarded-For) and the job handle are made only for an action that asks.
  let memoIp: string | undefined;
  let memoJobs: ActionContext['jobs'] | undefined;
  return {
    db: p.db,
    tenant: p.tenant,
    actor: p.actor,
    requestId: p.requestId,
    get ip() {
      return (memoIp ??= p.req.ip ?? '');
    },
    config: rt.config,
    get log() {
      return p.log();
    },
    secrets: rt.secrets,
    files,
    get headers() {
      return (memoHeaders ??= headerMap(p.req));
    },
    get jobs() {
      return (memoJobs ??= rt.jobs.forTenant(p.tenant, p.db, p.actor.username ? `${p.actor.type}:${p.actor.username}` : p.actor.type));
    },
    loginLimits: rt.loginLimits,
    tenants: rt.tenants,
    clock: systemClock,
    async getActiveRouterId() {
      if (memoRouter !== undefined) return memoRouter;
      if (!routerRowId) return (memoRouter = null);
      const row = await p.db(routerTable).where({ id: routerRowId }).first('active_router_id');
      return (memoRouter = row?.active_router_id ?? null);
    },
    async setActiveRouterId(id) {
      // Choosing the router changes what later calls of this key or session act on: a write, not a read.
      if (!allows(p.actor.permissions, 'routers', 'write'))
        throw new AppError('forbidden', 'Your account needs write permission on "routers" to switch the active router.', 403);
      if (!routerRowId) throw new AppError('no_session', 'switch_router needs an API key or a panel session to remember the router for.', 400);
      await p.db(routerTable).where({ id: routerRowId }).update({ active_router_id: id });
      memoRouter = id;
    },
    setCookie(name, value, opts) {
      p.res.cookie(name, value, { httpOnly: true, sameSite: 'strict', secure: rt.config.COOKIE_SECURE, path: '/', maxAge: opts.maxAgeSeconds * 1000 });
    },
  };
}

/**
 * Runs an action's handler under the audit trail: the audit row of a write is written before the write runs, and
 * the write does not run without it; the outcome is filled in afterwards (a failure to do so leaves "started" and
 * is logged as an error). The HTTP pipeline and in-process calls (the AI assistant's tools) both go through here.
 */
export async function runAudited<T>(db: Knex, ctx: ActionContext, action: AnyAction, params: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
  const auditId = isWrite(action) ? await auditStart(db, ctx, action.name, params) : null;
  let data: T;
  try {
    data = await run();
  } catch (e) {
    if (auditId !== null) await auditFinish(db, auditId, toAppError(e).code, null).catch((x) => ctx.log.error('audit outcome not recorded', { audit_id: auditId, err: String(x) }));
    throw e;
  }
  if (auditId !== null) await auditFinish(db, auditId, 'ok', auditTarget(params, data)).catch((x) => ctx.log.error('audit outcome not recorded', { audit_id: auditId, err: String(x) }));
  return data;
}

function auditTarget(params: Record<string, unknown>, result: unknown): string | null {
  const r = result as Record<string, unknown> | null;
  const target = r && typeof r === 'object' && 'id' in r ? String(r.id) : params.id !== undefined ? String(params.id) : typeof params.username === 'string' ? params.username : null;
  return target?.slice(0, 191) ?? null;
}

async function auditStart(db: Knex, ctx: ActionContext, action: string, params: Record<string, unknown>): Promise<number> {
  const [id] = await db('audit_log').insert({
    actor_type: ctx.actor.type,
    actor_id: ctx.actor.adminId ?? ctx.actor.apiKeyId,
    actor_name: ctx.actor.username?.slice(0, 128) ?? null,
    action,
    target: auditTarget(params, null),
    ip: ctx.ip.slice(0, 64),
    request_id: ctx.requestId,
    params: JSON.stringify(redact(params)).slice(0, 8000),
    outcome: 'started',
    created_at: nowUtc(),
  });
  return Number(id);
}

async function auditFinish(db: Knex, id: number, outcome: string, target: string | null) {
  await db('audit_log').where({ id }).update({ outcome: outcome.slice(0, 64), ...(target !== null ? { target } : {}) });
}

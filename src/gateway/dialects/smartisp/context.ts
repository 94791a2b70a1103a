import { systemClock } from '../../../services/context';
/**
 * SmartISP's front door: the `X-Authorization` app key (api_client_create dialect=smartisp), the caller it acts as,
 * its own request budget, and its error replies.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { AppError } from '../../../errors';
import type { Runtime } from '../../../runtime';
import { effectivePermissions, type AdminRow } from '../../../services/core/admins';
import { findSmartIspClient, touchApiClient, type ApiClientRow } from '../../../services/core/api-clients';
import type { ActionContext, Actor, Tenant } from '../../action';
import { fullPermissions } from '../../permissions';
import { toAppError } from '../../pipeline';
import { RateLimits } from '../../rate-limit';
import { validationError } from '../../validation';

export interface SmartIspLocals {
  ctx: ActionContext;
  client: ApiClientRow;
}

/** The key as SmartISP clients send it: `X-Authorization: <key>` (also `Authorization: [Bearer] <key>`). */
export function keyFrom(req: Request): string | null {
  const x = req.headers['x-authorization'];
  if (typeof x === 'string' && x.trim()) return x.trim().replace(/^Bearer\s+/i, '');
  const a = req.headers.authorization;
  if (typeof a === 'string') {
    const v = a.trim().replace(/^Bearer\s+/i, '');
    if (v.startsWith('smisp_')) return v;
  }
  return null;
}

/**
 * The caller a SmartISP key acts as: its admin (with that admin's permissions), or, for a key minted without an
 * admin, every permission, exactly as an API key without an admin in the process.php pipeline.
 */
export async function actorOfClient(db: Knex, client: ApiClientRow): Promise<Actor> {
  let permissions = fullPermissions();
  let username = `smartisp:${client.name}`;
  if (client.admin_id) {
    const admin = (await db('admins').where({ id: client.admin_id }).first()) as AdminRow | undefined;
    if (!admin) throw new AppError('unauthorized', 'The app key belongs to an admin that no longer exists.', 401);
    permissions = effectivePermissions(admin);
    username = admin.username;
  }
  return { type: 'api_key', apiKeyId: null, adminId: client.admin_id ?? null, sessionId: null, username, permissions };
}

/** An action context for a dialect caller: like systemContext, with the key's actor and the request's id and address. */
export function dialectContext(rt: Runtime, tenant: Tenant, db: Knex, actor: Actor, req: Request, res: Response): ActionContext {
  const requestId = String(res.locals.requestId ?? '');
  return {
    db,
    tenant,
    actor,
    requestId,
    ip: req.ip ?? '',
    clock: systemClock,
    config: rt.config,
    log: rt.log.child({ request_id: requestId, actor: actor.username, tenant: tenant.slug, dialect: 'smartisp' }),
    secrets: rt.secrets,
    files: [],
    headers: {},
    jobs: rt.jobs.forTenant(tenant, db, `api_key:${actor.username}`),
    tenants: rt.tenants,
    async getActiveRouterId() {
      return null;
    },
    async setActiveRouterId() {
      throw new AppError('not_available', 'The SmartISP API has no active router to switch.', 400);
    },
  };
}

/**
 * SmartISP's own budget: the same per-window numbers as process.php's standard class, counted in a bucket of its
 * own (`<prefix>:smartisp`), per tenant and app key.
 */
export function smartIspLimiter(rt: Runtime): RateLimits {
  return new RateLimits(rt.rateLimits.cfg, rt.redis, `${rt.config.REDIS_PREFIX}:smartisp`);
}

/** Authenticates the app key, builds the caller's context and spends one request from its budget. */
export function smartIspAuth(rt: Runtime, limits: RateLimits) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const { tenant, db } = await rt.tenants.resolve(req.headers.host);
      const key = keyFrom(req);
      if (!key) throw new AppError('unauthorized', 'Send the app key as the X-Authorization header.', 401);
      const client = await findSmartIspClient(db, key);
      if (!client) throw new AppError('unauthorized', 'The app key is not valid or has been revoked.', 401);
      await touchApiClient(db, client);
      const verdict = await limits.consume(`${tenant.slug}:c${client.id}`, 'standard');
      res.setHeader('X-RateLimit-Limit', String(verdict.limit));
      res.setHeader('X-RateLimit-Remaining', String(verdict.remaining));
      res.setHeader('X-RateLimit-Reset', String(verdict.resetSeconds));
      const actor = await actorOfClient(db, client);
      res.locals.smartisp = { ctx: dialectContext(rt, tenant, db, actor, req, res), client } satisfies SmartIspLocals;
      res.locals.authenticated = true; // the body parser reads a full body only for an authenticated caller
      next();
    } catch (e) {
      next(e);
    }
  };
}

export function localsOf(res: Response): SmartIspLocals {
  return res.locals.smartisp as SmartIspLocals;
}

/** Parses with a route's schema; a failure is a 422 naming the fields (Laravel's `errors` in the reply). */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const input = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const r = schema.safeParse(input);
  if (!r.success) {
    const e = validationError(r.error, input, schema);
    throw new AppError(e.code, e.message, 422, { details: e.details });
  }
  return r.data;
}

/**
 * SmartISP's error reply: `{"status": false, "success": false, "message": "…", "error": "snake_case"}` with the HTTP
 * status of the error (SmartISP uses response codes); validation failures add `errors: {field: [reason]}`.
 */
export function sendSmartError(res: Response, err: AppError, requestId?: string) {
  const body: Record<string, unknown> = { status: false, success: false, message: err.message, error: err.code };
  if (err.details) body.errors = Object.fromEntries(Object.entries(err.details).map(([k, v]) => [k, [v]]));
  if (err.code === 'internal_error' && requestId) body.request_id = requestId;
  if (err.code === 'rate_limited') {
    res.setHeader('Retry-After', String(err.extra?.retry_after ?? 60));
    res.setHeader('X-RateLimit-Remaining', '0');
  }
  if (err.status === 503 && err.extra?.retry_after !== undefined) res.setHeader('Retry-After', String(err.extra.retry_after));
  res.status(err.status >= 400 && err.status < 600 ? err.status : 400).json(body);
}

/** The router's last handler: every failure answers SmartISP's error shape, never a stack. */
export function smartIspErrorHandler(rt: Runtime) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // A body the parser refused (bad JSON, too large) is the client's error.
    const httpStatus = Number((err as { status?: unknown })?.status);
    let e: AppError;
    if (!(err instanceof AppError) && httpStatus >= 400 && httpStatus < 500) {
      e = new AppError(httpStatus === 413 ? 'body_too_large' : 'invalid_body', httpStatus === 413 ? 'The request body is too large.' : 'The request body cannot be read (send form fields or JSON).', httpStatus);
    } else e = toAppError(err);
    if (e.code === 'internal_error') rt.log.error('smartisp request failed', { request_id: res.locals.requestId, err: (err as Error)?.stack ?? String(err) });
    sendSmartError(res, e, res.locals.requestId);
  };
}

/** The RADIUS actions' service side: active sessions, and Disconnect/CoA to a subscriber's sessions. */
import { AppError } from '../../errors';
import {
  coaSessions,
  disconnectSessions,
  failIfNoneAcked,
  openSessionsOf,
  publicSession,
  rateLimitForPlan,
  summarise,
  type SessionRow,
} from '../radius';
import { requirePlan, requireRouter, type CustomerRow, type NetCtx, type RouterRowDb } from './common';

export interface SessionFilters {
  page: number;
  per_page: number;
  username?: string;
  router?: string;
  nas_ip?: string;
  search?: string;
}

export async function listSessions(ctx: NetCtx, f: SessionFilters) {
  const q = ctx.db<SessionRow>('radacct').whereNull('acctstoptime');
  if (f.username) q.where({ username: f.username });
  if (f.nas_ip) q.where({ nasipaddress: f.nas_ip });
  if (f.router) {
    const r = await requireRouter(ctx.db, f.router);
    q.where({ nasipaddress: r.radius_ip });
  }
  if (f.search) {
    const pat = `%${f.search.replace(/[!%_]/g, (m) => '!' + m)}%`;
    q.where((b) => {
      for (const col of ['username', 'framedipaddress', 'callingstationid']) b.orWhereRaw(`${col} LIKE ? ESCAPE '!'`, [pat]);
    });
  }
  const total = Number(((await q.clone().count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
  const rows = await q.clone().orderBy('radacctid', 'desc').limit(f.per_page).offset((f.page - 1) * f.per_page);
  const routers = new Map((await ctx.db<RouterRowDb>('routers').select('*')).map((r) => [r.radius_ip, r]));
  return {
    sessions: rows.map((s) => publicSession(s, routers)),
    meta: { current_page: f.page, per_page: f.per_page, total, last_page: Math.max(1, Math.ceil(total / f.per_page)) },
  };
}

async function sessionsFor(ctx: NetCtx, c: CustomerRow, acctSessionId?: string) {
  const sessions = await openSessionsOf(ctx.db, c.username, acctSessionId);
  if (!sessions.length) {
    throw new AppError(
      'session_not_found',
      acctSessionId
        ? `"${c.username}" has no open session ${acctSessionId} in the accounting records.`
        : `"${c.username}" has no open session in the accounting records.`,
      404,
    );
  }
  return sessions;
}

export async function disconnectCustomer(ctx: NetCtx, c: CustomerRow, acctSessionId?: string) {
  const sessions = await sessionsFor(ctx, c, acctSessionId);
  const outcomes = await disconnectSessions(ctx, sessions);
  failIfNoneAcked('disconnect', outcomes);
  return { username: c.username, ...summarise(outcomes), sessions: outcomes };
}

export async function coaCustomer(ctx: NetCtx, c: CustomerRow, rateLimit?: string, acctSessionId?: string) {
  const limit = rateLimit ?? rateLimitForPlan(await requirePlan(ctx.db, { id: c.plan_id }));
  const sessions = await sessionsFor(ctx, c, acctSessionId);
  const outcomes = await coaSessions(ctx, sessions, limit);
  failIfNoneAcked('coa', outcomes);
  return { username: c.username, rate_limit: limit, ...summarise(outcomes), sessions: outcomes };
}

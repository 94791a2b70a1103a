/** The RADIUS actions' service side: active sessions, and Disconnect/CoA to a subscriber's sessions. */
import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { decodeCursor, encodeCursor } from '../../gateway/cursor';
import { listTotal } from '../../gateway/list-count';
import { whereContains } from '../../db/like';
import { pageMeta } from '../../domain/page';
import {
  coaSessions,
  disconnectSessions,
  failIfNoneAcked,
  openSessionsOf,
  publicSession,
  rateLimitForPlan,
  summarise,
  type SessionRow,
} from './radius';
import { requirePlan, requireRouter, type CustomerRow, type NetCtx, type RouterRowDb } from './common';

export interface SessionFilters {
  page: number;
  per_page: number;
  username?: string;
  router?: string;
  nas_ip?: string;
  search?: string;
  /** open (the default, as the reference), closed, or all sessions. */
  state?: 'open' | 'closed' | 'all';
  /** Keyset cursor (meta.next_cursor of the previous page): when given, `page` is not used. */
  cursor?: string;
}

export async function listSessions(ctx: NetCtx, f: SessionFilters) {
  const q = ctx.db<SessionRow>('radacct');
  const state = f.state ?? 'open';
  if (state === 'open') q.whereNull('acctstoptime');
  else if (state === 'closed') q.whereNotNull('acctstoptime');
  if (f.username) q.where({ username: f.username });
  if (f.nas_ip) q.where({ nasipaddress: f.nas_ip });
  if (f.router) {
    const r = await requireRouter(ctx.db, f.router);
    q.where({ nasipaddress: r.radius_ip });
  }
  if (f.search) whereContains(ctx.db as Knex, q, ['username', 'framedipaddress', 'callingstationid'], f.search);
  const countKey = `radacct|${JSON.stringify([state, f.username ?? null, f.nas_ip ?? null, f.router ?? null, f.search ?? null])}`;
  const { total, estimated } = await listTotal(ctx.db as Knex, 'radacct', countKey, q);
  // Newest first; a cursor continues below the last radacctid from the index instead of skipping OFFSET rows.
  // The page's ids come from the index alone (every filter's index ends in the primary key), then only those rows
  // are read: reading whole rows while walking the index made a random page of open sessions cost up to ~0.5 s
  // at millions of radacct rows.
  const page = q.clone().select('radacctid').orderBy('radacctid', 'desc').limit(f.per_page);
  if (f.cursor) page.where('radacctid', '<', decodeCursor('radius_sessions', f.cursor));
  else page.offset((f.page - 1) * f.per_page);
  const ids = ((await page) as Array<{ radacctid: number | string }>).map((r) => r.radacctid);
  const rows = ids.length ? await ctx.db<SessionRow>('radacct').whereIn('radacctid', ids).orderBy('radacctid', 'desc') : [];
  const nasIps = [...new Set(rows.map((s) => s.nasipaddress))];
  const routers = new Map((nasIps.length ? await ctx.db<RouterRowDb>('routers').whereIn('radius_ip', nasIps).select('*') : []).map((r) => [r.radius_ip, r]));
  return {
    sessions: rows.map((s) => publicSession(s, routers)),
    meta: {
      ...pageMeta(f.page, f.per_page, total),
      next_cursor: rows.length === f.per_page ? encodeCursor('radius_sessions', Number(rows[rows.length - 1].radacctid)) : null,
      ...(estimated ? { total_estimated: true } : {}),
    },
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

/**
 * A router's own log (/log/print over the RouterOS API), newest first, optionally one topic (RouterOS files logins
 * to the device under "account"). Read-only and outside any transaction: one API session, closed whatever happens.
 */
import { AppError } from '../../errors';
import { withRouter } from '../../adapters/routeros/session';
import { requireRouter, routerConnection, type NetCtx, type RouterRowDb } from './common';

export interface RouterLogLine {
  id: string | null;
  router_id: number;
  time: string | null;
  topics: string[];
  message: string;
}

/** The log of `routerId` (default: the first router), newest first, filtered by topic. */
export async function routerLog(ctx: Pick<NetCtx, 'db' | 'secrets' | 'config'>, opts: { routerId?: number; topic?: string }): Promise<RouterLogLine[]> {
  const r: RouterRowDb | undefined = opts.routerId ? await requireRouter(ctx.db, opts.routerId) : await ctx.db<RouterRowDb>('routers').orderBy('id').first();
  if (!r) throw new AppError('router_not_found', 'No router is configured; add_router adds one.', 404);
  const rows = await withRouter(routerConnection(ctx, r), (s) => s.write('/log/print'));
  const wanted = opts.topic ? rows.filter((x) => (x.topics ?? '').split(',').includes(opts.topic!)) : rows;
  return [...wanted].reverse().map((x) => ({ id: x['.id'] ?? null, router_id: r.id, time: x.time ?? null, topics: x.topics ? x.topics.split(',') : [], message: x.message ?? '' }));
}

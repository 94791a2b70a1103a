/**
 * Hotspot users and sessions, read from the routers over the RouterOS API (/ip/hotspot/user, /ip/hotspot/active).
 * Reads only and outside any transaction: the router list is read first, then each router is asked in its own
 * session with the router timeout. Asked for one router, a router that does not answer is the error; asked for all
 * routers, it is reported in `errors` and the others still answer. Hotspot passwords are never read.
 */
import { AppError, isAppError } from '../../errors';
import { withRouter, type RouterRow } from '../../adapters/routeros/session';
import { requireRouter, routerConnection, type NetCtx, type RouterRowDb } from './common';

export type HotspotKind = 'active' | 'users';

const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);

function activeOf(r: RouterRowDb, x: RouterRow) {
  return {
    router_id: r.id,
    router: r.name,
    id: x['.id'] ?? null,
    server: x.server ?? null,
    user: x.user ?? null,
    address: x.address ?? null,
    mac: x['mac-address'] ?? null,
    login_by: x['login-by'] ?? null,
    uptime: x.uptime ?? null,
    idle_time: x['idle-time'] ?? null,
    session_time_left: x['session-time-left'] ?? null,
    bytes_in: num(x['bytes-in']),
    bytes_out: num(x['bytes-out']),
  };
}

/** The user's row without its password (RouterOS prints it to a full-rights API user). */
function userOf(r: RouterRowDb, x: RouterRow) {
  return {
    router_id: r.id,
    router: r.name,
    id: x['.id'] ?? null,
    name: x.name ?? null,
    server: x.server ?? null,
    profile: x.profile ?? null,
    mac: x['mac-address'] ?? null,
    address: x.address ?? null,
    limit_uptime: x['limit-uptime'] ?? null,
    uptime: x.uptime ?? null,
    bytes_in: num(x['bytes-in']),
    bytes_out: num(x['bytes-out']),
    disabled: x.disabled === 'true' || x.disabled === 'yes',
    comment: x.comment ?? null,
    password_set: Boolean(x.password),
  };
}

async function readOne(ctx: Pick<NetCtx, 'secrets' | 'config'>, r: RouterRowDb, kind: HotspotKind) {
  const menu = kind === 'active' ? '/ip/hotspot/active/print' : '/ip/hotspot/user/print';
  const rows = await withRouter(routerConnection(ctx, r), (s) => s.write(menu));
  return rows.map((x) => (kind === 'active' ? activeOf(r, x) : userOf(r, x)));
}

export async function hotspotList(ctx: Pick<NetCtx, 'db' | 'secrets' | 'config'>, opts: { routerId?: number; kind: HotspotKind }) {
  if (opts.routerId !== undefined) {
    const r = await requireRouter(ctx.db, opts.routerId);
    return { items: await readOne(ctx, r, opts.kind), errors: [] as Array<{ router_id: number; error: string; message: string }> };
  }
  const routers = await ctx.db<RouterRowDb>('routers').orderBy('id').limit(1000);
  const items: Array<ReturnType<typeof activeOf> | ReturnType<typeof userOf>> = [];
  const errors: Array<{ router_id: number; error: string; message: string }> = [];
  for (let i = 0; i < routers.length; i += 8) {
    const batch = routers.slice(i, i + 8);
    const got = await Promise.all(
      batch.map(async (r) => {
        try {
          return await readOne(ctx, r, opts.kind);
        } catch (e) {
          if (!isAppError(e)) throw e;
          errors.push({ router_id: r.id, error: e.code, message: e.message });
          return [];
        }
      }),
    );
    for (const g of got) items.push(...g);
  }
  if (routers.length > 0 && errors.length === routers.length) {
    const first = errors[0];
    throw new AppError(first.error, `No router answered: ${first.message}`, 502, { details: { routers: errors.map((e) => `${e.router_id}: ${e.error}`).join('; ') } });
  }
  return { items, errors };
}

/**
 * MikroTik routers: API credentials (sealed at rest), the RADIUS NAS identity (a nas row FreeRADIUS reads), CoA
 * port and provisioning mode ('radius': subscribers only in RADIUS; 'api': also pushed over the RouterOS API).
 */
import { forgetAnchors } from '../../db/page-anchors';
import { nowUtc, toIso } from '../../db/knex';
import { normalizeIpv4 } from '../../domain/net';
import { readSystemResource } from '../../adapters/routeros/ops';
import { DEFAULT_API_PORT, DEFAULT_API_TLS_PORT, withRouter } from '../../adapters/routeros/session';
import { DEFAULT_COA_PORT } from '../../adapters/radius/dynauth';
import { AppError, errors, isAppError } from '../../errors';
import { deprovisionCustomer, removePlanProfiles, RouterLinks, Steps } from './provisioning';
import { withTransaction } from '../../db/retry';
import { replyWithJob, type JobProgress } from '../../jobs/queue';
import { removeNas, syncNas } from './radius';
import { assertTenantCapacity } from '../tenants';
import { requireRouter, routerConnection, type CustomerRow, type Db, type NetCtx, type RouterRowDb } from './common';
import type { RouterChoice, ServiceContext } from '../context';

export interface RouterInput {
  name?: string;
  ip?: string;
  user?: string;
  pass?: string;
  port?: number;
  tls?: boolean;
  radius_ip?: string | null;
  radius_secret?: string;
  coa_port?: number;
  mode?: 'radius' | 'api';
}

export function publicRouter(r: RouterRowDb, extra: Record<string, unknown> = {}) {
  return {
    id: r.id,
    name: r.name,
    ip: r.ip,
    port: r.api_port,
    user: r.api_user,
    tls: Boolean(r.tls),
    radius_ip: r.radius_ip,
    coa_port: r.coa_port,
    mode: r.mode,
    last_seen_at: toIso(r.last_seen_at),
    last_error: r.last_error,
    created_at: toIso(r.created_at),
    updated_at: toIso(r.updated_at),
    ...extra,
  };
}

function ipv4(field: 'ip' | 'radius_ip', v: string): string {
  const n = normalizeIpv4(v);
  if (!n) throw errors.invalid(field, `"${v}" is not an IPv4 address like 192.0.2.1.`);
  return n;
}

async function checkUnique(ctx: NetCtx, name: string | undefined, radiusIp: string | undefined, exceptId?: number) {
  if (name !== undefined) {
    const q = ctx.db('routers').where({ name });
    if (exceptId) q.whereNot({ id: exceptId });
    if (await q.first('id')) throw errors.conflict('duplicate_router_name', `A router named "${name}" already exists.`);
  }
  if (radiusIp !== undefined) {
    const q = ctx.db('routers').where({ radius_ip: radiusIp });
    if (exceptId) q.whereNot({ id: exceptId });
    if (await q.first('id')) {
      throw errors.conflict('duplicate_radius_ip', `Another router already uses RADIUS IP ${radiusIp}; FreeRADIUS tells NAS apart by this address.`);
    }
  }
}

export async function createRouter(
  ctx: NetCtx,
  input: Required<Pick<RouterInput, 'name' | 'ip' | 'user' | 'pass' | 'radius_secret'>> & RouterInput,
) {
  const ip = ipv4('ip', input.ip);
  const radiusIp = input.radius_ip ? ipv4('radius_ip', input.radius_ip) : ip;
  const tls = input.tls ?? false;
  const out = await withTransaction(ctx.db, async (trx) => {
    await assertTenantCapacity(ctx, 'routers', trx);
    await checkUnique({ ...ctx, db: trx }, input.name, radiusIp);
    const now = nowUtc();
    const [id] = await trx('routers').insert({
      name: input.name,
      ip,
      api_port: input.port ?? (tls ? DEFAULT_API_TLS_PORT : DEFAULT_API_PORT),
      api_user: input.user,
      api_password_enc: ctx.secrets.encrypt(input.pass),
      tls,
      radius_ip: radiusIp,
      radius_secret_enc: ctx.secrets.encrypt(input.radius_secret),
      coa_port: input.coa_port ?? DEFAULT_COA_PORT,
      mode: input.mode ?? 'radius',
      created_at: now,
      updated_at: now,
    });
    const r = (await trx<RouterRowDb>('routers').where({ id: Number(id) }).first())!;
    await syncNas(trx, r, input.radius_secret);
    return publicRouter(r);
  });
  return out;
}

export async function updateRouter(ctx: NetCtx, id: number, input: RouterInput) {
  const out = await withTransaction(ctx.db, async (trx) => {
    const cur = await requireRouter(trx, id);
    const ip = input.ip !== undefined ? ipv4('ip', input.ip) : cur.ip;
    // A RADIUS IP that is the management IP (the default) moves with it: otherwise re-addressing a router leaves
    // FreeRADIUS's nas row on the old address and every Access-Request from the router is dropped as unknown.
    const radiusIp = input.radius_ip ? ipv4('radius_ip', input.radius_ip) : cur.radius_ip === cur.ip ? ip : cur.radius_ip;
    await checkUnique({ ...ctx, db: trx }, input.name, radiusIp !== cur.radius_ip ? radiusIp : undefined, id);
    const patch: Record<string, unknown> = { ip, radius_ip: radiusIp, updated_at: nowUtc() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.user !== undefined) patch.api_user = input.user;
    if (input.pass !== undefined) patch.api_password_enc = ctx.secrets.encrypt(input.pass);
    if (input.tls !== undefined) patch.tls = input.tls;
    if (input.port !== undefined) patch.api_port = input.port;
    else if (input.tls !== undefined && Boolean(cur.tls) !== input.tls) patch.api_port = input.tls ? DEFAULT_API_TLS_PORT : DEFAULT_API_PORT;
    if (input.radius_secret !== undefined) patch.radius_secret_enc = ctx.secrets.encrypt(input.radius_secret);
    if (input.coa_port !== undefined) patch.coa_port = input.coa_port;
    if (input.mode !== undefined) patch.mode = input.mode;
    await trx('routers').where({ id }).update(patch);
    const r = (await trx<RouterRowDb>('routers').where({ id }).first())!;
    await syncNas(trx, r, input.radius_secret ?? ctx.secrets.decrypt(cur.radius_secret_enc), cur.radius_ip);
    return publicRouter(r);
  });
  return out;
}

/**
 * Removes the router, its nas row and, on an api-mode router, every secret/queue/lease ispgate put there. The
 * deprovisioning fans out over the router's subscribers, so it runs as a job (`network.delete_router`); the reply
 * is the job's result with `job_id`, as before when the job finishes in time. If the router cannot be reached
 * the delete is refused (nothing changes) unless `force` is given.
 */
export async function deleteRouter(ctx: NetCtx & Pick<ServiceContext, 'jobs'>, id: number, force = false) {
  await requireRouter(ctx.db, id);
  const job = await ctx.jobs.enqueue(DELETE_ROUTER_TASK, { router_id: id, force }, { dedupeKey: `delete_router:${id}` });
  return replyWithJob(ctx.jobs, job);
}

export const DELETE_ROUTER_TASK = 'network.delete_router';

/**
 * The job's work: the router's entries go first (steps with undo, one connection, progress per subscriber);
 * then the rows in one short transaction. A failure before the rows are gone undoes what was removed.
 */
export async function deleteRouterNow(ctx: NetCtx, id: number, force: boolean, progress: JobProgress) {
  const r = await requireRouter(ctx.db, id);
  const customers = await ctx.db<CustomerRow>('customers').where({ router_id: id }).select('id', 'username', 'mac_address');
  const links = new RouterLinks(ctx);
  const steps = new Steps();
  try {
    let cleaned = 0;
    if (r.mode === 'api' && customers.length) {
      try {
        for (const c of customers) {
          await deprovisionCustomer(steps, links.for(r), c);
          cleaned += 1;
          await progress(cleaned, customers.length);
        }
      } catch (e) {
        if (!force) throw e;
        ctx.log.warn('router clean-up skipped (force)', { router: id, err: String((e as Error)?.message ?? e) });
      }
    }
    let profiles = 0;
    // Plan profiles hold no credentials and no subscriber depends on them any more, so a router that cannot
    // be reached for them alone does not block the delete.
    if (r.mode === 'api' && cleaned === customers.length) {
      try {
        profiles = await removePlanProfiles(steps, links.for(r));
      } catch (e) {
        ctx.log.warn('plan profiles left on the router', { router: id, err: String((e as Error)?.message ?? e) });
      }
    }
    const detached = await withTransaction(ctx.db, async (trx) => {
      await removeNas(trx, r.radius_ip);
      const n = await trx('customers').where({ router_id: id }).update({ router_id: null, updated_at: nowUtc() });
      await trx('routers').where({ id }).delete();
      return n;
    });
    forgetAnchors(ctx.db, 'customers');
    await progress(customers.length, customers.length);
    return { id, deleted: true, customers_detached: Number(detached), router_entries_removed_for: cleaned, plan_profiles_removed: profiles };
  } catch (e) {
    await steps.rollback(ctx.log);
    throw e;
  } finally {
    await links.closeAll();
  }
}

export type RouterApiStatus = 'online' | 'offline' | 'auth_failed';

/**
 * Stores what a login to the router's API showed, for get_routers: status, error code, when it was checked, and
 * last_seen_at / last_error. Written by the router probe job (src/services/monitoring/routers.ts, which also keeps
 * router.offline / router.online) and by list_routers_ui.
 */
export async function storeRouterStatus(db: Db, routerId: number, p: { status: RouterApiStatus; error: string | null; errorMessage: string | null }) {
  const now = nowUtc();
  await db('routers')
    .where({ id: routerId })
    .update({
      status: p.status,
      status_error: p.error,
      status_checked_at: now,
      ...(p.status === 'online' ? { last_seen_at: now, last_error: null } : { last_error: (p.errorMessage ?? p.error ?? '').slice(0, 255) }),
    });
}

async function probe(ctx: NetCtx, r: RouterRowDb, withResource: boolean) {
  let out: { status: RouterApiStatus; resource: Awaited<ReturnType<typeof readSystemResource>> | null; error: string | null; errorMessage: string | null };
  try {
    const resource = await withRouter(routerConnection(ctx, r), async (s) => (withResource ? readSystemResource(s) : null));
    out = { status: 'online', resource, error: null, errorMessage: null };
  } catch (e) {
    const err = isAppError(e) ? e : new AppError('router_unreachable', String((e as Error)?.message ?? e), 502);
    out = { status: err.code === 'router_login_failed' ? 'auth_failed' : 'offline', resource: null, error: err.code, errorMessage: err.message };
  }
  await storeRouterStatus(ctx.db, r.id, out);
  return out;
}

async function countsByRouter(ctx: NetCtx): Promise<Map<number, number>> {
  const rows = (await ctx.db('customers').whereNotNull('router_id').select('router_id').count({ n: '*' }).groupBy('router_id')) as Array<{
    router_id: number;
    n: number | string;
  }>;
  return new Map(rows.map((x) => [Number(x.router_id), Number(x.n)]));
}

/**
 * Routers with the status the probe job last stored (`unknown` before the first probe, `checked_at` when it was
 * seen): a GET no longer logs in to every router. list_routers_ui still asks each router for its resources.
 */
export async function getRouters(ctx: NetCtx & Partial<Pick<RouterChoice, 'getActiveRouterId'>>) {
  const routers = await ctx.db<RouterRowDb>('routers').orderBy('name');
  const active = (await ctx.getActiveRouterId?.()) ?? null;
  const counts = await countsByRouter(ctx);
  return routers.map((r) =>
    publicRouter(r, { status: r.status ?? 'unknown', error: r.status_error ?? null, checked_at: toIso(r.status_checked_at), active: r.id === active, customers: counts.get(r.id) ?? 0 }),
  );
}

export async function listRoutersUi(ctx: NetCtx & Partial<Pick<RouterChoice, 'getActiveRouterId'>>) {
  const routers = await ctx.db<RouterRowDb>('routers').orderBy('name');
  const active = (await ctx.getActiveRouterId?.()) ?? null;
  const counts = await countsByRouter(ctx);
  const probes = await Promise.all(routers.map((r) => probe(ctx, r, true)));
  const fresh = await ctx.db<RouterRowDb>('routers').orderBy('name');
  return fresh.map((r, i) => {
    const res = probes[i].resource;
    const used = res && res.total_memory_bytes !== null && res.free_memory_bytes !== null ? res.total_memory_bytes - res.free_memory_bytes : null;
    return publicRouter(r, {
      status: probes[i].status,
      error: probes[i].error,
      active: r.id === active,
      customers: counts.get(r.id) ?? 0,
      uptime: res?.uptime ?? null,
      version: res?.version ?? null,
      board_name: res?.board_name ?? null,
      cpu_load_percent: res?.cpu_load_percent ?? null,
      memory_total_bytes: res?.total_memory_bytes ?? null,
      memory_used_bytes: used,
      memory_used_percent: used !== null && res!.total_memory_bytes ? Math.round((used / res!.total_memory_bytes) * 100) : null,
    });
  });
}

export async function switchRouter(ctx: NetCtx & Pick<RouterChoice, 'setActiveRouterId'>, ref: number | string | null) {
  if (ref === null) {
    await ctx.setActiveRouterId(null);
    return { active_router: null };
  }
  const r = await requireRouter(ctx.db, ref);
  await ctx.setActiveRouterId(r.id);
  return { active_router: publicRouter(r) };
}

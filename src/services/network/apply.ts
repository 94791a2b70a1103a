/**
 * Pushing the Network Settings to api-mode routers over the RouterOS v7 API, as a diff.
 *
 * Every entry ispgate makes carries a `comment` of `ispgate:<kind>:<key>`; that mark is how a later apply knows which
 * entries are its own. An entry without the mark is the operator's and is never set or removed. Per router: print
 * each menu, then add what is missing, set what changed, remove marked entries no longer wanted. Each change keeps its
 * undo; a refusal or a lost connection half-way undoes what was done on that router, newest first, so the router is
 * left as it was. Nothing here runs inside a database transaction: the revision is committed before.
 */
import { RouterLink, type RouterRow } from '../../adapters/routeros/session';
import { AppError, isAppError } from '../../errors';
import { routerConnection, type NetCtx, type RouterRowDb } from './common';
import type { NetworkSettings } from './settings';

export const MARK_PREFIX = 'ispgate:';

/** Menus in the order entries are added; removal runs in reverse (an OSPF template goes before its area). */
const MENU_ORDER = [
  '/ip/pool',
  '/ipv6/pool',
  '/interface/vlan',
  '/routing/ospf/instance',
  '/routing/ospf/area',
  '/routing/ospf/interface-template',
  '/interface/vpls',
  '/ip/route',
] as const;
type Menu = (typeof MENU_ORDER)[number];

export const OSPF_INSTANCE = 'ispgate';

/** Printed by RouterOS but not settable: left out when a removed entry is put back. */
const READ_ONLY = new Set(['.id', 'dynamic', 'invalid', 'active', 'inactive', 'running', 'slave', 'static', 'immediate-gw',
  'ecmp', 'hw-offloaded', 'connect', 'l2mtu', 'mac-address', 'used', 'total', 'available', 'expanded-prefix']);

interface Desired {
  menu: Menu;
  mark: string;
  fields: Record<string, string>;
}

export interface PlannedCommand {
  op: 'add' | 'set' | 'remove';
  menu: Menu;
  words: string[];
  /** The entry as it was (set/remove), for the undo. */
  before?: RouterRow;
}

export interface RouterApplyResult {
  router_id: number;
  router: string;
  status: 'planned' | 'applied' | 'unchanged' | 'rolled_back' | 'unreachable';
  /** Planned (dry run), sent (applied), or sent before the failure and then undone (rolled_back). */
  commands: string[][];
  /** The command the router refused or did not answer. */
  failed_command?: string[];
  error?: string;
  message?: string;
  router_message?: string;
  /** True when an undo itself failed: the router may hold part of the change. */
  rollback_incomplete?: boolean;
}

const attrs = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `=${k}=${v}`);

export function desiredFor(settings: NetworkSettings, routerId: number): Desired[] {
  const out: Desired[] = [];
  for (const p of settings.pools) {
    if (p.routers.length > 0 && !p.routers.includes(routerId)) continue;
    if (p.family === 4) out.push({ menu: '/ip/pool', mark: `${MARK_PREFIX}pool:${p.name}`, fields: { name: p.name, ranges: p.ranges } });
    else {
      out.push({
        menu: '/ipv6/pool',
        mark: `${MARK_PREFIX}pool6:${p.name}`,
        fields: { name: p.name, prefix: p.ranges, 'prefix-length': String(p.prefix_length ?? 64) },
      });
    }
  }
  for (const v of settings.vlans) {
    if (v.router !== null && v.router !== routerId) continue;
    out.push({ menu: '/interface/vlan', mark: `${MARK_PREFIX}vlan:${v.name}`, fields: { name: v.name, 'vlan-id': String(v.vlan_id), interface: v.interface } });
  }
  if (settings.ospf) {
    const o = settings.ospf;
    out.push({
      menu: '/routing/ospf/instance',
      mark: `${MARK_PREFIX}ospf-instance:${OSPF_INSTANCE}`,
      fields: { name: OSPF_INSTANCE, version: '2', 'router-id': o.router_id, redistribute: o.redistribute.join(',') },
    });
    for (const a of o.areas) {
      out.push({ menu: '/routing/ospf/area', mark: `${MARK_PREFIX}ospf-area:${a.name}`, fields: { name: a.name, 'area-id': a.area_id, instance: OSPF_INSTANCE } });
    }
    for (const n of o.networks) {
      out.push({ menu: '/routing/ospf/interface-template', mark: `${MARK_PREFIX}ospf-network:${n.network}`, fields: { area: n.area, networks: n.network } });
    }
  }
  for (const v of settings.vpls) {
    const fields: Record<string, string> = { name: v.name, peer: v.peer, 'vpls-id': v.vpls_id };
    if (v.bridge) fields.bridge = v.bridge;
    out.push({ menu: '/interface/vpls', mark: `${MARK_PREFIX}vpls:${v.name}`, fields });
  }
  for (const r of settings.routes) {
    out.push({
      menu: '/ip/route',
      mark: `${MARK_PREFIX}route:${r.dst},${r.gateway}`,
      fields: { 'dst-address': r.dst, gateway: r.gateway, distance: String(r.distance) },
    });
  }
  return out;
}

/** Reads the router and works out the commands that make it match; sends nothing but prints. */
export async function planRouter(link: Pick<RouterLink, 'write'>, desired: Desired[]): Promise<PlannedCommand[]> {
  const adds: PlannedCommand[] = [];
  const removes: PlannedCommand[] = [];
  for (const menu of MENU_ORDER) {
    const want = desired.filter((d) => d.menu === menu);
    const rows = (await link.write(`${menu}/print`)).filter((r) => r['.id'] !== undefined);
    const ours = rows.filter((r) => (r.comment ?? '').startsWith(MARK_PREFIX));
    const matched = new Set<RouterRow>();
    for (const d of want) {
      const existing = ours.find((r) => r.comment === d.mark && !matched.has(r));
      if (!existing) {
        adds.push({ op: 'add', menu, words: attrs({ ...d.fields, comment: d.mark }) });
        continue;
      }
      matched.add(existing);
      const changed = Object.fromEntries(Object.entries(d.fields).filter(([k, v]) => (existing[k] ?? '') !== v));
      if (Object.keys(changed).length > 0) adds.push({ op: 'set', menu, words: [`=.id=${existing['.id']}`, ...attrs(changed)], before: existing });
    }
    for (const r of ours) if (!matched.has(r)) removes.unshift({ op: 'remove', menu, words: [`=.id=${r['.id']}`], before: r });
  }
  return [...removes, ...adds];
}

function undoFor(link: RouterLink, c: PlannedCommand, ret: RouterRow[]): () => Promise<void> {
  if (c.op === 'add') {
    const id = ret.find((r) => r.ret)?.ret;
    return async () => {
      if (id) await link.write(`${c.menu}/remove`, [`=.id=${id}`]);
    };
  }
  const before = c.before!;
  if (c.op === 'set') {
    const keys = c.words.filter((w) => !w.startsWith('=.id=')).map((w) => w.slice(1, w.indexOf('=', 1)));
    const previous = Object.fromEntries(keys.filter((k) => before[k] !== undefined).map((k) => [k, before[k]]));
    return async () => {
      if (Object.keys(previous).length > 0) await link.write(`${c.menu}/set`, [`=.id=${before['.id']}`, ...attrs(previous)]);
    };
  }
  const restorable = Object.fromEntries(Object.entries(before).filter(([k]) => !READ_ONLY.has(k)));
  return async () => {
    await link.write(`${c.menu}/add`, attrs(restorable));
  };
}

function failure(e: unknown): Pick<RouterApplyResult, 'status' | 'error' | 'message' | 'router_message'> {
  if (isAppError(e)) {
    const routerMessage = typeof e.extra?.router_message === 'string' ? e.extra.router_message : undefined;
    return {
      status: e.code === 'router_error' ? 'rolled_back' : 'unreachable',
      error: e.code,
      message: e.message,
      ...(routerMessage !== undefined ? { router_message: routerMessage } : {}),
    };
  }
  return { status: 'unreachable', error: 'router_error', message: (e as Error)?.message ?? 'unknown failure' };
}

async function applyToRouter(
  ctx: Pick<NetCtx, 'secrets' | 'config' | 'log'>,
  router: RouterRowDb,
  settings: NetworkSettings,
  dryRun: boolean,
): Promise<RouterApplyResult> {
  const link = new RouterLink(routerConnection(ctx, router));
  const base = { router_id: router.id, router: router.name };
  const undos: (() => Promise<void>)[] = [];
  const sent: string[][] = [];
  try {
    let plan: PlannedCommand[];
    try {
      plan = await planRouter(link, desiredFor(settings, router.id));
    } catch (e) {
      return { ...base, commands: [], ...failure(e), status: 'unreachable' };
    }
    const commands = plan.map((c) => [`${c.menu}/${c.op}`, ...c.words]);
    if (dryRun) return { ...base, status: 'planned', commands };
    if (plan.length === 0) return { ...base, status: 'unchanged', commands: [] };
    let current: string[] = [];
    try {
      for (const c of plan) {
        current = [`${c.menu}/${c.op}`, ...c.words];
        const ret = await link.write(`${c.menu}/${c.op}`, c.words);
        sent.push([`${c.menu}/${c.op}`, ...c.words]);
        undos.push(undoFor(link, c, ret));
      }
      return { ...base, status: 'applied', commands };
    } catch (e) {
      const f = failure(e);
      let incomplete = false;
      for (const undo of undos.reverse()) {
        try {
          await undo();
        } catch (ue) {
          incomplete = true;
          ctx.log.warn('network apply: an undo failed; the router may hold part of the change', {
            router_id: router.id,
            error: (ue as Error)?.message,
          });
        }
      }
      return { ...base, commands: sent, failed_command: current, ...f, ...(incomplete ? { rollback_incomplete: true } : {}) };
    }
  } finally {
    await link.close().catch(() => undefined);
  }
}

/** Checks the routers named for an apply: they exist and are in api mode. */
export async function requireApiRouters(ctx: Pick<NetCtx, 'db'>, routerIds: number[]): Promise<RouterRowDb[]> {
  const ids = [...new Set(routerIds)];
  const routers = await ctx.db<RouterRowDb>('routers').whereIn('id', ids);
  const missing = ids.filter((id) => !routers.some((r) => r.id === id));
  if (missing.length > 0) {
    throw new AppError('router_not_found', `No router with id ${missing.join(', ')}. get_routers lists the routers and their ids.`, 404, {
      details: { routers: `unknown: ${missing.join(', ')}` },
    });
  }
  const notApi = routers.filter((r) => r.mode !== 'api');
  if (notApi.length > 0) {
    throw new AppError(
      'router_not_api_mode',
      `Settings can only be pushed to api-mode routers; ${notApi.map((r) => `"${r.name}"`).join(', ')} ${notApi.length > 1 ? 'are' : 'is'} in radius mode.`,
      422,
      { details: { routers: 'not api mode' } },
    );
  }
  return ids.map((id) => routers.find((r) => r.id === id)!);
}

/** How many routers are worked on at once; each holds one API connection. */
const PARALLEL = 8;

/**
 * Applies (or with dryRun plans) the settings on each router, up to PARALLEL at a time; one router's failure is its
 * own. `progress` is told after each router.
 */
export async function applyNetworkSettings(
  ctx: Pick<NetCtx, 'db' | 'secrets' | 'config' | 'log'>,
  settings: NetworkSettings,
  routerIds: number[],
  dryRun: boolean,
  progress?: (done: number, total: number) => Promise<void>,
): Promise<RouterApplyResult[]> {
  const routers = await requireApiRouters(ctx, routerIds);
  const results: RouterApplyResult[] = new Array(routers.length);
  let next = 0;
  let done = 0;
  await progress?.(0, routers.length);
  const worker = async () => {
    while (next < routers.length) {
      const i = next++;
      results[i] = await applyToRouter(ctx, routers[i], settings, dryRun);
      done += 1;
      await progress?.(done, routers.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, routers.length) }, worker));
  return results;
}

/**
 * Network Settings: IP pools (IPv4 ranges and IPv6 prefixes for prefix delegation), VLANs, OSPF, VPLS and static
 * routes, saved as numbered revisions. Validation reports every problem with its field; the first problem's code is
 * the error code (e.g. `pool_overlap`, naming both pools). Applying to routers lives in ./apply.ts.
 */
import { isIPv4 } from 'node:net';
import { nowUtc, parseJson, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import { normalizeIpv4, ipv4ToInt } from '../../domain/net';
import { contains, overlaps, overlaps6, parseCidr4, parsePrefix6, parseV4Ranges, type V4Range, type V6Prefix } from '../../domain/ip-ranges';
import type { Db, NetCtx } from './common';
import type { ServiceContext } from '../context';

export const POOL_TYPES = ['pppoe', 'dhcp', 'static', 'wireguard', 'management'] as const;
export type PoolType = (typeof POOL_TYPES)[number];

export interface Pool {
  name: string;
  /** IPv4: RouterOS `ranges` string (canonical); IPv6: the delegated prefix, e.g. 2001:db8:100::/40. */
  ranges: string;
  family: 4 | 6;
  /** IPv6 only: the length of each delegated prefix (e.g. 56). */
  prefix_length: number | null;
  /** Optional subnet the ranges live in (IPv4); the gateway must be inside it and outside the ranges. */
  cidr: string | null;
  type: PoolType;
  gateway: string | null;
  dns: string[];
  routers: number[];
}
export interface Vlan {
  vlan_id: number;
  name: string;
  interface: string;
  router: number | null;
}
export interface Ospf {
  router_id: string;
  areas: { name: string; area_id: string }[];
  networks: { network: string; area: string }[];
  redistribute: string[];
}
export interface Vpls {
  name: string;
  peer: string;
  vpls_id: string;
  bridge: string | null;
}
export interface Route {
  dst: string;
  gateway: string;
  distance: number;
}
export interface NetworkSettings {
  pools: Pool[];
  vlans: Vlan[];
  ospf: Ospf | null;
  vpls: Vpls[];
  routes: Route[];
}

export const EMPTY_SETTINGS: NetworkSettings = { pools: [], vlans: [], ospf: null, vpls: [], routes: [] };

/** The raw shape the action hands over: strings, as a panel posts them. */
export interface RawSettings {
  pools?: Record<string, unknown>[];
  vlans?: Record<string, unknown>[];
  ospf?: Record<string, unknown> | null;
  vpls?: Record<string, unknown>[];
  routes?: Record<string, unknown>[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const REDISTRIBUTE = ['connected', 'static', 'bgp', 'rip', 'dhcp', 'fantasy', 'modem', 'copy', 'vpn'];

class Problems {
  readonly list: { field: string; code: string; message: string }[] = [];
  add(field: string, code: string, message: string) {
    this.list.push({ field, code, message });
  }
  throwIfAny() {
    if (this.list.length === 0) return;
    const [first] = this.list;
    const more = this.list.length > 1 ? ` (and ${this.list.length - 1} more problem${this.list.length > 2 ? 's' : ''}, see details)` : '';
    throw new AppError(first.code, `${first.message}${more}`, 422, {
      details: Object.fromEntries(this.list.map((p) => [p.field, `${p.code}: ${p.message}`])),
    });
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const list = (v: unknown): string[] => {
  if (Array.isArray(v)) return v.map(str).filter(Boolean);
  if (v && typeof v === 'object') return Object.values(v).map(str).filter(Boolean);
  const s = str(v);
  return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
};

/**
 * Turns what a panel posted into settings, or throws with every field-level problem. `routerIds` are the routers
 * that exist (a pool or VLAN naming another one is refused).
 */
export function validateSettings(raw: RawSettings, routerIds: Set<number>): NetworkSettings {
  const p = new Problems();
  const out: NetworkSettings = { pools: [], vlans: [], ospf: null, vpls: [], routes: [] };

  const v4: { name: string; ranges: V4Range[] }[] = [];
  const v6: { name: string; prefix: V6Prefix }[] = [];
  const seenPool = new Set<string>();
  (raw.pools ?? []).forEach((r, i) => {
    const f = (k: string) => `pools.${i}.${k}`;
    const name = str(r.name);
    if (!name) return p.add(f('name'), 'missing_pool_name', `Pool ${i + 1} has no name.`);
    if (!NAME_RE.test(name)) return p.add(f('name'), 'invalid_pool_name', `Pool name "${name}" may use letters, digits, "_", "-" and "." (at most 64).`);
    if (seenPool.has(name)) return p.add(f('name'), 'duplicate_pool_name', `Two pools are named "${name}".`);
    seenPool.add(name);
    const type = str(r.type) || 'pppoe';
    if (!(POOL_TYPES as readonly string[]).includes(type)) {
      return p.add(f('type'), 'invalid_pool_type', `Pool "${name}": type must be one of ${POOL_TYPES.join(', ')}.`);
    }
    const routers = list(r.routers).map(Number);
    const badRouter = routers.find((id) => !Number.isInteger(id) || !routerIds.has(id));
    if (badRouter !== undefined) return p.add(f('routers'), 'router_not_found', `Pool "${name}" names a router that does not exist.`);
    const dns = list(r.dns);
    if (dns.length > 4) return p.add(f('dns'), 'invalid_dns', `Pool "${name}": at most 4 DNS servers.`);
    const badDns = dns.find((d) => !isIPv4(d) && !/^[0-9a-fA-F:]+$/.test(d));
    if (badDns) return p.add(f('dns'), 'invalid_dns', `Pool "${name}": "${badDns}" is not an IP address.`);
    const rangesIn = str(r.ranges);
    if (!rangesIn) return p.add(f('ranges'), 'missing_pool_ranges', `Pool "${name}" has no ranges.`);
    const gatewayIn = str(r.gateway);

    if (rangesIn.includes(':')) {
      const prefix = parsePrefix6(rangesIn);
      if (!prefix) return p.add(f('ranges'), 'invalid_pool_ranges', `Pool "${name}": "${rangesIn}" is not an IPv6 prefix like 2001:db8:100::/40.`);
      const pl = Number(str(r.prefix_length) || '64');
      if (!Number.isInteger(pl) || pl < prefix.length || pl > 128) {
        return p.add(f('prefix_length'), 'invalid_prefix_length', `Pool "${name}": the delegated prefix length must be between ${prefix.length} and 128.`);
      }
      const clash = v6.find((o) => overlaps6(o.prefix, prefix));
      if (clash) return p.add(f('ranges'), 'pool_overlap', `Pools "${clash.name}" and "${name}" overlap.`);
      v6.push({ name, prefix });
      out.pools.push({ name, ranges: prefix.prefix, family: 6, prefix_length: pl, cidr: null, type: type as PoolType, gateway: gatewayIn || null, dns, routers });
      return;
    }

    const parsed = parseV4Ranges(rangesIn);
    if ('error' in parsed) return p.add(f('ranges'), 'invalid_pool_ranges', `Pool "${name}": ${parsed.error}.`);
    let cidr: string | null = null;
    const cidrIn = str(r.cidr);
    if (cidrIn) {
      const c = parseCidr4(cidrIn);
      if (!c) return p.add(f('cidr'), 'invalid_pool_cidr', `Pool "${name}": "${cidrIn}" is not a CIDR like 10.0.0.0/24.`);
      const outside = parsed.ranges.find((x) => x.start < c.start || x.end > c.end);
      if (outside) return p.add(f('ranges'), 'range_outside_cidr', `Pool "${name}": its ranges reach outside ${c.cidr}.`);
      cidr = c.cidr;
    }
    let gateway: string | null = null;
    if (gatewayIn) {
      gateway = normalizeIpv4(gatewayIn);
      if (!gateway) return p.add(f('gateway'), 'invalid_gateway', `Pool "${name}": gateway "${gatewayIn}" is not an IPv4 address.`);
      const g = ipv4ToInt(gateway);
      const holder = [...v4, { name, ranges: parsed.ranges }].find((o) => contains(o.ranges, g));
      if (holder) {
        return p.add(f('gateway'), 'gateway_in_pool', `Pool "${name}": gateway ${gateway} lies inside pool "${holder.name}", which would hand it to a subscriber.`);
      }
      if (cidr) {
        const c = parseCidr4(cidr)!;
        if (g < c.start || g > c.end) return p.add(f('gateway'), 'gateway_outside_cidr', `Pool "${name}": gateway ${gateway} is outside ${cidr}.`);
      }
    }
    const clash = v4.find((o) => o.ranges.some((a) => parsed.ranges.some((b) => overlaps(a, b))));
    if (clash) return p.add(f('ranges'), 'pool_overlap', `Pools "${clash.name}" and "${name}" overlap.`);
    // A gateway of an earlier pool inside this one is the same mistake seen from the other side.
    const earlierGw = out.pools.find((o) => o.family === 4 && o.gateway && contains(parsed.ranges, ipv4ToInt(o.gateway)));
    if (earlierGw) {
      return p.add(f('ranges'), 'gateway_in_pool', `Pool "${name}" contains ${earlierGw.gateway}, the gateway of pool "${earlierGw.name}".`);
    }
    v4.push({ name, ranges: parsed.ranges });
    out.pools.push({ name, ranges: parsed.canonical, family: 4, prefix_length: null, cidr, type: type as PoolType, gateway, dns, routers });
  });

  const seenVlan = new Set<string>();
  (raw.vlans ?? []).forEach((r, i) => {
    const f = (k: string) => `vlans.${i}.${k}`;
    const name = str(r.name);
    const idIn = str(r.vlan_id);
    const vid = Number(idIn);
    if (!idIn || !/^\d+$/.test(idIn) || vid < 1 || vid > 4094) {
      return p.add(f('vlan_id'), 'invalid_vlan_id', `VLAN ${name || i + 1}: the VLAN id must be a whole number from 1 to 4094.`);
    }
    if (!name) return p.add(f('name'), 'missing_vlan_name', `VLAN ${vid} has no name.`);
    if (!NAME_RE.test(name)) return p.add(f('name'), 'invalid_vlan_name', `VLAN name "${name}" may use letters, digits, "_", "-" and "." (at most 64).`);
    const iface = str(r.interface);
    if (!iface || iface.length > 64) return p.add(f('interface'), 'missing_vlan_interface', `VLAN "${name}" needs its parent interface (e.g. ether2 or bridge1).`);
    const routerIn = str(r.router);
    const router = routerIn ? Number(routerIn) : null;
    if (router !== null && (!Number.isInteger(router) || !routerIds.has(router))) {
      return p.add(f('router'), 'router_not_found', `VLAN "${name}" names a router that does not exist.`);
    }
    const key = `${router ?? '*'}/${name}`;
    if (seenVlan.has(key)) return p.add(f('name'), 'duplicate_vlan_name', `Two VLANs are named "${name}".`);
    seenVlan.add(key);
    const same = out.vlans.find((o) => o.vlan_id === vid && o.interface === iface && (o.router ?? 0) === (router ?? 0));
    if (same) return p.add(f('vlan_id'), 'duplicate_vlan_id', `VLAN ${vid} is already defined on ${iface} ("${same.name}").`);
    out.vlans.push({ vlan_id: vid, name, interface: iface, router });
  });

  if (raw.ospf && (str(raw.ospf.router_id) || raw.ospf.areas || raw.ospf.networks)) {
    const o = raw.ospf;
    const rid = normalizeIpv4(str(o.router_id));
    if (!rid) p.add('ospf.router_id', 'invalid_router_id', `OSPF router id "${str(o.router_id)}" must be a dotted quad like 10.255.255.1.`);
    const areas: Ospf['areas'] = [];
    const areaList = Array.isArray(o.areas) ? o.areas : o.areas && typeof o.areas === 'object' ? Object.values(o.areas) : [];
    (areaList as Record<string, unknown>[]).forEach((a, i) => {
      const name = str(a.name);
      let areaId = str(a.area_id);
      if (/^\d+$/.test(areaId) && Number(areaId) <= 0xffffffff) {
        const n = Number(areaId);
        areaId = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      }
      if (!name || !NAME_RE.test(name)) return p.add(`ospf.areas.${i}.name`, 'invalid_area_name', `OSPF area ${i + 1} needs a name of letters, digits, "_", "-" or ".".`);
      if (!normalizeIpv4(areaId)) return p.add(`ospf.areas.${i}.area_id`, 'invalid_area_id', `OSPF area "${name}": the area id must be a number or a dotted quad like 0.0.0.0.`);
      if (areas.some((x) => x.name === name)) return p.add(`ospf.areas.${i}.name`, 'duplicate_area_name', `Two OSPF areas are named "${name}".`);
      areas.push({ name, area_id: normalizeIpv4(areaId)! });
    });
    const networks: Ospf['networks'] = [];
    const netList = Array.isArray(o.networks) ? o.networks : o.networks && typeof o.networks === 'object' ? Object.values(o.networks) : [];
    (netList as Record<string, unknown>[]).forEach((n, i) => {
      const c = parseCidr4(str(n.network));
      if (!c) return p.add(`ospf.networks.${i}.network`, 'invalid_network', `OSPF network "${str(n.network)}" is not a CIDR like 10.0.0.0/24.`);
      const area = str(n.area);
      if (!areas.some((a) => a.name === area)) return p.add(`ospf.networks.${i}.area`, 'unknown_area', `OSPF network ${c.cidr} names area "${area}", which is not among the areas.`);
      if (networks.some((x) => x.network === c.cidr)) return p.add(`ospf.networks.${i}.network`, 'duplicate_network', `OSPF network ${c.cidr} is listed twice.`);
      networks.push({ network: c.cidr, area });
    });
    const redistribute = list(o.redistribute);
    const badRd = redistribute.find((x) => !REDISTRIBUTE.includes(x));
    if (badRd) p.add('ospf.redistribute', 'invalid_redistribute', `OSPF cannot redistribute "${badRd}"; use ${REDISTRIBUTE.join(', ')}.`);
    if (rid) out.ospf = { router_id: rid, areas, networks, redistribute: [...new Set(redistribute)] };
  }

  const seenVpls = new Set<string>();
  (raw.vpls ?? []).forEach((r, i) => {
    const f = (k: string) => `vpls.${i}.${k}`;
    const name = str(r.name);
    if (!name || !NAME_RE.test(name)) return p.add(f('name'), 'invalid_vpls_name', `VPLS ${i + 1} needs a name of letters, digits, "_", "-" or ".".`);
    if (seenVpls.has(name)) return p.add(f('name'), 'duplicate_vpls_name', `Two VPLS interfaces are named "${name}".`);
    seenVpls.add(name);
    const peer = normalizeIpv4(str(r.peer));
    if (!peer) return p.add(f('peer'), 'invalid_vpls_peer', `VPLS "${name}": the peer must be an IPv4 address.`);
    const vid = str(r.vpls_id);
    const m = /^(\d{1,10}):(\d{1,10})$/.exec(vid);
    if (!m || Number(m[1]) > 0xffffffff || Number(m[2]) > 0xffffffff) {
      return p.add(f('vpls_id'), 'invalid_vpls_id', `VPLS "${name}": the VPLS id "${vid}" must look like AS:NN, e.g. 65000:100.`);
    }
    const bridge = str(r.bridge) || null;
    if (bridge && bridge.length > 64) return p.add(f('bridge'), 'invalid_vpls_bridge', `VPLS "${name}": the bridge name is too long.`);
    out.vpls.push({ name, peer, vpls_id: `${Number(m[1])}:${Number(m[2])}`, bridge });
  });

  (raw.routes ?? []).forEach((r, i) => {
    const f = (k: string) => `routes.${i}.${k}`;
    const dst = parseCidr4(str(r.dst));
    if (!dst) return p.add(f('dst'), 'invalid_route_dst', `Route ${i + 1}: "${str(r.dst)}" is not a destination like 0.0.0.0/0 or 10.9.0.0/16.`);
    const gw = str(r.gateway);
    const gateway = normalizeIpv4(gw) ?? (/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(gw) ? gw : null);
    if (!gateway) return p.add(f('gateway'), 'invalid_route_gateway', `Route ${dst.cidr}: the gateway must be an IPv4 address or an interface name.`);
    const dIn = str(r.distance) || '1';
    const distance = Number(dIn);
    if (!/^\d+$/.test(dIn) || distance < 1 || distance > 255) return p.add(f('distance'), 'invalid_route_distance', `Route ${dst.cidr}: distance must be 1 to 255.`);
    if (out.routes.some((x) => x.dst === dst.cidr && x.gateway === gateway)) {
      return p.add(f('dst'), 'duplicate_route', `The route ${dst.cidr} via ${gateway} is listed twice.`);
    }
    out.routes.push({ dst: dst.cidr, gateway, distance });
  });

  p.throwIfAny();
  return out;
}

interface RevisionRow {
  id: number;
  revision: number;
  settings: string;
  restored_from: number | null;
  created_by: string | null;
  created_at: string;
}

function view(row: RevisionRow | undefined) {
  if (!row) return { revision: 0, ...EMPTY_SETTINGS, created_at: null, created_by: null, restored_from: null };
  return {
    revision: row.revision,
    ...parseJson<NetworkSettings>(row.settings, EMPTY_SETTINGS),
    created_at: toIso(row.created_at),
    created_by: row.created_by,
    restored_from: row.restored_from,
  };
}

export type SettingsView = ReturnType<typeof view>;

export async function currentSettings(db: Db): Promise<NetworkSettings & { revision: number }> {
  const row = await db<RevisionRow>('network_settings_revisions').orderBy('revision', 'desc').first();
  return { revision: row?.revision ?? 0, ...(row ? parseJson<NetworkSettings>(row.settings, EMPTY_SETTINGS) : EMPTY_SETTINGS) };
}

export async function getNetworkSettings(ctx: Pick<NetCtx, 'db'>, revision?: number) {
  if (revision === undefined) return view(await ctx.db<RevisionRow>('network_settings_revisions').orderBy('revision', 'desc').first());
  const row = await ctx.db<RevisionRow>('network_settings_revisions').where({ revision }).first();
  if (!row) throw new AppError('revision_not_found', `There is no network settings revision ${revision}. list_network_revisions lists them.`, 404);
  return view(row);
}

export async function listNetworkRevisions(ctx: Pick<NetCtx, 'db'>, page: number, perPage: number) {
  const [{ n }] = await ctx.db('network_settings_revisions').count({ n: '*' });
  const rows = await ctx.db<RevisionRow>('network_settings_revisions')
    .orderBy('revision', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage);
  return {
    total: Number(n),
    items: rows.map((r) => {
      const s = parseJson<NetworkSettings>(r.settings, EMPTY_SETTINGS);
      return {
        revision: r.revision,
        created_at: toIso(r.created_at),
        created_by: r.created_by,
        restored_from: r.restored_from,
        counts: { pools: s.pools.length, vlans: s.vlans.length, ospf_networks: s.ospf?.networks.length ?? 0, vpls: s.vpls.length, routes: s.routes.length },
      };
    }),
  };
}

function actorName(ctx: Partial<Pick<ServiceContext, 'actor'>>): string | null {
  const a = ctx.actor;
  if (!a) return null;
  return a.username ?? (a.apiKeyId ? `api_key:${a.apiKeyId}` : a.type);
}

/**
 * Saves a new revision: the posted sections (sections not posted keep their current value), or a copy of
 * `restoreRevision`. Returns the new revision; an identical document is not saved twice.
 */
export async function resolveSettings(ctx: Pick<NetCtx, 'db'>, raw: RawSettings, restoreRevision?: number): Promise<NetworkSettings> {
  const routerIds = new Set((await ctx.db('routers').select('id')).map((r: { id: number }) => Number(r.id)));
  let next: NetworkSettings;
  if (restoreRevision !== undefined) {
    const old = await getNetworkSettings(ctx, restoreRevision);
    // Re-validated: a router named by the old revision may have been deleted since.
    next = validateSettings(
      {
        pools: old.pools.map((x) => ({ ...x, routers: x.routers.map(String), dns: x.dns.join(','), prefix_length: x.prefix_length ?? '' })) as never,
        vlans: old.vlans as never,
        ospf: old.ospf as never,
        vpls: old.vpls as never,
        routes: old.routes as never,
      },
      routerIds,
    );
  } else {
    const current = await currentSettings(ctx.db);
    const posted = validateSettings(raw, routerIds);
    next = {
      pools: raw.pools !== undefined ? posted.pools : current.pools,
      vlans: raw.vlans !== undefined ? posted.vlans : current.vlans,
      ospf: raw.ospf !== undefined ? posted.ospf : current.ospf,
      vpls: raw.vpls !== undefined ? posted.vpls : current.vpls,
      routes: raw.routes !== undefined ? posted.routes : current.routes,
    };
  }
  return next;
}

export async function saveNetworkSettings(
  ctx: Pick<NetCtx, 'db'> & Partial<Pick<ServiceContext, 'actor'>>,
  raw: RawSettings,
  restoreRevision?: number,
): Promise<{ revision: number; settings: NetworkSettings; changed: boolean }> {
  const next = await resolveSettings(ctx, raw, restoreRevision);
  const doc = JSON.stringify(next);
  return ctx.db.transaction(async (trx) => {
    const last = await trx<RevisionRow>('network_settings_revisions').orderBy('revision', 'desc').first();
    if (last && last.settings === doc && restoreRevision === undefined) return { revision: last.revision, settings: next, changed: false };
    const revision = (last?.revision ?? 0) + 1;
    await trx('network_settings_revisions').insert({
      revision,
      settings: doc,
      restored_from: restoreRevision ?? null,
      created_by: actorName(ctx),
      created_at: nowUtc(),
    });
    return { revision, settings: next, changed: true };
  });
}

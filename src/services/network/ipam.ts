/**
 * IP address management: which addresses are in use and by whom (a subscriber's static IP, an inventory node, a
 * WireGuard tunnel, a pool gateway), pool usage, and picking the next free address of a pool.
 */
import { AppError } from '../../errors';
import { ipv4ToInt, normalizeIpv4 } from '../../domain/net';
import { contains, intToIpv4, parseCidr4, parseV4Ranges, rangeSize, type V4Range } from '../../domain/ip-ranges';
import { currentSettings, type Pool } from './settings';
import type { Db } from './common';

export interface Holder {
  kind: 'customer' | 'inventory_node' | 'wireguard_tunnel' | 'pool_gateway';
  id: number | string;
  name: string;
}

export function describeHolder(h: Holder): string {
  switch (h.kind) {
    case 'customer':
      return `subscriber "${h.name}" (id ${h.id})`;
    case 'inventory_node':
      return `inventory node "${h.name}" (id ${h.id})`;
    case 'wireguard_tunnel':
      return `WireGuard tunnel "${h.name}" (id ${h.id})`;
    default:
      return `the gateway of pool "${h.name}"`;
  }
}

/** Every IPv4 address held by something, with its holder. */
export async function addressHolders(db: Db): Promise<Map<string, Holder>> {
  const out = new Map<string, Holder>();
  const settings = await currentSettings(db);
  for (const p of settings.pools) if (p.gateway && p.family === 4) out.set(p.gateway, { kind: 'pool_gateway', id: p.name, name: p.name });
  for (const c of await db('customers').whereNotNull('static_ip').select('id', 'username', 'static_ip')) {
    out.set(c.static_ip, { kind: 'customer', id: c.id, name: c.username });
  }
  for (const n of await db('inventory_nodes').whereNotNull('ip').select('id', 'name', 'ip')) {
    out.set(n.ip, { kind: 'inventory_node', id: n.id, name: n.name });
  }
  for (const w of await db('wireguard_tunnels').whereNotNull('address').select('id', 'name', 'address')) {
    out.set(w.address, { kind: 'wireguard_tunnel', id: w.id, name: w.name });
  }
  return out;
}

/** Who holds `ip`, ignoring `except` (the record being edited). */
export async function holderOf(db: Db, ip: string, except?: Pick<Holder, 'kind' | 'id'>): Promise<Holder | null> {
  const h = (await addressHolders(db)).get(ip);
  if (!h) return null;
  if (except && h.kind === except.kind && String(h.id) === String(except.id)) return null;
  return h;
}

export async function assertAddressFree(db: Db, ip: string, field: string, except?: Pick<Holder, 'kind' | 'id'>): Promise<void> {
  const h = await holderOf(db, ip, except);
  if (h) {
    throw new AppError('ip_in_use', `${ip} is already held by ${describeHolder(h)}.`, 409, {
      details: { [field]: 'in use' },
      extra: { held_by: { kind: h.kind, id: h.id, name: h.name } },
    });
  }
}

/**
 * The addresses a pool can hand out: its ranges, minus the network and broadcast address of a piece spelled as a
 * CIDR of /30 or wider (no host may take those), minus its gateway.
 */
export function usableRanges(pool: Pool): V4Range[] {
  const pieces = pool.ranges.split(',');
  const out: V4Range[] = [];
  for (const piece of pieces) {
    const c = piece.includes('/') ? parseCidr4(piece) : null;
    if (c && c.prefix <= 30) out.push({ start: c.start + 1, end: c.end - 1 });
    else {
      const r = parseV4Ranges(piece);
      if (!('error' in r)) out.push(...r.ranges);
    }
  }
  return out;
}

function nextFree(ranges: V4Range[], used: Set<number>): string | null {
  for (const r of ranges) {
    for (let n = r.start; n <= r.end; n++) if (!used.has(n)) return intToIpv4(n);
  }
  return null;
}

export async function requirePool(db: Db, name: string, field = 'pool'): Promise<Pool> {
  const settings = await currentSettings(db);
  const pool = settings.pools.find((p) => p.name === name);
  if (!pool) {
    throw new AppError('pool_not_found', `No IP pool named "${name}". get_network_settings lists the pools.`, 404, { details: { [field]: 'not found' } });
  }
  return pool;
}

/** The next free IPv4 address of a pool, or pool_exhausted. */
export async function allocateFromPool(db: Db, poolName: string, field = 'pool'): Promise<string> {
  const pool = await requirePool(db, poolName, field);
  if (pool.family !== 4) {
    throw new AppError('invalid_pool', `Pool "${pool.name}" is an IPv6 prefix-delegation pool; the router hands those out itself.`, 422, { details: { [field]: 'ipv6 pool' } });
  }
  const used = new Set([...(await addressHolders(db)).keys()].filter((ip) => normalizeIpv4(ip)).map(ipv4ToInt));
  const ip = nextFree(usableRanges(pool), used);
  if (!ip) throw new AppError('pool_exhausted', `Pool "${pool.name}" has no free address left.`, 409, { details: { [field]: 'exhausted' } });
  return ip;
}

/** The pool an address belongs to, or null. */
export async function poolOf(db: Db, ip: string): Promise<Pool | null> {
  const settings = await currentSettings(db);
  const n = ipv4ToInt(ip);
  return settings.pools.find((p) => p.family === 4 && contains(usableRanges(p), n)) ?? null;
}

export async function ipamUsage(db: Db) {
  const settings = await currentSettings(db);
  const used = new Set([...(await addressHolders(db)).keys()].filter((ip) => normalizeIpv4(ip)).map(ipv4ToInt));
  return {
    revision: settings.revision,
    pools: settings.pools.map((p) => {
      if (p.family === 6) {
        const total = p.ranges.split('/')[1];
        const size = 2 ** Math.min(52, (p.prefix_length ?? 64) - Number(total));
        return { name: p.name, family: 6, type: p.type, ranges: p.ranges, prefix_length: p.prefix_length, size, used: null, free: null, next_free: null, utilisation: null };
      }
      const ranges = usableRanges(p);
      const size = rangeSize(ranges);
      let inUse = 0;
      for (const n of used) if (contains(ranges, n)) inUse += 1;
      return {
        name: p.name,
        family: 4,
        type: p.type,
        ranges: p.ranges,
        size,
        used: inUse,
        free: size - inUse,
        next_free: nextFree(ranges, used),
        utilisation: size === 0 ? 0 : Math.round((inUse / size) * 10000) / 100,
      };
    }),
  };
}

/**
 * Pools driving a subscriber's address on add/edit: with `pool` and no static_ip, the next free address of the pool;
 * with both, the address must lie in that pool. Any static IP must be held by nobody else (an inventory node, a
 * tunnel, a pool gateway; other subscribers are checked by the customer rules). Returns the static_ip column to
 * write, if it changes.
 */
export async function poolAddressing(
  db: Db,
  input: { pool?: string | null; static_ip?: string | null },
  staticIp: string | null | undefined,
  customerId?: number,
): Promise<{ static_ip?: string }> {
  if (input.pool) {
    const pool = await requirePool(db, input.pool);
    if (staticIp) {
      if (pool.family !== 4 || !contains(usableRanges(pool), ipv4ToInt(staticIp))) {
        throw new AppError('ip_not_in_pool', `${staticIp} is not an address of pool "${pool.name}" (${pool.ranges}).`, 422, { details: { static_ip: 'outside the pool' } });
      }
    } else {
      // An edit naming the pool the subscriber's address is already in keeps that address.
      const current = customerId !== undefined ? (await db('customers').where({ id: customerId }).first('static_ip'))?.static_ip : null;
      if (current && input.static_ip === undefined && pool.family === 4 && contains(usableRanges(pool), ipv4ToInt(current))) return {};
      return { static_ip: await allocateFromPool(db, pool.name) };
    }
  }
  if (staticIp) await assertAddressFree(db, staticIp, 'static_ip', customerId !== undefined ? { kind: 'customer', id: customerId } : undefined);
  return {};
}

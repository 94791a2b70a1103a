/**
 * Device status for the inventory: approved nodes (OLTs, ONUs, radios …) with the outcome of their last SNMP poll,
 * filtered by type, by vendor (Ubiquiti, Cambium: the node's vendor, or the sysDescr the device reported), or by
 * parent OLT; an overview by type and vendor; and the infrastructure checks (router liveness probes and SNMP polls).
 * Reads only: the status is what the collection cycle and the liveness probe last wrote.
 */
import type { Knex } from 'knex';
import { toIso } from '../../db/knex';
import { containsPattern, LIKE_ESCAPE } from '../../db/like';
import { AppError } from '../../errors';
import type { NodeType } from '../network/inventory';

type Db = Knex | Knex.Transaction;

export type DeviceStatus = 'online' | 'offline' | 'unknown';

/** How a vendor shows in an inventory vendor field or in a device's sysDescr (AirOS, EdgeOS, UniFi; ePMP, cnPilot, Canopy). */
export const VENDOR_PATTERNS = {
  ubiquiti: ['ubiquiti', 'ubnt', 'airos', 'edgeos', 'edgeswitch', 'unifi', 'airmax', 'airfiber'],
  cambium: ['cambium', 'epmp', 'cnpilot', 'cnwave', 'canopy', 'pmp450', 'pmp 450'],
} as const;
export type KnownVendor = keyof typeof VENDOR_PATTERNS;

export interface DeviceFilter {
  types?: NodeType[];
  vendor?: KnownVendor;
  /** ONUs of one OLT (its id). */
  parentId?: number;
  page: number;
  per_page: number;
}

export interface DeviceView {
  id: number;
  name: string;
  ip: string | null;
  type: string;
  vendor: string | null;
  model: string | null;
  serial: string | null;
  mac: string | null;
  location: string | null;
  parent_id: number | null;
  status: DeviceStatus;
  monitored: boolean;
  snmp: {
    reachable: boolean | null;
    sys_name: string | null;
    sys_descr: string | null;
    uptime_s: number | null;
    latency_ms: number | null;
    error: string | null;
    last_poll_at: string | null;
  } | null;
}

const statusOf = (reachable: unknown): DeviceStatus => (reachable === null || reachable === undefined ? 'unknown' : Number(reachable) ? 'online' : 'offline');

function base(db: Db) {
  return db('inventory_nodes as n')
    .leftJoin('snmp_devices as d', function join() {
      this.on('d.ref_id', '=', 'n.id').andOnVal('d.kind', '=', 'inventory');
    })
    .where('n.status', 'approved');
}

function view(r: Record<string, any>): DeviceView { // eslint-disable-line @typescript-eslint/no-explicit-any
  const monitored = r.device_id !== null && r.device_id !== undefined;
  return {
    id: Number(r.id),
    name: r.name,
    ip: r.ip,
    type: r.type,
    vendor: r.vendor,
    model: r.model,
    serial: r.serial,
    mac: r.mac_address,
    location: r.location,
    parent_id: r.parent_id === null ? null : Number(r.parent_id),
    status: monitored ? statusOf(r.reachable) : 'unknown',
    monitored,
    snmp: monitored
      ? {
          reachable: r.reachable === null ? null : Boolean(Number(r.reachable)),
          sys_name: r.sys_name,
          sys_descr: r.sys_descr,
          uptime_s: r.uptime_ticks === null ? null : Math.floor(Number(r.uptime_ticks) / 100),
          latency_ms: r.latency_ms === null ? null : Number(r.latency_ms),
          error: r.last_error,
          last_poll_at: toIso(r.last_poll_at),
        }
      : null,
  };
}

const COLUMNS = [
  'n.id', 'n.name', 'n.ip', 'n.type', 'n.vendor', 'n.model', 'n.serial', 'n.mac_address', 'n.location', 'n.parent_id',
  'd.id as device_id', 'd.reachable', 'd.sys_name', 'd.sys_descr', 'd.uptime_ticks', 'd.latency_ms', 'd.last_error', 'd.last_poll_at',
];

/** Approved inventory devices with their SNMP status, by id. */
export async function listDevices(ctx: { db: Db }, f: DeviceFilter): Promise<{ total: number; items: DeviceView[] }> {
  if (f.parentId !== undefined) {
    const olt = await ctx.db('inventory_nodes').where({ id: f.parentId }).first('id', 'type');
    if (!olt || olt.type !== 'olt') throw new AppError('olt_not_found', `No OLT with id ${f.parentId}; the OLT list has them.`, 404, { details: { olt_id: 'not found' } });
  }
  const q = () => {
    const b = base(ctx.db);
    if (f.types?.length) b.whereIn('n.type', f.types);
    if (f.parentId !== undefined) b.where('n.parent_id', f.parentId);
    if (f.vendor) {
      const pats = VENDOR_PATTERNS[f.vendor];
      b.where((w) => {
        for (const p of pats) {
          w.orWhereRaw(`lower(n.vendor) LIKE ? ${LIKE_ESCAPE}`, [containsPattern(p)]);
          w.orWhereRaw(`lower(d.sys_descr) LIKE ? ${LIKE_ESCAPE}`, [containsPattern(p)]);
        }
      });
    }
    return b;
  };
  const [{ n }] = await q().count({ n: '*' });
  const rows = await q().select(COLUMNS).orderBy('n.id').limit(f.per_page).offset((f.page - 1) * f.per_page);
  return { total: Number(n), items: rows.map(view) };
}

/** Counts of approved devices by type and known vendor, each as online / offline / unknown, and of routers by liveness. */
export async function deviceOverview(ctx: { db: Db }) {
  const rows = await base(ctx.db).select(COLUMNS).limit(100_000);
  const empty = () => ({ total: 0, online: 0, offline: 0, unknown: 0 });
  const all = empty();
  const byType: Record<string, ReturnType<typeof empty>> = {};
  const byVendor: Record<KnownVendor, ReturnType<typeof empty>> = { ubiquiti: empty(), cambium: empty() };
  for (const r of rows) {
    const v = view(r);
    const add = (c: ReturnType<typeof empty>) => {
      c.total += 1;
      c[v.status] += 1;
    };
    add(all);
    add((byType[v.type] ??= empty()));
    const hay = `${v.vendor ?? ''} ${v.snmp?.sys_descr ?? ''}`.toLowerCase();
    for (const k of Object.keys(VENDOR_PATTERNS) as KnownVendor[]) if (VENDOR_PATTERNS[k].some((p) => hay.includes(p))) add(byVendor[k]);
  }
  const routers = await routerCounts(ctx);
  return { devices: all, by_type: byType, by_vendor: byVendor, monitored: rows.filter((r) => r.device_id !== null).length, routers };
}

/** Routers by the liveness probe's state: online → up, offline → down, never probed → unknown. */
export async function routerCounts(ctx: { db: Db }) {
  const rows = await ctx.db('routers as r').leftJoin('router_liveness as l', 'l.router_id', 'r.id').select('l.state');
  const out = { total: rows.length, up: 0, down: 0, unknown: 0 };
  for (const r of rows) out[r.state === 'online' ? 'up' : r.state === 'offline' ? 'down' : 'unknown'] += 1;
  return out;
}

export type CheckStatus = 'up' | 'down' | 'unknown';

export interface StatusCheck {
  id: string;
  check: 'router_liveness' | 'snmp';
  target: string | null;
  target_type: string;
  target_id: number;
  host: string | null;
  status: CheckStatus;
  error: string | null;
  checked_at: string | null;
  last_ok_at: string | null;
  changed_at: string | null;
}

/** Every check the monitoring runs and its last outcome: a liveness probe per router, an SNMP poll per device. */
export async function statusChecks(ctx: { db: Db }, status?: CheckStatus): Promise<StatusCheck[]> {
  const out: StatusCheck[] = [];
  const routers = await ctx.db('routers as r').leftJoin('router_liveness as l', 'l.router_id', 'r.id').select('r.id', 'r.name', 'r.ip', 'l.state', 'l.last_error', 'l.last_probe_at', 'l.last_ok_at', 'l.changed_at').orderBy('r.id').limit(10_000);
  for (const r of routers) {
    out.push({
      id: `router:${r.id}`,
      check: 'router_liveness',
      target: r.name,
      target_type: 'router',
      target_id: Number(r.id),
      host: r.ip,
      status: r.state === 'online' ? 'up' : r.state === 'offline' ? 'down' : 'unknown',
      error: r.last_error ?? null,
      checked_at: toIso(r.last_probe_at),
      last_ok_at: toIso(r.last_ok_at),
      changed_at: toIso(r.changed_at),
    });
  }
  const devices = await ctx.db('snmp_devices as d').leftJoin('inventory_nodes as n', function join() {
    this.on('n.id', '=', 'd.ref_id').andOnVal('d.kind', '=', 'inventory');
  }).select('d.id', 'd.kind', 'd.ref_id', 'd.name', 'd.host', 'd.reachable', 'd.last_error', 'd.last_poll_at', 'n.type').orderBy('d.id').limit(10_000);
  for (const d of devices) {
    const s = statusOf(d.reachable);
    out.push({
      id: `snmp:${d.id}`,
      check: 'snmp',
      target: d.name,
      target_type: d.kind === 'router' ? 'router' : (d.type ?? 'inventory'),
      target_id: Number(d.ref_id),
      host: d.host,
      status: s === 'online' ? 'up' : s === 'offline' ? 'down' : 'unknown',
      error: d.last_error ?? null,
      checked_at: toIso(d.last_poll_at),
      last_ok_at: null,
      changed_at: null,
    });
  }
  return status ? out.filter((c) => c.status === status) : out;
}

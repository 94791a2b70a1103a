/**
 * The SNMP collection cycle and its reads. A cycle polls every configured device (routers and approved inventory
 * nodes) with a concurrency limit and a per-device deadline, so a dead device costs one timeout and delays no one;
 * each device's results are written in a short transaction of its own after its poll has finished (never a
 * network call inside a transaction). Raw samples are rolled up into 5-minute averages and maxima.
 */
import type { Knex } from 'knex';
import { nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import { counterRate, type RateNote } from '../../domain/counter-rate';
import { pollDevice, SnmpError, type InterfaceReading, type PollReading, type SnmpTarget } from '../../adapters/snmp/client';
import type { ServiceContext } from '../context';
import { listApprovedNodes } from './inventory-port';
import { syncInventorySnmp } from './inventory-snmp';
import { deviceStatus, type SnmpDeviceRow } from './snmp-settings';

type Db = Knex | Knex.Transaction;
export type MonCtx = Pick<ServiceContext, 'db' | 'secrets' | 'log' | 'config'>;

export const BUCKET_S = 300;

/** Runs fn over items with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

export function toTarget(ctx: Pick<MonCtx, 'secrets' | 'config'>, d: SnmpDeviceRow): SnmpTarget {
  return {
    host: d.host,
    port: d.snmp_port,
    version: d.snmp_version,
    community: ctx.secrets.decryptOptional(d.community_enc),
    user: d.snmp_user,
    authProtocol: d.auth_protocol,
    authKey: ctx.secrets.decryptOptional(d.auth_key_enc),
    privProtocol: d.priv_protocol,
    privKey: ctx.secrets.decryptOptional(d.priv_key_enc),
    timeoutMs: ctx.config.SNMP_TIMEOUT_MS,
    retries: ctx.config.SNMP_RETRIES,
  };
}

/**
 * The devices to poll. A router's address and name follow the routers table (edit_router moves them); a router
 * that is gone takes its SNMP settings with it; an inventory node counts only while it is approved.
 */
export async function loadDevices(ctx: Pick<MonCtx, 'db'>, deviceId?: number): Promise<SnmpDeviceRow[]> {
  await ctx.db('snmp_devices').where({ kind: 'router' }).whereNotIn('ref_id', ctx.db('routers').select('id')).delete();
  await syncInventorySnmp(ctx.db);
  const q = ctx.db<SnmpDeviceRow>('snmp_devices').orderBy('id');
  if (deviceId !== undefined) q.where({ id: deviceId });
  const rows = await q;
  if (deviceId !== undefined && rows.length === 0) {
    throw new AppError('device_not_found', `No SNMP device ${deviceId}. snmp_collect without device lists them all.`, 404);
  }
  const routers = new Map((await ctx.db('routers').select('id', 'ip', 'name')).map((r) => [Number(r.id), r]));
  const hasInventory = rows.some((r) => r.kind === 'inventory');
  const nodes = hasInventory ? new Map((await listApprovedNodes(ctx)).map((n) => [n.id, n])) : new Map();
  const out: SnmpDeviceRow[] = [];
  for (const r of rows) {
    if (r.kind === 'router') {
      const ro = routers.get(r.ref_id);
      if (ro) out.push({ ...r, host: ro.ip, name: ro.name });
    } else {
      const n = nodes.get(r.ref_id);
      if (n) out.push({ ...r, host: n.ip ?? r.host, name: n.name ?? r.name });
    }
  }
  return out;
}

export interface DeviceSummary {
  device_id: number;
  kind: string;
  ref_id: number;
  name: string | null;
  host: string;
  reachable: boolean;
  sys_uptime_ticks: number | null;
  latency_ms: number | null;
  interfaces_polled: number;
  error: string | null;
  message: string | null;
}

interface IfRow {
  id: number;
  if_index: number;
  in_octets: string | null;
  out_octets: string | null;
  sampled_at_ms: number | string | null;
}

const big = (v: string | null) => (v === null ? null : BigInt(v));
const num = (v: bigint | null) => (v === null ? null : Number(v));

/** Writes one device's poll: device status, interface counters and rates, raw samples. */
async function storeReading(db: Db, d: SnmpDeviceRow, r: PollReading, atMs: number): Promise<void> {
  const prevUptime = d.uptime_ticks === null ? null : Number(d.uptime_ticks);
  const now = nowUtc();
  await db.transaction(async (trx) => {
    await trx('snmp_devices').where({ id: d.id }).update({
      host: d.host,
      name: d.name,
      reachable: true,
      sys_descr: r.sysDescr,
      sys_name: r.sysName,
      uptime_ticks: r.uptimeTicks,
      latency_ms: r.latencyMs,
      last_error: null,
      last_error_message: null,
      last_poll_at: now,
      updated_at: now,
    });
    const existing = new Map(((await trx('snmp_interfaces').where({ device_id: d.id })) as IfRow[]).map((x) => [Number(x.if_index), x]));
    const samples: Array<Record<string, unknown>> = [];
    for (const i of r.interfaces) {
      const prev = existing.get(i.ifIndex);
      const prevAt = prev?.sampled_at_ms === null || prev?.sampled_at_ms === undefined ? null : Number(prev.sampled_at_ms);
      const rate = (cur: bigint | null, old: string | null) =>
        counterRate(prevAt === null ? null : { octets: big(old), atMs: prevAt, uptimeTicks: prevUptime }, { octets: cur, atMs, uptimeTicks: r.uptimeTicks }, i.highSpeedMbps);
      const rin = rate(i.inOctets, prev?.in_octets ?? null);
      const rout = rate(i.outOctets, prev?.out_octets ?? null);
      const note: RateNote = rin.note !== 'ok' ? rin.note : rout.note;
      const row = ifRow(i, {
        in_bps: num(rin.bps),
        out_bps: num(rout.bps),
        sampled_at_ms: atMs,
        interval_ms: prevAt === null ? null : atMs - prevAt,
        in_octets_delta: rin.delta === null ? null : rin.delta.toString(),
        out_octets_delta: rout.delta === null ? null : rout.delta.toString(),
        rate_note: note,
        updated_at: now,
      });
      if (prev) await trx('snmp_interfaces').where({ id: prev.id }).update(row);
      else await trx('snmp_interfaces').insert({ ...row, device_id: d.id, if_index: i.ifIndex });
      if (rin.bps !== null && rout.bps !== null) samples.push({ device_id: d.id, if_index: i.ifIndex, at: now, in_bps: num(rin.bps), out_bps: num(rout.bps) });
    }
    for (let k = 0; k < samples.length; k += 500) await trx('snmp_samples').insert(samples.slice(k, k + 500));
  });
}

function ifRow(i: InterfaceReading, extra: Record<string, unknown>) {
  return {
    name: i.name?.slice(0, 255) ?? null,
    alias: i.alias?.slice(0, 255) ?? null,
    oper_status: i.operStatus,
    high_speed_mbps: i.highSpeedMbps,
    in_octets: i.inOctets === null ? null : i.inOctets.toString(),
    out_octets: i.outOctets === null ? null : i.outOctets.toString(),
    in_errors: i.inErrors,
    out_errors: i.outErrors,
    in_discards: i.inDiscards,
    out_discards: i.outDiscards,
    ...extra,
  };
}

async function storeFailure(db: Db, d: SnmpDeviceRow, e: SnmpError): Promise<void> {
  const now = nowUtc();
  await db('snmp_devices').where({ id: d.id }).update({
    reachable: false,
    last_error: e.code,
    last_error_message: e.message.slice(0, 255),
    last_poll_at: now,
    updated_at: now,
  });
}

/** One collection cycle over `devices` (all configured devices when not given). */
export async function runSnmpCycle(
  ctx: MonCtx,
  opts: { deviceId?: number; progress?: (done: number, total: number) => Promise<void> } = {},
): Promise<{ devices: DeviceSummary[]; polled: number; reachable: number }> {
  const devices = await loadDevices(ctx, opts.deviceId);
  let done = 0;
  const summaries = await mapLimit(devices, ctx.config.SNMP_CONCURRENCY, async (d): Promise<DeviceSummary> => {
    const base = { device_id: d.id, kind: d.kind, ref_id: d.ref_id, name: d.name, host: d.host };
    let summary: DeviceSummary;
    try {
      const reading = await pollDevice(toTarget(ctx, d));
      await storeReading(ctx.db, d, reading, Date.now());
      summary = { ...base, reachable: true, sys_uptime_ticks: reading.uptimeTicks, latency_ms: reading.latencyMs, interfaces_polled: reading.interfaces.length, error: null, message: null };
    } catch (e) {
      if (!(e instanceof SnmpError)) throw e;
      await storeFailure(ctx.db, d, e);
      summary = { ...base, reachable: false, sys_uptime_ticks: null, latency_ms: null, interfaces_polled: 0, error: e.code, message: e.message };
    }
    done += 1;
    if (opts.progress && (done % 25 === 0 || done === devices.length)) await opts.progress(done, devices.length);
    return summary;
  });
  return { devices: summaries, polled: summaries.length, reachable: summaries.filter((s) => s.reachable).length };
}

const toDate = (s: string) => new Date(s.replace(' ', 'T') + 'Z');
const fmt = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/**
 * Rolls raw samples older than SNMP_RAW_RETENTION_H into 5-minute buckets (average and maximum, merged with a
 * bucket already there), deletes them, and deletes buckets older than SNMP_ROLLUP_RETENTION_D.
 */
export async function compactSamples(ctx: Pick<MonCtx, 'db' | 'config'>, now = new Date()): Promise<{ rolled: number; expired: number }> {
  const cutoff = fmt(new Date(now.getTime() - ctx.config.SNMP_RAW_RETENTION_H * 3600_000));
  let rolled = 0;
  for (;;) {
    const rows = await ctx.db('snmp_samples').where('at', '<', cutoff).orderBy('id').limit(5000);
    if (rows.length === 0) break;
    const groups = new Map<string, { device_id: number; if_index: number; bucket_at: string; n: number; inSum: number; inMax: number; outSum: number; outMax: number }>();
    for (const r of rows) {
      const t = Math.floor(toDate(String(r.at)).getTime() / 1000 / BUCKET_S) * BUCKET_S;
      const bucket = fmt(new Date(t * 1000));
      const k = `${r.device_id}/${r.if_index}/${bucket}`;
      const g = groups.get(k) ?? { device_id: Number(r.device_id), if_index: Number(r.if_index), bucket_at: bucket, n: 0, inSum: 0, inMax: 0, outSum: 0, outMax: 0 };
      g.n += 1;
      g.inSum += Number(r.in_bps);
      g.outSum += Number(r.out_bps);
      g.inMax = Math.max(g.inMax, Number(r.in_bps));
      g.outMax = Math.max(g.outMax, Number(r.out_bps));
      groups.set(k, g);
    }
    await ctx.db.transaction(async (trx) => {
      for (const g of groups.values()) {
        const cur = await trx('snmp_rollups').where({ device_id: g.device_id, if_index: g.if_index, bucket_at: g.bucket_at }).first();
        if (cur) {
          const n = Number(cur.samples) + g.n;
          await trx('snmp_rollups').where({ id: cur.id }).update({
            samples: n,
            in_avg: Math.round((Number(cur.in_avg) * Number(cur.samples) + g.inSum) / n),
            out_avg: Math.round((Number(cur.out_avg) * Number(cur.samples) + g.outSum) / n),
            in_max: Math.max(Number(cur.in_max), g.inMax),
            out_max: Math.max(Number(cur.out_max), g.outMax),
          });
        } else {
          await trx('snmp_rollups').insert({
            device_id: g.device_id,
            if_index: g.if_index,
            bucket_at: g.bucket_at,
            samples: g.n,
            in_avg: Math.round(g.inSum / g.n),
            out_avg: Math.round(g.outSum / g.n),
            in_max: g.inMax,
            out_max: g.outMax,
          });
        }
      }
      await trx('snmp_samples').whereIn('id', rows.map((r) => r.id)).delete();
    });
    rolled += rows.length;
  }
  const expired = await ctx.db('snmp_rollups').where('bucket_at', '<', fmt(new Date(now.getTime() - ctx.config.SNMP_ROLLUP_RETENTION_D * 86400_000))).delete();
  return { rolled, expired: Number(expired) };
}

async function requireDevice(db: Db, deviceId: number): Promise<SnmpDeviceRow> {
  const d = await db<SnmpDeviceRow>('snmp_devices').where({ id: deviceId }).first();
  if (!d) throw new AppError('device_not_found', `No SNMP device ${deviceId}.`, 404);
  return d;
}

export async function listInterfaces(ctx: Pick<MonCtx, 'db'>, deviceId: number) {
  const d = await requireDevice(ctx.db, deviceId);
  const rows = await ctx.db('snmp_interfaces').where({ device_id: d.id }).orderBy('if_index');
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    device: { id: d.id, kind: d.kind, ref_id: d.ref_id, name: d.name, host: d.host, ...deviceStatus(d) },
    interfaces: rows.map((r) => ({
      if_index: Number(r.if_index),
      name: r.name,
      alias: r.alias,
      oper_status: r.oper_status,
      speed_mbps: n(r.high_speed_mbps),
      in_bps: n(r.in_bps),
      out_bps: n(r.out_bps),
      in_octets: r.in_octets,
      out_octets: r.out_octets,
      in_octets_delta: r.in_octets_delta,
      out_octets_delta: r.out_octets_delta,
      interval_ms: n(r.interval_ms),
      rate_note: r.rate_note,
      in_errors: n(r.in_errors),
      out_errors: n(r.out_errors),
      in_discards: n(r.in_discards),
      out_discards: n(r.out_discards),
      updated_at: toIso(r.updated_at),
    })),
  };
}

export const MAX_POINTS = 2000;

export async function interfaceHistory(
  ctx: Pick<MonCtx, 'db'>,
  input: { device: number; interface: string; from?: string; to?: string; step?: number },
) {
  const d = await requireDevice(ctx.db, input.device);
  const q = ctx.db('snmp_interfaces').where({ device_id: d.id });
  if (/^\d+$/.test(input.interface)) q.where({ if_index: Number(input.interface) });
  else q.where({ name: input.interface });
  const iface = await q.first();
  if (!iface) throw new AppError('interface_not_found', `Device ${d.id} has no interface "${input.interface}". snmp_interfaces lists them.`, 404);
  const to = input.to ? new Date(input.to) : new Date();
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - 24 * 3600_000);
  if (Number.isNaN(from.getTime())) throw new AppError('invalid_from', 'from must be an ISO-8601 time like 2026-11-30T10:00:00Z.', 422);
  if (Number.isNaN(to.getTime())) throw new AppError('invalid_to', 'to must be an ISO-8601 time like 2026-11-30T12:00:00Z.', 422);
  if (from >= to) throw new AppError('invalid_from', 'from must be before to.', 422);
  const spanS = (to.getTime() - from.getTime()) / 1000;
  const step = input.step ?? Math.max(60, Math.ceil(spanS / 500));
  if (spanS / step > MAX_POINTS) throw new AppError('invalid_step', `That range at step ${step}s gives more than ${MAX_POINTS} points; use a larger step.`, 422);
  const ifIndex = Number(iface.if_index);
  const raw = await ctx.db('snmp_samples').where({ device_id: d.id, if_index: ifIndex }).whereBetween('at', [fmt(from), fmt(to)]).orderBy('at');
  const rolled = await ctx.db('snmp_rollups').where({ device_id: d.id, if_index: ifIndex }).whereBetween('bucket_at', [fmt(from), fmt(to)]).orderBy('bucket_at');
  const buckets = new Map<number, { n: number; inSum: number; outSum: number; inMax: number; outMax: number }>();
  const add = (at: string, n: number, inAvg: number, outAvg: number, inMax: number, outMax: number) => {
    const t = Math.floor(toDate(at).getTime() / 1000 / step) * step;
    const b = buckets.get(t) ?? { n: 0, inSum: 0, outSum: 0, inMax: 0, outMax: 0 };
    b.n += n;
    b.inSum += inAvg * n;
    b.outSum += outAvg * n;
    b.inMax = Math.max(b.inMax, inMax);
    b.outMax = Math.max(b.outMax, outMax);
    buckets.set(t, b);
  };
  for (const r of rolled) add(String(r.bucket_at), Number(r.samples), Number(r.in_avg), Number(r.out_avg), Number(r.in_max), Number(r.out_max));
  for (const r of raw) add(String(r.at), 1, Number(r.in_bps), Number(r.out_bps), Number(r.in_bps), Number(r.out_bps));
  const points = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, b]) => ({
      t: new Date(t * 1000).toISOString(),
      in_bps: Math.round(b.inSum / b.n),
      out_bps: Math.round(b.outSum / b.n),
      in_max_bps: b.inMax,
      out_max_bps: b.outMax,
      samples: b.n,
    }));
  return { device_id: d.id, interface: { if_index: ifIndex, name: iface.name }, from: from.toISOString(), to: to.toISOString(), step, points };
}

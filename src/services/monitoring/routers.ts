/**
 * Router health (CPU, memory, temperature, voltage, disk, uptime, version, board) and the router probe job that
 * stores get_routers' status and emits router.offline / router.online. Health comes from the RouterOS API for api-mode routers and from SNMP
 * (HOST-RESOURCES-MIB, MIKROTIK-MIB) for the others, or when the API does not answer; the reply names the source.
 */
import { nowUtc, toIso } from '../../db/knex';
import { emit } from '../../events/outbox';
import { isAppError } from '../../errors';
import { nextLiveness, type LivenessState } from '../../domain/liveness';
import { withRouter, type RouterRow } from '../../adapters/routeros/session';
import { probeUptime, readHostResources, SnmpError } from '../../adapters/snmp/client';
import { requireRouter, routerConnection, type RouterRowDb } from '../network/common';
import { storeRouterStatus, type RouterApiStatus } from '../network/routers';
import { withTransaction } from '../../db/retry';
import { findSnmpDevice, type SnmpDeviceRow } from './snmp-settings';
import { mapLimit, toTarget, type MonCtx } from './snmp';

const int = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null);
const dec = (v: string | undefined) => (v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null);

export interface Health {
  cpu_load_percent: number | null;
  memory_total_bytes: number | null;
  memory_free_bytes: number | null;
  disk_total_bytes: number | null;
  disk_free_bytes: number | null;
  temperature_c: number | null;
  voltage_v: number | null;
  uptime: string | null;
  uptime_s: number | null;
  version: string | null;
  board_name: string | null;
}

/** RouterOS durations like "1w2d3h4m5s" in seconds. */
export function routerOsDuration(v: string | undefined): number | null {
  if (!v) return null;
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v.trim());
  if (!m || !m.slice(1).some(Boolean)) return null;
  const [w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  return (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s;
}

/**
 * /system/health: RouterOS v7 answers one row per sensor (name=voltage value=24.1 type=V; name=temperature
 * value=41 type=C; cpu-temperature …); v6 answers one row with voltage= and temperature= properties.
 */
export function parseHealth(rows: RouterRow[]): { temperature_c: number | null; voltage_v: number | null } {
  let temperature: number | null = null;
  let voltage: number | null = null;
  for (const r of rows) {
    if (r.name !== undefined) {
      if (r.name === 'voltage') voltage = dec(r.value);
      else if (r.name === 'temperature' || (r.name === 'cpu-temperature' && temperature === null)) temperature = dec(r.value);
    } else {
      if (r.voltage !== undefined) voltage = dec(r.voltage);
      if (r.temperature !== undefined) temperature = dec(r.temperature);
    }
  }
  return { temperature_c: temperature, voltage_v: voltage };
}

async function healthFromApi(ctx: MonCtx, r: RouterRowDb): Promise<Health> {
  return withRouter(routerConnection(ctx, r), async (s) => {
    const [res = {}] = await s.write('/system/resource/print');
    let health = { temperature_c: null as number | null, voltage_v: null as number | null };
    try {
      health = parseHealth(await s.write('/system/health/print'));
    } catch (e) {
      // CHR and some boards have no /system/health menu: no sensors, not a failure.
      if (!isAppError(e) || e.code === 'router_unreachable') throw e;
    }
    return {
      cpu_load_percent: int(res['cpu-load']),
      memory_total_bytes: int(res['total-memory']),
      memory_free_bytes: int(res['free-memory']),
      disk_total_bytes: int(res['total-hdd-space']),
      disk_free_bytes: int(res['free-hdd-space']),
      ...health,
      uptime: res.uptime ?? null,
      uptime_s: routerOsDuration(res.uptime),
      version: res.version ?? null,
      board_name: res['board-name'] ?? null,
    };
  });
}

async function healthFromSnmp(ctx: MonCtx, d: SnmpDeviceRow, host: string): Promise<Health> {
  const h = await readHostResources(toTarget(ctx, { ...d, host }));
  const uptimeS = h.uptimeTicks === null ? null : Math.floor(h.uptimeTicks / 100);
  return {
    cpu_load_percent: h.cpuLoadPercent,
    memory_total_bytes: h.memoryTotalBytes,
    memory_free_bytes: h.memoryFreeBytes,
    disk_total_bytes: h.diskTotalBytes,
    disk_free_bytes: h.diskFreeBytes,
    temperature_c: h.temperatureC,
    voltage_v: h.voltageV,
    uptime: uptimeS === null ? null : `${uptimeS}s`,
    uptime_s: uptimeS,
    version: h.version,
    board_name: h.boardName,
  };
}

const errOf = (e: unknown) => {
  if (e instanceof SnmpError || isAppError(e)) return { code: e.code, message: e.message };
  throw e;
};

async function oneHealth(ctx: MonCtx, r: RouterRowDb) {
  const snmpDev = await findSnmpDevice(ctx.db, 'router', r.id);
  const errors: Array<{ source: string; code: string; message: string }> = [];
  if (r.mode === 'api') {
    try {
      return { router_id: r.id, name: r.name, source: 'routeros_api', ...(await healthFromApi(ctx, r)), errors };
    } catch (e) {
      errors.push({ source: 'routeros_api', ...errOf(e) });
    }
  }
  if (snmpDev) {
    try {
      return { router_id: r.id, name: r.name, source: 'snmp', ...(await healthFromSnmp(ctx, snmpDev, r.ip)), errors };
    } catch (e) {
      errors.push({ source: 'snmp', ...errOf(e) });
    }
  } else if (r.mode !== 'api') {
    errors.push({ source: 'snmp', code: 'snmp_not_configured', message: 'This router is not in api mode and has no SNMP settings (snmp_version on edit_router).' });
  }
  return { router_id: r.id, name: r.name, source: null, errors };
}

export async function routerHealth(ctx: MonCtx, ref?: string) {
  const routers = ref !== undefined ? [await requireRouter(ctx.db, ref)] : await ctx.db<RouterRowDb>('routers').orderBy('name').limit(10_000);
  return mapLimit(routers, Math.min(ctx.config.SNMP_CONCURRENCY, 32), (r) => oneHealth(ctx, r));
}

export interface ProbeOutcome {
  /** What get_routers shows: the RouterOS API connection (online, offline, auth_failed). */
  status: RouterApiStatus;
  /** The API's error code, and its message for routers.last_error. */
  error: string | null;
  errorMessage: string | null;
  /** Whether the router answered at all (API login, a login refusal, or SNMP sysUpTime): what router.offline counts. */
  alive: boolean;
}

/** Is the router answering? RouterOS API login first; SNMP sysUpTime when the API does not answer and SNMP is set. */
async function probeOnce(ctx: MonCtx, r: RouterRowDb): Promise<ProbeOutcome> {
  try {
    await withRouter(routerConnection(ctx, r), async () => undefined);
    return { status: 'online', error: null, errorMessage: null, alive: true };
  } catch (e) {
    if (!isAppError(e)) throw e;
    // A router refusing the login is answering: it is not offline.
    if (e.code === 'router_login_failed') return { status: 'auth_failed', error: e.code, errorMessage: e.message, alive: true };
    const out: ProbeOutcome = { status: 'offline', error: e.code, errorMessage: e.message, alive: false };
    const d = await findSnmpDevice(ctx.db, 'router', r.id);
    if (d) {
      try {
        await probeUptime(toTarget(ctx, { ...d, host: r.ip }));
        out.alive = true;
      } catch (se) {
        if (!(se instanceof SnmpError)) throw se;
      }
    }
    return out;
  }
}

interface LivenessRow {
  router_id: number;
  state: LivenessState;
  consecutive_failures: number;
}

/**
 * The router probe (one job, `monitoring.router_probe`): probes every router (or `routerIds`) once, a few at a
 * time, and for each one writes, in one short transaction after its probe, both what get_routers reads (status,
 * error, checked_at, last_seen_at) and the liveness state machine, emitting router.offline / router.online on a
 * change. The probe itself (a network call) is never inside the transaction.
 */
export async function probeRouters(ctx: MonCtx, opts: { routerIds?: number[] | null; progress?: (done: number, total: number) => Promise<void> } = {}) {
  const q = ctx.db<RouterRowDb>('routers').orderBy('id').limit(10_000);
  if (opts.routerIds?.length) q.whereIn('id', opts.routerIds.slice(0, 1000));
  const routers = await q;
  const threshold = ctx.config.ROUTER_OFFLINE_AFTER;
  let done = 0;
  const results = await mapLimit(routers, Math.min(ctx.config.SNMP_CONCURRENCY, 32), async (r) => {
    const probe = await probeOnce(ctx, r);
    const out = await withTransaction(ctx.db, async (trx) => {
      await storeRouterStatus(trx, r.id, probe);
      const cur = await trx<LivenessRow>('router_liveness').where({ router_id: r.id }).first();
      const step = nextLiveness({ state: cur?.state ?? 'unknown', failures: cur?.consecutive_failures ?? 0 }, probe.alive, threshold);
      const now = nowUtc();
      const row = {
        state: step.state,
        consecutive_failures: step.failures,
        last_error: probe.alive ? null : probe.error,
        last_probe_at: now,
        ...(probe.alive ? { last_ok_at: now } : {}),
        ...(step.state !== (cur?.state ?? 'unknown') ? { changed_at: now } : {}),
      };
      // The row is written with a conditional update on the state read, so two probes racing emit once.
      if (cur) {
        const n = await trx('router_liveness').where({ router_id: r.id, state: cur.state, consecutive_failures: cur.consecutive_failures }).update(row);
        if (n === 0) return { ...step, event: null };
      } else {
        await trx('router_liveness').insert({ router_id: r.id, ...row });
      }
      if (step.event) {
        await emit(trx, step.event, {
          router_id: r.id,
          name: r.name,
          ip: r.ip,
          consecutive_failures: step.failures,
          last_error: probe.error,
          at: new Date().toISOString(),
        });
      }
      return step;
    });
    done += 1;
    if (opts.progress && (done % 25 === 0 || done === routers.length)) await opts.progress(done, routers.length);
    return {
      id: r.id,
      router_id: r.id,
      name: r.name,
      status: probe.status,
      ok: probe.alive,
      state: out.state,
      consecutive_failures: out.failures,
      event: out.event,
      error: probe.error,
    };
  });
  return { probed: results.length, online: results.filter((x) => x.status === 'online').length, routers: results };
}

export async function livenessOf(ctx: Pick<MonCtx, 'db'>, routerId: number) {
  const r = await ctx.db('router_liveness').where({ router_id: routerId }).first();
  if (!r) return null;
  return { state: r.state, consecutive_failures: r.consecutive_failures, last_probe_at: toIso(r.last_probe_at), last_ok_at: toIso(r.last_ok_at), changed_at: toIso(r.changed_at) };
}


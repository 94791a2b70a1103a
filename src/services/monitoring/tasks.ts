/**
 * Background work of the monitoring area: the SNMP collection cycle (with sample roll-up) and the router liveness
 * probe run as queued tasks; the scheduled jobs only enqueue them when their interval has passed. The jobs table is
 * the truth about when a cycle last started, so several instances do not poll a fleet twice as often.
 */
import { defineTask, type TaskDef } from '../../jobs/queue';
import type { Job } from '../../jobs/job';
import { nowUtc } from '../../db/knex';
import type { ServiceContext } from '../context';
import { compactSamples, runSnmpCycle } from './snmp';
import { probeRouters } from './routers';
import { pollDueSources } from './topology';

export const SNMP_TASK = 'monitoring.snmp_cycle';
export const PROBE_TASK = 'monitoring.router_probe';
/** The network area's former probe task: the same job under its old name, for rows queued before the merge. */
export const LEGACY_PROBE_TASK = 'network.probe_routers';

export const snmpCycleTask = defineTask<{ device?: number }, unknown>({
  name: SNMP_TASK,
  section: 'monitoring',
  attempts: 1,
  leaseMs: 10 * 60_000,
  async run(ctx, data, progress) {
    const r = await runSnmpCycle(ctx, { deviceId: data?.device, progress });
    const compacted = await compactSamples(ctx);
    return { polled: r.polled, reachable: r.reachable, devices: r.devices.slice(0, 1000), compacted };
  },
});

type ProbeData = { router_ids?: number[] } | null;
const runProbe = (ctx: ServiceContext, data: ProbeData, progress: (done: number, total: number) => Promise<void>) =>
  probeRouters(ctx, { routerIds: Array.isArray(data?.router_ids) ? data.router_ids.map(Number).filter((n) => Number.isInteger(n) && n > 0) : null, progress });

/** The one router probe: stores get_routers' status and emits router.offline / router.online once per change. */
export const routerProbeTask = defineTask<ProbeData, unknown>({ name: PROBE_TASK, section: 'monitoring', attempts: 1, run: runProbe });
export const legacyRouterProbeTask = defineTask<ProbeData, unknown>({ name: LEGACY_PROBE_TASK, section: 'routers', attempts: 1, run: runProbe });

export const monitoringTasks: TaskDef[] = [snmpCycleTask, routerProbeTask, legacyRouterProbeTask];

/** Enqueues `task` when the last one started at least `everyS` ago (deduplicated while one is queued or running). */
async function enqueueIfDue(ctx: ServiceContext, task: string, everyS: number, table: 'snmp_devices' | 'routers') {
  // A tenant with nothing to poll gets no job rows.
  if (!(await ctx.db(table).first('id'))) return { skipped: true, reason: 'nothing_to_poll' };
  const since = nowUtc(new Date(Date.now() - everyS * 1000));
  const recent = await ctx.db('jobs').where({ task }).where('created_at', '>', since).first('id');
  if (recent) return { skipped: true };
  const job = await ctx.jobs.enqueue(task, {}, { dedupeKey: `${task}:scheduled` });
  return { job_id: job.id };
}

const TICK_MS = 10_000;

/** ROUTER_PROBE_INTERVAL_S; ROUTER_PROBE_MS, the former probe's setting, still wins when it is set. */
export function routerProbeIntervalS(config: Pick<ServiceContext['config'], 'ROUTER_PROBE_INTERVAL_S' | 'ROUTER_PROBE_MS'>): number {
  return config.ROUTER_PROBE_MS !== undefined ? Math.max(5, Math.round(config.ROUTER_PROBE_MS / 1000)) : config.ROUTER_PROBE_INTERVAL_S;
}

export const monitoringJobs: Job[] = [
  { name: 'monitoring.snmp', everyMs: TICK_MS, run: (ctx) => enqueueIfDue(ctx, SNMP_TASK, ctx.config.SNMP_INTERVAL_S, 'snmp_devices') },
  { name: 'monitoring.router_probe', everyMs: TICK_MS, run: (ctx) => enqueueIfDue(ctx, PROBE_TASK, routerProbeIntervalS(ctx.config), 'routers') },
  // At most four sources: each is read when its poll_interval has passed, which records discovered devices.
  { name: 'monitoring.topology', everyMs: 30_000, run: (ctx) => pollDueSources(ctx) },
];

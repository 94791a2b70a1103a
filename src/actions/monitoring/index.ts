import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, optionalText, text } from '../../gateway/fields';
import { interfaceHistory, listInterfaces, loadDevices, runSnmpCycle } from '../../services/monitoring/snmp';
import { routerHealth } from '../../services/monitoring/routers';
import { SNMP_TASK } from '../../services/monitoring/tasks';
import { topologyActions } from './topology';

const deviceId = z.coerce.number().int().positive();
const optionalDevice = z.preprocess(blank, deviceId.optional());

export const snmpCollect = defineAction({
  name: 'snmp_collect',
  section: 'monitoring',
  summary: 'Run one SNMP collection cycle now (all devices, or one); a large fleet goes through the job queue',
  input: z.object({ device: optionalDevice }),
  permission: 'monitoring.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    if (input.device === undefined) {
      const count = (await loadDevices(ctx)).length;
      if (count > ctx.config.SNMP_QUEUE_THRESHOLD) {
        const job = await ctx.jobs.enqueue(SNMP_TASK, {}, { dedupeKey: `${SNMP_TASK}:manual` });
        return { job_id: job.id, queued: true, devices: count };
      }
    }
    return runSnmpCycle(ctx, { deviceId: input.device });
  },
});

export const snmpInterfaces = defineAction({
  name: 'snmp_interfaces',
  section: 'monitoring',
  summary: "A device's interfaces with status, speed and current rates (bits/s) from the last two polls",
  input: z.object({ device: deviceId }),
  permission: 'monitoring.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => listInterfaces(ctx, input.device),
});

const isoTime = z.preprocess(blank, z.string().trim().max(40).optional());

export const snmpHistory = defineAction({
  name: 'snmp_history',
  section: 'monitoring',
  summary: "An interface's rate series for a graph (averages and maxima per step, from raw samples and 5-minute roll-ups)",
  input: z.object({
    device: deviceId,
    interface: text(255),
    from: isoTime,
    to: isoTime,
    step: z.preprocess(blank, z.coerce.number().int().min(60).max(86_400).optional()),
  }),
  permission: 'monitoring.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => interfaceHistory(ctx, input),
});

export const routerHealthAction = defineAction({
  name: 'router_health',
  section: 'monitoring',
  summary: 'Router health (CPU, memory, temperature, voltage, disk, uptime, version, board) from the RouterOS API or SNMP',
  input: z.object({ router: optionalText(100) }),
  permission: 'monitoring.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => routerHealth(ctx, input.router),
});

export const monitoringActions = [snmpCollect, snmpInterfaces, snmpHistory, routerHealthAction, ...topologyActions];

import type { Config } from '../config';
import { billingJobs } from '../services/billing/jobs';
import { effectsSweepJob, routerProbeJob } from '../services/network-tasks';
import { housekeepingJob } from './housekeeping';
import type { Job } from './job';

export function allJobs(config?: Pick<Config, 'ROUTER_PROBE_MS'>): Job[] {
  return [housekeepingJob(), ...billingJobs, routerProbeJob(config?.ROUTER_PROBE_MS ?? 60_000), effectsSweepJob()];
}

import type { Config } from '../config';
import { billingJobs } from '../services/billing/jobs';
import { notificationEventsJob } from '../services/notifications/events';
import { invoiceRemindersJob } from '../services/notifications/reminders';
import { effectsSweepJob, routerProbeJob } from '../services/network/tasks';
import { housekeepingJob } from './housekeeping';
import { erpJobs } from '../services/erp/jobs';
import { monitoringJobs } from '../services/monitoring/tasks';
import type { Job } from './job';

export function allJobs(config?: Pick<Config, 'ROUTER_PROBE_MS'>): Job[] {
  return [housekeepingJob(), ...billingJobs, ...erpJobs, notificationEventsJob, ...monitoringJobs, routerProbeJob(config?.ROUTER_PROBE_MS ?? 60_000), effectsSweepJob(), invoiceRemindersJob];
}

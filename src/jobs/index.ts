import type { Config } from '../config';
import { billingJobs } from '../services/billing/jobs';
import { notificationEventsJob } from '../services/notifications/events';
import { invoiceRemindersJob } from '../services/notifications/reminders';
import { effectsSweepJob } from '../services/network/tasks';
import { housekeepingJob } from './housekeeping';
import { erpJobs } from '../services/erp/jobs';
import { monitoringJobs } from '../services/monitoring/tasks';
import type { Job } from './job';

// The router probe (get_routers' status and router.offline/online) is one of monitoringJobs.
export function allJobs(_config?: Pick<Config, 'ROUTER_PROBE_MS'>): Job[] {
  return [housekeepingJob(), ...billingJobs, ...erpJobs, notificationEventsJob, ...monitoringJobs, effectsSweepJob(), invoiceRemindersJob];
}

import { billingJobs } from '../services/billing/jobs';
import { notificationEventsJob } from '../services/notifications/events';
import { housekeepingJob } from './housekeeping';
import { erpJobs } from '../services/erp/jobs';
import type { Job } from './job';

export function allJobs(): Job[] {
  return [housekeepingJob(), ...billingJobs, ...erpJobs, notificationEventsJob];
}

import { billingJobs } from '../services/billing/jobs';
import { housekeepingJob } from './housekeeping';
import { monitoringJobs } from '../services/monitoring/tasks';
import type { Job } from './job';

export function allJobs(): Job[] {
  return [housekeepingJob(), ...billingJobs, ...monitoringJobs];
}

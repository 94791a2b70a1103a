import { billingJobs } from '../services/billing/jobs';
import type { Job } from './job';

export function allJobs(): Job[] {
  return [...billingJobs];
}

import type { Job } from '../../jobs/job';

/** Placeholder until the billing jobs (dunning) land. */
export const billingJobs: Job[] = [];

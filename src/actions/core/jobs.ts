import { z } from 'zod';
import { errors } from '../../errors';
import { defineAction } from '../../gateway/action';
import { allows } from '../../gateway/permissions';

export const jobStatus = defineAction({
  name: 'job_status',
  section: 'settings',
  summary: 'State of a background job an action started (queued, running, completed, failed), its progress done/total, and its result or error',
  input: z.object({ id: z.string().trim().regex(/^[0-9a-f-]{36}$/i, 'must be a job id as an action returned it') }),
  // Who may see a job depends on its task (a month's invoices: billing.read): checked below against the job's row.
  permission: { authenticated: true },
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  audit: false,
  async run(ctx, input) {
    const job = await ctx.jobs.get(input.id.toLowerCase());
    if (!job) throw errors.notFound('The job', 'job_not_found');
    const section = ctx.jobs.sectionOf(job.task);
    if (!section || !allows(ctx.actor.permissions, section, 'read')) throw errors.forbidden(`Reading this job needs ${section ?? 'admins'}.read.`);
    return job;
  },
});

export const jobActions = [jobStatus];

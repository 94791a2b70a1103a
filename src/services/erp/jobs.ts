import { defineTask } from '../../jobs/queue';
import type { Job } from '../../jobs/job';
import { loadErpSettings } from './settings';
import { runErpSync, type SyncData } from './sync';

/** One sync run at a time per tenant: a second request gets the job already queued or running. */
export const ERP_SYNC_DEDUPE = 'erp.sync';

export const erpSyncTask = defineTask<SyncData, unknown>({
  name: 'erp.sync',
  section: 'billing',
  attempts: 5,
  backoffMs: 30_000,
  run: (ctx, data, progress) => runErpSync(ctx, data, progress),
});

/**
 * Keeps Elorus in step without touching the request path: customers changed since the last run (add/edit move
 * updated_at) and payments Elorus has not acknowledged are picked up by a sync enqueued every few minutes.
 */
export const erpSyncJob: Job = {
  name: 'erp_sync',
  everyMs: 5 * 60_000,
  async run(ctx) {
    const s = await loadErpSettings(ctx.db);
    if (s.provider !== 'elorus' || !s.auto_sync) return { skipped: true };
    const job = await ctx.jobs.enqueue('erp.sync', { scope: 'all' }, { dedupeKey: ERP_SYNC_DEDUPE });
    return { job_id: job.id };
  },
};

export const erpTasks = [erpSyncTask];
export const erpJobs = [erpSyncJob];

import { nowUtc } from '../db/knex';
import type { Job } from './job';

const DAY = 24 * 3600_000;

/**
 * Keeps the core tables from growing for ever: expired panel sessions go at once; delivered or dead webhook
 * deliveries (with their attempts) and the outbox events nothing waits for any more go after `keepDays`.
 */
export function housekeepingJob(keepDays = 30): Job {
  return {
    name: 'housekeeping',
    everyMs: 3600_000,
    async run(ctx) {
      const now = new Date();
      const cutoff = nowUtc(new Date(now.getTime() - keepDays * DAY));
      const sessions = await ctx.db('sessions').where('expires_at', '<', nowUtc(now)).delete();
      const old = ctx.db('webhook_deliveries').whereIn('status', ['delivered', 'dead']).where('created_at', '<', cutoff).select('id');
      await ctx.db('webhook_attempts').whereIn('delivery_id', old.clone()).delete();
      const deliveries = await ctx.db('webhook_deliveries').whereIn('id', (await old).map((r) => r.id)).delete();
      const events = await ctx.db('outbox_events')
        .where('created_at', '<', cutoff)
        .whereNotExists((q) => q.select(ctx.db.raw('1')).from('webhook_deliveries').whereRaw('webhook_deliveries.outbox_id = outbox_events.id'))
        .delete();
      return { sessions, deliveries, events };
    },
  };
}

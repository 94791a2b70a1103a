import { nowUtc } from '../db/knex';
import type { Job } from './job';

const DAY = 24 * 3600_000;
const CHUNK = 1000;

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
      // In chunks: one IN list of every old delivery passed SQLite's 32,766 bound variables on a busy install.
      let deliveries = 0;
      for (;;) {
        const ids = (await ctx.db('webhook_deliveries').whereIn('status', ['delivered', 'dead']).where('created_at', '<', cutoff).orderBy('id').limit(CHUNK).select('id')).map((r) => r.id);
        if (ids.length === 0) break;
        await ctx.db('webhook_attempts').whereIn('delivery_id', ids).delete();
        deliveries += await ctx.db('webhook_deliveries').whereIn('id', ids).delete();
        if (ids.length < CHUNK) break;
      }
      const events = await ctx.db('outbox_events')
        .where('created_at', '<', cutoff)
        .whereNotExists((q) => q.select(ctx.db.raw('1')).from('webhook_deliveries').whereRaw('webhook_deliveries.outbox_id = outbox_events.id'))
        .delete();
      return { sessions, deliveries, events };
    },
  };
}

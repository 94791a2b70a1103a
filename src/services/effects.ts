/**
 * Pending effects: what an operation could not finish or undo on an outside system after its rows were committed
 * (a PPP secret left on a router whose connection dropped during the undo, …). Each is a row in `pending_effects`
 * and a job that converges it: the task reads the database as it is now and makes the peer match, so running it
 * twice is harmless. It retries with backoff and, after its attempts, stays `failed` with the last error, logged
 * as an error and counted in /metrics (ispgate_pending_effects), for an operator.
 */
import { nowUtc, parseJson } from '../db/knex';
import { isAppError } from '../errors';
import type { ServiceContext } from './context';
import type { Section } from '../domain/actor';
import { defineTask, type TaskDef } from '../jobs/queue';

export const EFFECT_MAX_ATTEMPTS = 6;

type EffectCtx = Pick<ServiceContext, 'db' | 'log'> & Partial<Pick<ServiceContext, 'jobs'>>;

/** Records an effect to converge and queues its job. Merged with a pending one for the same target. */
export async function recordEffect(ctx: EffectCtx, task: string, target: string, data: unknown): Promise<number> {
  const now = nowUtc();
  const existing = await ctx.db('pending_effects').where({ target, task, state: 'pending' }).first('id');
  let id: number;
  if (existing) {
    id = Number(existing.id);
    await ctx.db('pending_effects').where({ id }).update({ data: JSON.stringify(data ?? null), updated_at: now });
  } else {
    const [newId] = await ctx.db('pending_effects').insert({ task, target, data: JSON.stringify(data ?? null), state: 'pending', attempts: 0, created_at: now, updated_at: now });
    id = Number(newId);
  }
  ctx.log.warn('outside effect left to converge', { effect: id, task, target });
  if (ctx.jobs) {
    const job = await ctx.jobs.enqueue(task, { effect_id: id }, { dedupeKey: `effect:${id}` });
    await ctx.db('pending_effects').where({ id }).update({ job_id: job.id });
  }
  return id;
}

/**
 * A task that converges one pending effect. `converge` must read the current state and make the peer match it.
 * Attempts are counted on the effect row, so a job lost to a restart and queued again by the sweep goes on
 * counting from where it was.
 */
export function defineEffectTask<D>(def: { name: string; section: Section; backoffMs?: number; converge(ctx: ServiceContext, data: D): Promise<unknown> }): TaskDef {
  return defineTask({
    name: def.name,
    section: def.section,
    attempts: EFFECT_MAX_ATTEMPTS + 1,
    backoffMs: def.backoffMs ?? 5000,
    async run(ctx, input: { effect_id: number }) {
      const row = await ctx.db('pending_effects').where({ id: input.effect_id }).first();
      if (!row || row.state !== 'pending') return { effect_id: input.effect_id, state: row?.state ?? 'gone' };
      const attempts = Number(row.attempts) + 1;
      await ctx.db('pending_effects').where({ id: row.id }).update({ attempts, updated_at: nowUtc() });
      try {
        const result = await def.converge(ctx, parseJson(row.data, null) as D);
        await ctx.db('pending_effects').where({ id: row.id }).update({ state: 'done', last_error: null, last_error_code: null, resolved_at: nowUtc(), updated_at: nowUtc() });
        return { effect_id: row.id, state: 'done', result: result ?? null };
      } catch (e) {
        const code = isAppError(e) ? e.code : 'effect_failed';
        const message = String((e as Error)?.message ?? e).slice(0, 1000);
        const final = attempts >= EFFECT_MAX_ATTEMPTS;
        await ctx.db('pending_effects').where({ id: row.id }).update({ state: final ? 'failed' : 'pending', last_error_code: code, last_error: message, updated_at: nowUtc() });
        if (final) {
          ctx.log.error('outside effect could not be converged; an operator must look at it', { effect: row.id, task: def.name, target: row.target, code, err: message });
          return { effect_id: row.id, state: 'failed', error: { code, message } };
        }
        throw e;
      }
    },
  });
}

/** Pending effects whose job is gone (a restart before it was queued, a failed job row): queued again. */
export async function requeueStaleEffects(ctx: ServiceContext, olderThanMs = 10 * 60_000): Promise<number> {
  const cutoff = nowUtc(new Date(Date.now() - olderThanMs));
  const rows = await ctx.db('pending_effects').where({ state: 'pending' }).where('updated_at', '<', cutoff).limit(500).select('id', 'task', 'job_id');
  let n = 0;
  for (const r of rows) {
    const job = r.job_id ? await ctx.jobs.get(r.job_id) : null;
    if (job && (job.state === 'queued' || job.state === 'running')) continue;
    if (!ctx.jobs.sectionOf(r.task)) continue;
    const j = await ctx.jobs.enqueue(r.task, { effect_id: Number(r.id) }, { dedupeKey: `effect:${r.id}` });
    await ctx.db('pending_effects').where({ id: r.id }).update({ job_id: j.id, updated_at: nowUtc() });
    n++;
  }
  return n;
}

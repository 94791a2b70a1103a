/**
 * Service plans: speed (bits/s), price (cents), MikroTik burst and priority. Each plan is mirrored as one
 * FreeRADIUS group carrying its Mikrotik-Rate-Limit, written in the same transaction as the plan.
 */
import { nowUtc, toIso } from '../../db/knex';
import {
  checkSpeedProfile,
  formatRate,
  formatRatePair,
  parseRate,
  parseRatePair,
  parseSecondsPair,
  SpeedProfileError,
  type SpeedProfile,
} from '../../domain/rate';
import { AppError, errors, isAppError } from '../../errors';
import { RouterLinks, reapplyQueue } from './provisioning';
import { coaSessions, mapLimit, rateLimitForPlan, removePlanGroup, summarise, syncPlanGroup, type SessionRow } from './radius';
import { withTransaction } from '../../db/retry';
import { replyWithJob, type JobProgress } from '../../jobs/queue';
import { planPoolColumns, poolsOf } from './plan-pool';
import { requirePlan, type CustomerRow, type NetCtx, type PlanRow, type RouterRowDb } from './common';

export interface PlanInput {
  name?: string;
  download?: string;
  upload?: string;
  price_cents?: number;
  burst_limit?: string | null;
  burst_threshold?: string | null;
  burst_time?: string | null;
  priority?: number | null;
  pool?: string | null;
  pool6?: string | null;
}

export function publicPlan(p: PlanRow, subscribers?: number) {
  return {
    id: p.id,
    name: p.name,
    download: formatRate(Number(p.download_bps)),
    upload: formatRate(Number(p.upload_bps)),
    download_bps: Number(p.download_bps),
    upload_bps: Number(p.upload_bps),
    price: (p.price_cents / 100).toFixed(2),
    price_cents: p.price_cents,
    burst_limit: p.burst_limit,
    burst_threshold: p.burst_threshold,
    burst_time: p.burst_time,
    priority: p.priority,
    ...poolsOf(p as PlanRow & { pool?: string | null; pool6?: string | null }),
    rate_limit: rateLimitSafe(p),
    ...(subscribers !== undefined ? { subscribers } : {}),
    created_at: toIso(p.created_at),
    updated_at: toIso(p.updated_at),
  };
}

function rateLimitSafe(p: PlanRow): string | null {
  try {
    return rateLimitForPlan(p);
  } catch {
    return null;
  }
}

/** Parses and checks the speed fields as a whole; returns the normalised column values. */
function speedColumns(merged: {
  download: string | number;
  upload: string | number;
  burst_limit: string | null;
  burst_threshold: string | null;
  burst_time: string | null;
  priority: number | null;
}) {
  const download = parseRate(merged.download);
  if (download === null) throw errors.invalid('download', 'The download speed must look like "100M", "512k" or "1G".');
  const upload = parseRate(merged.upload);
  if (upload === null) throw errors.invalid('upload', 'The upload speed must look like "10M", "512k" or "1G".');
  const burst = merged.burst_limit ? parseRatePair(merged.burst_limit) : null;
  if (merged.burst_limit && !burst) throw errors.invalid('burst_limit', 'The burst limit must be "upload/download", e.g. "15M/120M", or one speed for both.');
  const threshold = merged.burst_threshold ? parseRatePair(merged.burst_threshold) : null;
  if (merged.burst_threshold && !threshold) throw errors.invalid('burst_threshold', 'The burst threshold must be "upload/download", e.g. "8M/80M".');
  const time = merged.burst_time ? parseSecondsPair(merged.burst_time) : null;
  if (merged.burst_time && !time) throw errors.invalid('burst_time', 'The burst time must be seconds, e.g. "16" or "16s/16s".');
  const profile: SpeedProfile = { rate: { upload, download }, burst, threshold, burstTime: time, priority: merged.priority };
  try {
    checkSpeedProfile(profile);
  } catch (e) {
    if (e instanceof SpeedProfileError) throw errors.invalid(e.field, e.message);
    throw e;
  }
  return {
    download_bps: download,
    upload_bps: upload,
    burst_limit: burst ? formatRatePair(burst) : null,
    burst_threshold: threshold ? formatRatePair(threshold) : null,
    burst_time: time ? `${time.upload}/${time.download}` : null,
    priority: merged.priority,
  };
}

async function nameTaken(ctx: NetCtx, name: string, exceptId?: number): Promise<boolean> {
  const q = ctx.db('plans').where({ name });
  if (exceptId !== undefined) q.whereNot({ id: exceptId });
  return Boolean(await q.first('id'));
}

export async function createPlan(ctx: NetCtx, input: Required<Pick<PlanInput, 'name' | 'download' | 'upload'>> & PlanInput) {
  const cols = speedColumns({
    download: input.download,
    upload: input.upload,
    burst_limit: input.burst_limit ?? null,
    burst_threshold: input.burst_threshold ?? null,
    burst_time: input.burst_time ?? null,
    priority: input.priority ?? null,
  });
  return ctx.db.transaction(async (trx) => {
    if (await nameTaken({ ...ctx, db: trx }, input.name)) {
      throw errors.conflict('duplicate_plan_name', `A plan named "${input.name}" already exists.`);
    }
    const now = nowUtc();
    const [id] = await trx('plans').insert({ name: input.name, price_cents: input.price_cents ?? 0, ...cols, ...(await planPoolColumns(trx, input)), created_at: now, updated_at: now });
    const plan = (await trx<PlanRow>('plans').where({ id: Number(id) }).first())!;
    await syncPlanGroup(trx, plan);
    return publicPlan(plan, 0);
  });
}

/**
 * Updates the plan and its RADIUS group in one transaction; after commit a speed change is re-applied to every
 * online subscriber on the plan by CoA (their RADIUS session) and to their queues on api-mode routers, as a job
 * (`network.reapply_plan`): the reply carries its result under `reapplied` when it finishes in time, and always
 * `job_id` (null when the speed did not change).
 */
export async function updatePlan(ctx: NetCtx, id: number, input: PlanInput) {
  const { plan, speedChanged } = await withTransaction(ctx.db, async (trx) => {
    const current = await requirePlan(trx, { id });
    if (input.name !== undefined && input.name !== current.name && (await nameTaken({ ...ctx, db: trx }, input.name, id))) {
      throw errors.conflict('duplicate_plan_name', `A plan named "${input.name}" already exists.`);
    }
    const cols = speedColumns({
      download: input.download ?? Number(current.download_bps),
      upload: input.upload ?? Number(current.upload_bps),
      burst_limit: input.burst_limit !== undefined ? input.burst_limit : current.burst_limit,
      // Clearing the burst clears its threshold and time too, unless they are given in the same call.
      burst_threshold: input.burst_threshold !== undefined ? input.burst_threshold : input.burst_limit === null ? null : current.burst_threshold,
      burst_time: input.burst_time !== undefined ? input.burst_time : input.burst_limit === null ? null : current.burst_time,
      priority: input.priority !== undefined ? input.priority : current.priority,
    });
    await trx('plans')
      .where({ id })
      .update({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.price_cents !== undefined ? { price_cents: input.price_cents } : {}),
        ...cols,
        ...(await planPoolColumns(trx, input)),
        updated_at: nowUtc(),
      });
    const plan = (await trx<PlanRow>('plans').where({ id }).first())!;
    const before = rateLimitForPlan(current);
    const after = await syncPlanGroup(trx, plan);
    return { plan, speedChanged: before !== after };
  });

  let reapplied: unknown = { coa: { sessions: 0, acked: 0, naked: 0, timed_out: 0, unknown_nas: 0 }, queues: { updated: 0, failed: 0, unreachable_routers: [] } };
  let jobId: string | null = null;
  if (speedChanged && ctx.jobs) {
    const job = await ctx.jobs.enqueue(REAPPLY_PLAN_TASK, { plan_id: id });
    const r = await replyWithJob(ctx.jobs, job);
    jobId = r.job_id;
    const { job_id: _omit, ...rest } = r as Record<string, unknown>;
    reapplied = rest;
  } else if (speedChanged) {
    reapplied = await reapplySpeed(ctx, plan, async () => undefined);
  }
  const subscribers = Number((await ctx.db('customers').where({ plan_id: id }).count({ n: '*' }))[0].n);
  return { ...publicPlan(plan, subscribers), reapplied, job_id: jobId };
}

export const REAPPLY_PLAN_TASK = 'network.reapply_plan';
/** Routers worked on at once; one router's subscribers go one after another over its one connection. */
const REAPPLY_ROUTER_CONCURRENCY = 4;

const USERNAME_CHUNK = 500;

/**
 * The job's work: CoA to the plan's online sessions, then the plan's queue on each api-mode router. Usernames are
 * looked up in chunks and subscribers by a join: one list of a big plan's usernames would pass SQLite's
 * bound-variable limit (32,766).
 */
export async function reapplySpeed(ctx: NetCtx, plan: PlanRow, progress: JobProgress) {
  const rateLimit = rateLimitForPlan(plan);
  // The FreeRADIUS tables keep their own collation on MariaDB, so radacct is not joined to customers on the
  // username: the usernames go in chunks, under SQLite's bound-variable limit.
  const usernames = (await ctx.db('customers').where({ plan_id: plan.id, status: 'active' }).select('username')).map((r) => r.username as string);
  const sessions: SessionRow[] = [];
  for (let i = 0; i < usernames.length; i += USERNAME_CHUNK) {
    sessions.push(...(await ctx.db<SessionRow>('radacct').whereNull('acctstoptime').whereIn('username', usernames.slice(i, i + USERNAME_CHUNK))));
  }
  const customers = await ctx.db<CustomerRow>('customers as c')
    .join('routers as r', 'r.id', 'c.router_id')
    .where({ 'c.plan_id': plan.id, 'c.status': 'active', 'r.mode': 'api' })
    .orderBy('c.id')
    .select('c.*');
  const total = sessions.length + customers.length;
  let done = 0;
  const outcomes = await coaSessions(ctx, sessions, rateLimit);
  done += sessions.length;
  await progress(done, total);

  const apiRouters = await ctx.db<RouterRowDb>('routers').where({ mode: 'api' });
  const byRouter = new Map<number, CustomerRow[]>();
  for (const c of customers) byRouter.set(c.router_id!, [...(byRouter.get(c.router_id!) ?? []), c]);
  let updated = 0;
  let failed = 0;
  const unreachable = new Map<number, string>();
  await mapLimit(
    apiRouters.filter((r) => byRouter.has(r.id)),
    REAPPLY_ROUTER_CONCURRENCY,
    async (r) => {
      const links = new RouterLinks(ctx);
      try {
        for (const c of byRouter.get(r.id)!) {
          // A router that cannot be reached is tried once: each further subscriber on it would wait out the
          // connect timeout again, and a plan with hundreds of subscribers on a dead router would take minutes.
          if (unreachable.has(r.id)) failed += 1;
          else {
            try {
              await reapplyQueue(links.for(r), c, plan);
              updated += 1;
            } catch (e) {
              failed += 1;
              if (isAppError(e) && (e.code === 'router_unreachable' || e.code === 'router_login_failed')) unreachable.set(r.id, r.name);
              ctx.log.warn('queue re-apply failed', { customer: c.id, router: r.id, err: String((e as Error)?.message ?? e) });
            }
          }
          done += 1;
          await progress(done, total);
        }
      } finally {
        await links.closeAll();
      }
    },
  );
  return {
    coa: { sessions: sessions.length, ...summarise(outcomes) },
    queues: { updated, failed, unreachable_routers: [...unreachable.values()] },
  };
}

export async function deletePlan(ctx: NetCtx, id: number) {
  return ctx.db.transaction(async (trx) => {
    await requirePlan(trx, { id });
    const n = Number((await trx('customers').where({ plan_id: id }).count({ n: '*' }))[0].n);
    if (n > 0) {
      throw new AppError('plan_in_use', `The plan has ${n} subscriber(s). Move them to another plan with "edit" first.`, 409, {
        extra: { subscribers: n },
      });
    }
    await removePlanGroup(trx, id);
    await trx('plans').where({ id }).delete();
    return { id, deleted: true };
  });
}

export async function listPlans(ctx: NetCtx) {
  const plans = await ctx.db<PlanRow>('plans').orderBy('name');
  const counts = (await ctx.db('customers').select('plan_id').count({ n: '*' }).groupBy('plan_id')) as Array<{ plan_id: number; n: number | string }>;
  const byPlan = new Map(counts.map((c) => [Number(c.plan_id), Number(c.n)]));
  return plans.map((p) => publicPlan(p, byPlan.get(p.id) ?? 0));
}

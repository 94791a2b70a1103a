import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { nowUtc, parseJson, toIso } from '../db/knex';
import { rowLease } from '../db/lease';
import { translateDbError } from '../db/errors';
import { AppError, isAppError } from '../errors';
import type { ServiceContext, Tenant } from '../services/context';
import type { Section } from '../domain/actor';
import type { Logger } from '../logger';

/**
 * Background work a caller asks for: a month's invoices, a plan re-applied to its subscribers, a router's
 * subscribers deprovisioned. One interface, two transports: in process (the embedded default) or BullMQ on Redis
 * (several instances). Whichever carries it, the `jobs` row in the tenant's database is the truth: a worker claims
 * it with a conditional update (so one worker runs a job at a time), reports progress into it, and a lease lets a
 * sweep hand a job whose worker died to another one.
 */

export type JobState = 'queued' | 'running' | 'completed' | 'failed';

/** Reports how far a job is; also renews its lease. Cheap to call often: writes are spaced out. */
export type JobProgress = (done: number, total: number) => Promise<void>;

export interface TaskDef<D = any, R = any> {
  /** e.g. `billing.generate_month`; stored on the row, so renaming a task strands its queued jobs. */
  name: string;
  /** Who may read the job's status: holders of `<section>.read`. */
  section: Section;
  /** Tries before the job is failed (default 3). A refusal (an AppError below 500) fails at once. */
  attempts?: number;
  /** Wait before the second try (default 2 s), doubled for each further try. */
  backoffMs?: number;
  /** How long a worker may go without reporting progress before another may take the job over (default 5 min). */
  leaseMs?: number;
  run(ctx: ServiceContext, data: D, progress: JobProgress): Promise<R>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineTask<D, R>(def: TaskDef<D, R>): TaskDef<D, R> {
  return def;
}

export interface JobView {
  id: string;
  task: string;
  state: JobState;
  progress: { done: number; total: number };
  result: unknown;
  error: { code: string; message: string; status: number } | null;
  attempts: number;
  created_by: string | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

/** How a queued job reaches a worker. Transports are dumb pipes: claiming, retries and state live in JobQueue. */
export interface JobTransport {
  readonly name: 'in-process' | 'bullmq';
  start(execute: (ref: JobRef) => Promise<void>): Promise<void>;
  submit(ref: JobRef, delayMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface JobRef {
  tenantId: number | null;
  jobId: string;
  task: string;
}

/** What the queue needs from the runtime: open a tenant's database and build a system context for it. */
export interface JobHost {
  log: Logger;
  openTenant(tenantId: number | null): Promise<{ tenant: Tenant; db: Knex }>;
  listTenants(): Promise<Array<{ tenant: Tenant; open: () => Promise<Knex> }>>;
  contextFor(tenant: Tenant, db: Knex, name: string): ServiceContext;
}

/** The part of the queue a handler sees through `ctx.jobs`: bound to the caller's tenant and database. */
export interface TenantJobs {
  enqueue(task: string, data: unknown, opts?: { dedupeKey?: string }): Promise<JobView>;
  get(id: string): Promise<JobView | null>;
  /** Waits for the job to finish (for callers that answer the result, e.g. a month's generation without async=1). */
  wait(id: string, timeoutMs?: number): Promise<JobView>;
  /** The permission section a task's status is read under (undefined for a task this version does not know). */
  sectionOf(task: string): Section | undefined;
  /** Cancels a job that has not started (answers false when it runs or has finished): a later request replaces it. */
  cancel(id: string, reason: string): Promise<boolean>;
  /**
   * The same queue bound to another tenant's database, for platform work acting on a tenant (a suspension cutting
   * its service): follow-up jobs the work records land in that tenant's own queue, never the platform's.
   */
  forTenant(tenant: Tenant, db: Knex): TenantJobs;
}

const PROGRESS_WRITE_MS = 250;
/** A running job's hold on its row (renewed by progress()); the expiry is the holder's mark. */
const jobLease = rowLease({ table: 'jobs', until: 'lease_until', ms: 5 * 60_000 });

/** Runs jobs in this process with at most `concurrency` at once; timers do the delays. */
export class InProcessTransport implements JobTransport {
  readonly name = 'in-process' as const;
  private execute?: (ref: JobRef) => Promise<void>;
  private running = 0;
  private readonly waiting: JobRef[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly active = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly concurrency = 4) {}

  async start(execute: (ref: JobRef) => Promise<void>): Promise<void> {
    this.execute = execute;
  }

  async submit(ref: JobRef, delayMs: number): Promise<void> {
    if (this.stopped) return;
    if (delayMs <= 0) return this.push(ref);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.push(ref);
    }, delayMs);
    t.unref();
    this.timers.add(t);
  }

  private push(ref: JobRef) {
    this.waiting.push(ref);
    this.drain();
  }

  private drain() {
    while (!this.stopped && this.execute && this.running < this.concurrency && this.waiting.length) {
      const ref = this.waiting.shift()!;
      this.running++;
      const p = this.execute(ref).finally(() => {
        this.running--;
        this.active.delete(p);
        this.drain();
      });
      this.active.add(p);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.active]);
  }
}

export class JobQueue {
  private readonly tasks = new Map<string, TaskDef>();

  constructor(
    private readonly host: JobHost,
    readonly transport: JobTransport,
    tasks: TaskDef[],
  ) {
    for (const t of tasks) {
      if (this.tasks.has(t.name)) throw new Error(`duplicate job task ${t.name}`);
      this.tasks.set(t.name, t);
    }
  }

  task(name: string): TaskDef | undefined {
    return this.tasks.get(name);
  }

  async start(): Promise<void> {
    // A job whose tenant cannot be opened (suspended, gone, database down) stays queued for the sweep; an
    // uncaught rejection here would take the whole process down.
    await this.transport.start((ref) =>
      this.execute(ref).catch((e) => void this.host.log.warn('job not run', { job: ref.jobId, task: ref.task, tenant_id: ref.tenantId, err: (e as Error)?.message ?? String(e) })),
    );
  }

  async stop(): Promise<void> {
    await this.transport.stop();
  }

  forTenant(tenant: Tenant, db: Knex, createdBy: string | null): TenantJobs {
    return {
      enqueue: (task, data, opts) => this.enqueue(tenant, db, task, data, { ...opts, createdBy }),
      get: (id) => this.get(db, id),
      wait: (id, timeoutMs) => this.wait(db, id, timeoutMs),
      sectionOf: (task) => this.tasks.get(task)?.section,
      cancel: (id, reason) => this.cancel(db, id, reason),
      forTenant: (t, d) => this.forTenant(t, d, createdBy),
    };
  }

  async cancel(db: Knex, id: string, reason: string): Promise<boolean> {
    const n = await db('jobs')
      .where({ id, state: 'queued' })
      .update({ state: 'failed', error_code: 'cancelled', error_message: reason.slice(0, 500), error_status: 409, lease_until: null, finished_at: nowUtc(), updated_at: nowUtc(), dedupe_key: null });
    return n === 1;
  }

  async enqueue(tenant: Tenant, db: Knex, task: string, data: unknown, opts: { dedupeKey?: string; createdBy?: string | null } = {}): Promise<JobView> {
    const def = this.tasks.get(task);
    if (!def) throw new Error(`unknown job task ${task}`);
    const id = crypto.randomUUID();
    // A dedupe key is held by a queued or running job and released when it finishes: a second request for the same
    // work gets that job; one that races the finish finds the key free again on the next try.
    for (let attempt = 1; ; attempt++) {
      const now = nowUtc();
      try {
        await db('jobs').insert({
          id,
          task,
          state: 'queued',
          data: JSON.stringify(data ?? null),
          max_attempts: def.attempts ?? 3,
          dedupe_key: opts.dedupeKey ?? null,
          created_by: opts.createdBy ?? null,
          run_after: now,
          created_at: now,
          updated_at: now,
        });
        break;
      } catch (e) {
        if (!opts.dedupeKey || !translateDbError(e)?.code.startsWith('duplicate')) throw e;
        const existing = await db('jobs').where({ dedupe_key: opts.dedupeKey }).first();
        if (existing) return view(existing);
        if (attempt >= 3) throw e;
      }
    }
    await this.transport.submit({ tenantId: tenant.id, jobId: id, task }, 0);
    return (await this.get(db, id))!;
  }

  async get(db: Knex, id: string): Promise<JobView | null> {
    const row = await db('jobs').where({ id }).first();
    return row ? view(row) : null;
  }

  async wait(db: Knex, id: string, timeoutMs = 10 * 60_000): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    let delay = 20;
    for (;;) {
      const v = await this.get(db, id);
      if (!v) throw new AppError('not_found', `No job ${id}.`, 404);
      if (v.state === 'completed' || v.state === 'failed') return v;
      if (Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 500);
    }
  }

  /**
   * Hands every job that should be running to the transport: queued ones whose time has come (a restart lost the
   * timer, or another instance enqueued it while this one's transport was the only one up), and running ones whose
   * worker stopped renewing the lease. Claims are conditional, so handing out a job twice is harmless.
   */
  async sweep(): Promise<number> {
    let n = 0;
    for (const { tenant, open } of await this.host.listTenants()) {
      try {
        const db = await open();
        const now = nowUtc();
        const rows = await db('jobs')
          .where((q) => q.where('state', 'queued').andWhere('run_after', '<=', now))
          .orWhere((q) => q.where('state', 'running').andWhere('lease_until', '<', now))
          .orderBy('created_at')
          .limit(100)
          .select('id', 'task');
        for (const r of rows) {
          await this.transport.submit({ tenantId: tenant.id, jobId: r.id, task: r.task }, 0);
          n++;
        }
      } catch (e) {
        this.host.log.error('job sweep failed for a tenant', { tenant: tenant.slug, err: (e as Error)?.message });
      }
    }
    return n;
  }

  /** One attempt at a job: claim it, run it, record the outcome or schedule the next try. */
  async execute(ref: JobRef): Promise<void> {
    const def = this.tasks.get(ref.task);
    const { tenant, db } = await this.host.openTenant(ref.tenantId);
    if (!def) {
      await db('jobs').where({ id: ref.jobId, state: 'queued' }).update({ state: 'failed', error_code: 'unknown_task', error_message: `No task named ${ref.task} in this version.`, finished_at: nowUtc(), updated_at: nowUtc(), dedupe_key: null });
      return;
    }
    const leaseMs = def.leaseMs ?? 5 * 60_000;
    const now = new Date();
    // A queued job whose time has come, or a running one whose worker stopped renewing (queued jobs hold no lease).
    const lease = await jobLease.acquire(db, { id: ref.jobId }, {
      now,
      ms: leaseMs,
      where: (q) => q.where((a) => a.where('state', 'queued').andWhere('run_after', '<=', nowUtc(now))).orWhere('state', 'running'),
      set: { state: 'running', attempts: db.raw('attempts + 1'), started_at: nowUtc(now), updated_at: nowUtc(now) },
    });
    if (!lease) return;
    const row = await db('jobs').where({ id: ref.jobId }).first();
    const ctx = this.host.contextFor(tenant, db, `job:${def.name}`);
    let lastWrite = 0;
    const progress: JobProgress = async (done, total) => {
      const t = Date.now();
      if (done < total && t - lastWrite < PROGRESS_WRITE_MS) return;
      lastWrite = t;
      await jobLease.renew(db, lease, { ms: leaseMs, set: { progress_done: done, progress_total: total, updated_at: nowUtc() } });
    };
    try {
      const result = await def.run(ctx, parseJson(row.data, null), progress);
      // Written only while the lease is this worker's: a worker that was taken over does not overwrite the new one.
      await jobLease.release(db, lease, { state: 'completed', result: JSON.stringify(result ?? null), error_code: null, error_message: null, finished_at: nowUtc(), updated_at: nowUtc(), dedupe_key: null });
    } catch (e) {
      const err = isAppError(e) ? e : translateDbError(e);
      const code = err?.code ?? 'job_failed';
      const message = err?.message ?? 'The job failed on our side; the logs have the details.';
      const refused = !!err && err.status < 500;
      const attempts = Number(row.attempts);
      const final = refused || attempts >= Number(row.max_attempts);
      this.host.log[final ? 'error' : 'warn']('job attempt failed', { job: ref.jobId, task: def.name, tenant: tenant.slug, attempt: attempts, final, err: (e as Error)?.stack ?? String(e) });
      if (final) {
        await jobLease.release(db, lease, { state: 'failed', error_code: code, error_message: message, error_status: err?.status ?? 500, finished_at: nowUtc(), updated_at: nowUtc(), dedupe_key: null });
      } else {
        const delay = (def.backoffMs ?? 2000) * 2 ** (attempts - 1);
        if (await jobLease.release(db, lease, { state: 'queued', error_code: code, error_message: message, run_after: nowUtc(new Date(Date.now() + delay)), updated_at: nowUtc() })) {
          await this.transport.submit(ref, delay);
        }
      }
    }
  }
}

function view(row: Record<string, any>): JobView {
  return {
    id: row.id,
    task: row.task,
    state: row.state,
    progress: { done: Number(row.progress_done), total: Number(row.progress_total) },
    result: parseJson(row.result, null),
    error: row.error_code && row.state === 'failed' ? { code: row.error_code, message: row.error_message ?? '', status: Number(row.error_status ?? 500) } : null,
    attempts: Number(row.attempts),
    created_by: row.created_by ?? null,
    created_at: toIso(row.created_at),
    started_at: toIso(row.started_at),
    finished_at: toIso(row.finished_at),
  };
}

/** How long an action that answers its job's result (as the request did before it became a job) waits for it. */
export const JOB_REPLY_WAIT_MS = 30_000;

/**
 * For actions whose reply used to carry the work's result: waits for the job, then answers its result with
 * `job_id` added, fails with the job's own error (same code and status as the request would have), or, when the
 * job takes longer, answers where it is so the caller polls job_status.
 */
export async function replyWithJob<R extends Record<string, unknown>>(
  jobs: TenantJobs,
  job: JobView,
  timeoutMs = JOB_REPLY_WAIT_MS,
): Promise<(R & { job_id: string }) | { job_id: string; state: JobState; progress: JobView['progress'] }> {
  const v = await jobs.wait(job.id, timeoutMs);
  if (v.state === 'completed') return { ...(v.result as R), job_id: v.id };
  if (v.state === 'failed' && v.error) throw new AppError(v.error.code, v.error.message, v.error.status, { extra: { job_id: v.id } });
  return { job_id: v.id, state: v.state, progress: v.progress };
}

/** Counts for /metrics: jobs by task and state, pending effects by state (the default tenant's database). */
export async function jobGauges(db: Knex): Promise<{ jobs: Array<{ task: string; state: string; n: number }>; effects: Array<{ state: string; n: number }> }> {
  const jobs = (await db('jobs').select('task', 'state').count({ n: '*' }).groupBy('task', 'state')) as Array<{ task: string; state: string; n: number | string }>;
  const effects = (await db('pending_effects').select('state').count({ n: '*' }).groupBy('state')) as Array<{ state: string; n: number | string }>;
  return { jobs: jobs.map((r) => ({ task: r.task, state: r.state, n: Number(r.n) })), effects: effects.map((r) => ({ state: r.state, n: Number(r.n) })) };
}

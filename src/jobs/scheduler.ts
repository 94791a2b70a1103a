import type { Runtime } from '../runtime';
import { serviceContext } from '../context';
import type { Knex } from 'knex';
import type { Tenant } from '../domain/actor';
import type { Job } from './job';
import { Queue, Worker } from 'bullmq';
import { bullConnection, bullPrefix } from './bullmq';

const SCHEDULE_QUEUE = 'schedule';

/**
 * Runs every job on its interval for every tenant, plus the webhook delivery loop and the job sweep. Without
 * Redis each job is a timer in this process, one run at a time (a slow run is not overlapped by the next tick).
 * With REDIS_URL each job is a BullMQ job scheduler in that Redis: every instance registers the same schedulers
 * (an upsert, so they do not multiply) and each tick is one BullMQ job taken by one instance's worker, so a
 * job runs once per tick however many instances there are.
 */
export class Scheduler {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<string>();
  private stopped = false;
  private queue?: Queue;
  private worker?: Worker;
  private ready?: Promise<void>;

  constructor(private readonly rt: Runtime, private readonly jobs: Job[]) {}

  start() {
    this.every('webhooks', this.rt.config.WEBHOOK_POLL_MS, () => this.deliverWebhooks());
    this.every('job-sweep', this.rt.config.JOB_SWEEP_MS, async () => {
      await this.rt.jobs.sweep();
    });
    if (this.rt.config.REDIS_URL) {
      this.ready = this.startRepeatables(this.rt.config.REDIS_URL).catch((e) => {
        this.rt.log.error('could not register the scheduled jobs on Redis', { err: (e as Error)?.message });
      });
    } else {
      for (const job of this.jobs) this.every(job.name, job.everyMs, () => this.runJob(job));
    }
  }

  /** Resolves once the schedulers are registered on Redis (at once without Redis). */
  async started(): Promise<void> {
    await this.ready;
  }

  private async startRepeatables(redisUrl: string) {
    const prefix = bullPrefix(this.rt.config.REDIS_PREFIX);
    this.queue = new Queue(SCHEDULE_QUEUE, { connection: bullConnection(redisUrl, 'producer'), prefix });
    this.queue.on('error', (e) => this.rt.log.warn('schedule queue (Redis) error', { err: e.message }));
    for (const job of this.jobs) {
      await this.queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, opts: { removeOnComplete: true, removeOnFail: true } });
    }
    // A schedule left in Redis by a job this version no longer has (renamed or removed) would tick for ever, its
    // ticks taken by workers that know no such job: it is removed.
    const known = new Set(this.jobs.map((j) => j.name));
    for (const s of await this.queue.getJobSchedulers()) {
      if (s.key && !known.has(s.key)) {
        await this.queue.removeJobScheduler(s.key);
        this.rt.log.info('removed the schedule of a job this version does not have', { job: s.key });
      }
    }
    const byName = new Map(this.jobs.map((j) => [j.name, j]));
    this.worker = new Worker(
      SCHEDULE_QUEUE,
      async (bj) => {
        const job = byName.get(bj.name);
        if (!job || this.stopped) return;
        await this.runJob(job, { tick: String(bj.id) });
      },
      { connection: bullConnection(redisUrl), prefix, concurrency: Math.max(1, this.jobs.length) },
    );
    this.worker.on('error', (e) => this.rt.log.warn('schedule worker (Redis) error', { err: e.message }));
  }

  /** One pass of the webhook worker over every tenant. */
  async deliverWebhooks(): Promise<void> {
    await this.forEachTenant('webhooks', async (_tenant, db) => {
      await this.rt.webhooks.runOnce(db);
    });
  }

  /** One run of a job for every tenant. */
  async runJob(job: Job, info: { tick?: string } = {}): Promise<void> {
    await this.forEachTenant(job.name, async (tenant, db) => {
      await job.run(serviceContext(this.rt, tenant, db, `job:${job.name}`), info);
    });
  }

  /** One tenant whose database is down or whose run fails must not hold back the others. */
  private async forEachTenant(name: string, fn: (tenant: Tenant, db: Knex) => Promise<void>) {
    for (const { tenant, open } of await this.rt.tenants.list()) {
      try {
        await fn(tenant, await open());
      } catch (e) {
        this.rt.log.error('job failed for a tenant', { job: name, tenant: tenant.slug, err: (e as Error)?.stack ?? String(e) });
      }
    }
  }

  private every(name: string, ms: number, fn: () => Promise<void>) {
    const t = setInterval(async () => {
      if (this.stopped || this.running.has(name)) return;
      this.running.add(name);
      try {
        await fn();
      } catch (e) {
        this.rt.log.error('job failed', { job: name, err: (e as Error)?.stack ?? String(e) });
      } finally {
        this.running.delete(name);
      }
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  async stop() {
    this.stopped = true;
    await this.ready;
    await this.worker?.close();
    await this.queue?.close();
    for (const t of this.timers) clearInterval(t);
    while (this.running.size) await new Promise((r) => setTimeout(r, 50));
  }
}

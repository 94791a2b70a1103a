import type { Runtime } from '../runtime';
import { systemContext } from '../context';
import type { Knex } from 'knex';
import type { Tenant } from '../gateway/action';
import type { Job } from './job';

/**
 * Runs every job on its interval for every tenant, one run of a job at a time (a slow run is not
 * overlapped by the next tick), plus the webhook delivery loop.
 */
export class Scheduler {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<string>();
  private stopped = false;

  constructor(private readonly rt: Runtime, private readonly jobs: Job[]) {}

  start() {
    this.every('webhooks', this.rt.config.WEBHOOK_POLL_MS, () => this.deliverWebhooks());
    this.every('job-sweep', this.rt.config.JOB_SWEEP_MS, async () => {
      await this.rt.jobs.sweep();
    });
    for (const job of this.jobs) this.every(job.name, job.everyMs, () => this.runJob(job));
  }

  /** One pass of the webhook worker over every tenant. */
  async deliverWebhooks(): Promise<void> {
    await this.forEachTenant('webhooks', async (_tenant, db) => {
      await this.rt.webhooks.runOnce(db);
    });
  }

  /** One run of a job for every tenant. */
  async runJob(job: Job): Promise<void> {
    await this.forEachTenant(job.name, async (tenant, db) => {
      await job.run(systemContext(this.rt, tenant, db, `job:${job.name}`));
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
    for (const t of this.timers) clearInterval(t);
    while (this.running.size) await new Promise((r) => setTimeout(r, 50));
  }
}

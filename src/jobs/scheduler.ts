import type { Runtime } from '../runtime';
import { systemContext } from '../context';
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
    this.every('webhooks', this.rt.config.WEBHOOK_POLL_MS, async () => {
      for (const { db } of await this.rt.tenants.all()) await this.rt.webhooks.runOnce(db);
    });
    for (const job of this.jobs) {
      this.every(job.name, job.everyMs, async () => {
        for (const { tenant, db } of await this.rt.tenants.all()) await job.run(systemContext(this.rt, tenant, db, `job:${job.name}`));
      });
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

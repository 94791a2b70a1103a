import client from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly requests: client.Counter<'action' | 'outcome'>;
  readonly latency: client.Histogram<'action'>;

  constructor(backlog: () => Promise<number>) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'ispgate_' });
    this.requests = new client.Counter({
      name: 'ispgate_requests_total',
      help: 'process.php requests by action and outcome (ok or the error code)',
      labelNames: ['action', 'outcome'],
      registers: [this.registry],
    });
    this.latency = new client.Histogram({
      name: 'ispgate_request_duration_seconds',
      help: 'process.php latency by action',
      labelNames: ['action'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    new client.Gauge({
      name: 'ispgate_webhook_backlog',
      help: 'webhook deliveries waiting to be sent (pending or in flight)',
      registers: [this.registry],
      async collect() {
        this.set(await backlog().catch(() => -1));
      },
    });
  }

  /** Job gauges: ispgate_jobs{task,state} and ispgate_pending_effects{state}, read when scraped. */
  trackJobs(counts: () => Promise<{ jobs: Array<{ task: string; state: string; n: number }>; effects: Array<{ state: string; n: number }> }>): void {
    let last: Promise<Awaited<ReturnType<typeof counts>> | null> | null = null;
    // One read serves both gauges of a scrape.
    const read = () => (last ??= counts().catch(() => null).finally(() => setTimeout(() => (last = null), 0)));
    new client.Gauge({
      name: 'ispgate_jobs',
      help: 'background jobs by task and state (queued, running, completed, failed)',
      labelNames: ['task', 'state'],
      registers: [this.registry],
      async collect() {
        const c = await read();
        this.reset();
        for (const r of c?.jobs ?? []) this.set({ task: r.task, state: r.state }, r.n);
      },
    });
    new client.Gauge({
      name: 'ispgate_pending_effects',
      help: 'outside effects left to converge (pending), converged (done), or given up on after retries (failed)',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const c = await read();
        this.reset();
        for (const r of c?.effects ?? []) this.set({ state: r.state }, r.n);
      },
    });
  }
}

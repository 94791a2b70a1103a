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
}

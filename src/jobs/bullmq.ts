/**
 * The BullMQ transport: with REDIS_URL set, jobs travel on a BullMQ queue in that Redis, so any instance's worker
 * may take one (each BullMQ job is handed to one worker). BullMQ only carries the reference: claiming (a
 * conditional update of the jobs row), retries with backoff and state stay in JobQueue, the same as in process.
 * BullMQ's own retries are off (attempts 1): a retry is a new submission after JobQueue's backoff.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../logger';
import type { JobRef, JobTransport } from './queue';

/**
 * BullMQ's connection options from a redis:// URL (BullMQ brings its own Redis client). A worker blocks on Redis
 * and must retry for ever (BullMQ requires it); a producer gives up soon, so a request never hangs on a Redis
 * that is down (its job stays queued in the database and the sweep hands it out later).
 */
export function bullConnection(redisUrl: string, role: 'worker' | 'producer' = 'worker'): ConnectionOptions {
  const u = new URL(redisUrl);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isFinite(db) ? db : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    ...(role === 'producer' ? { connectTimeout: 2000 } : {}),
  };
}

/** BullMQ's key prefix for this deployment (REDIS_PREFIX), so several deployments and test runs share a Redis. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

export class BullMQTransport implements JobTransport {
  readonly name = 'bullmq' as const;
  private queue?: Queue;
  private worker?: Worker;
  private stopped = false;

  constructor(
    private readonly redisUrl: string,
    private readonly redisPrefix: string,
    private readonly concurrency: number,
    private readonly log: Logger,
    private readonly queueName = 'jobs',
  ) {}

  private q(): Queue {
    if (!this.queue) {
      this.queue = new Queue(this.queueName, { connection: bullConnection(this.redisUrl, 'producer'), prefix: bullPrefix(this.redisPrefix) });
      this.queue.on('error', (e) => this.log.warn('job queue (Redis) error', { err: e.message }));
    }
    return this.queue;
  }

  async start(execute: (ref: JobRef) => Promise<void>): Promise<void> {
    this.q();
    this.worker = new Worker(
      this.queueName,
      async (job) => {
        await execute(job.data as JobRef);
      },
      { connection: bullConnection(this.redisUrl), prefix: bullPrefix(this.redisPrefix), concurrency: this.concurrency },
    );
    this.worker.on('error', (e) => this.log.warn('job worker (Redis) error', { err: e.message }));
    this.worker.on('failed', (job, e) => this.log.error('job transport failed to run a job', { job: job?.data?.jobId, err: e.message }));
  }

  async submit(ref: JobRef, delayMs: number): Promise<void> {
    if (this.stopped) return;
    // An immediate hand-out has an id per second, so sweeps of several instances in the same second make one
    // BullMQ job; a retry after backoff is always a new one (it is submitted while the try that failed is still
    // the active BullMQ job of that id). Handing a job out twice is harmless: claims are conditional.
    const jobId =
      delayMs > 0
        ? `${ref.tenantId ?? 'd'}-${ref.jobId}-r${Date.now() + delayMs}-${Math.random().toString(36).slice(2, 8)}`
        : `${ref.tenantId ?? 'd'}-${ref.jobId}-${Math.floor(Date.now() / 1000)}`;
    try {
      await this.q().add(ref.task, ref, {
        jobId,
        delay: Math.max(0, delayMs),
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: true,
      });
    } catch (e) {
      // The jobs row is the truth and stays queued: the sweep hands it out once Redis answers again.
      this.log.warn('could not hand a job to Redis; the sweep will', { job: ref.jobId, err: (e as Error)?.message });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.close();
    await this.queue?.close();
  }
}

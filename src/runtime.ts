import type { Knex } from 'knex';
import type Redis from 'ioredis';
import type { Config } from './config';
import type { TenantDatabases } from './db/tenants';
import type { WebhookWorker } from './events/webhook-worker';
import type { ActionRegistry } from './gateway/registry';
import type { JobQueue } from './jobs/queue';
import type { RateLimits } from './gateway/rate-limit';
import type { Metrics } from './gateway/metrics';
import type { Logger } from './logger';
import type { SecretBox } from './secrets';
import type { Credentials } from './services/core/credentials';

/** Everything one running ispgate holds, built once by createRuntime and shared by the app, jobs and CLI. */
export interface Runtime {
  config: Config;
  log: Logger;
  secrets: SecretBox;
  db: Knex;
  tenants: TenantDatabases;
  registry: ActionRegistry;
  rateLimits: RateLimits;
  loginLimits: ReturnType<typeof RateLimits.loginLimiter>;
  metrics: Metrics;
  webhooks: WebhookWorker;
  redis?: Redis;
  /** API keys and sessions → callers, cached with revocation heard at once (services/core/credentials.ts). */
  credentials: Credentials;
  /** Background jobs (src/jobs/queue.ts): in process, or on BullMQ when REDIS_URL is set. */
  jobs: JobQueue;
}

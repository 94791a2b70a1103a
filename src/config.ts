import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // Loopback unless told otherwise: exposing the API is a decision (HOST=0.0.0.0 or a reverse proxy).
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().default('sqlite:./data/ispgate.sqlite'),
  DATA_DIR: z.string().default('./data'),
  APP_KEY: z.string().optional(),
  ADMIN_PASSWORD: z.string().min(10, 'ADMIN_PASSWORD must be at least 10 characters').optional(),
  HTTP_ERRORS: z.enum(['legacy', 'strict']).default('legacy'),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'http', 'verbose', 'debug']).default('info'),
  REDIS_URL: z.string().optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:-]+$/).default('ispgate'),
  RATE_LIMIT_STANDARD: z.coerce.number().int().positive().default(100),
  RATE_LIMIT_BILLING: z.coerce.number().int().positive().default(10),
  RATE_LIMIT_BULK: z.coerce.number().int().positive().default(5),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  TRUST_PROXY: z.string().default('loopback'),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  COOKIE_SECURE: bool.default(false),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  WEBHOOK_POLL_MS: z.coerce.number().int().positive().default(1000),
  /** Background jobs: how many run at once in this process, and how often queued/abandoned jobs are swept up. */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  JOB_SWEEP_MS: z.coerce.number().int().positive().default(5000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(30_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  JOBS_ENABLED: bool.default(true),
  ROUTER_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  COA_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  COA_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  STRIPE_BASE_URL: z.string().url().default('https://api.stripe.com'),
  VIVA_BASE_URL: z.string().url().default('https://www.vivapayments.com'),
  VIVA_API_URL: z.string().url().default('https://api.vivapayments.com'),
  VIVA_ACCOUNTS_URL: z.string().url().default('https://accounts.vivapayments.com'),
  REVOLUT_BASE_URL: z.string().url().default('https://merchant.revolut.com'),
  PAYPAL_BASE_URL: z.string().url().default('https://api-m.paypal.com'),
  MYDATA_BASE_URL: z.string().url().default('https://mydataapidev.aade.gr'),
  ELORUS_BASE_URL: z.string().url().default('https://api.elorus.com'),
  AADE_VAT_URL: z.string().url().default('https://www1.gsis.gr/wsaade/RgWsPublic2/RgWsPublic2'),
  // Gateway safety (foundation): webhook targets and request bodies.
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  MULTIPART_MAX_BYTES: z.coerce.number().int().positive().default(8 * 1024 * 1024),
  // Network (radius_test): the RADIUS server an Access-Request is sent to, its shared secret for this gateway, port.
  RADIUS_SERVER: z.string().optional(),
  RADIUS_SECRET: z.string().optional(),
  RADIUS_AUTH_PORT: z.coerce.number().int().min(1).max(65535).default(1812),
  RADIUS_TEST_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  // Notifications and the AI assistant (issue 12)
  /** Telegram messages per second across one announcement (the Bot API allows about 30). */
  NOTIFY_TELEGRAM_RATE: z.coerce.number().positive().default(30),
  /** Messages in flight at once per announcement (SMTP pool size, parallel Telegram/Push requests). */
  NOTIFY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Attempts per recipient before a delivery is failed (429/5xx/network are retried with backoff). */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().positive().default(30_000),
  /** How long one delivery job works before handing the rest of an announcement to a new job. */
  NOTIFY_SLICE_MS: z.coerce.number().int().positive().default(20_000),
  /** A PEM file of extra CAs trusted for Web Push services (a push relay with a private CA). */
  PUSH_CA_FILE: z.string().optional(),
  AI_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Monitoring (SNMP, router liveness, topology). */
  SNMP_INTERVAL_S: z.coerce.number().int().min(10).default(300),
  SNMP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  SNMP_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  SNMP_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  SNMP_QUEUE_THRESHOLD: z.coerce.number().int().min(1).default(50),
  SNMP_RAW_RETENTION_H: z.coerce.number().int().min(1).default(48),
  SNMP_ROLLUP_RETENTION_D: z.coerce.number().int().min(1).default(90),
  ROUTER_OFFLINE_AFTER: z.coerce.number().int().min(1).max(100).default(3),
  ROUTER_PROBE_INTERVAL_S: z.coerce.number().int().min(5).default(60),
  TOPOLOGY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // The former router probe's interval: when set, it overrides ROUTER_PROBE_INTERVAL_S (one probe job now).
  ROUTER_PROBE_MS: z.coerce.number().int().positive().optional(),
  // ISPBills API dialect (issue 16): off switch, request budgets per token per window, token lifetimes
  ISPBILLS_API: bool.default(true),
  ISPBILLS_RATE_LIMIT_V1: z.coerce.number().int().positive().default(60),
  ISPBILLS_RATE_LIMIT_V2: z.coerce.number().int().positive().default(120),
  ISPBILLS_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  ISPBILLS_V1_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  ISPBILLS_V1_REFRESH_TTL_DAYS: z.coerce.number().int().min(1).default(30),
  ISPBILLS_V2_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(1800),
});

export type Config = z.infer<typeof schema> & { dataDir: string; strictErrors: boolean };

/** Parses the environment once; a bad value stops the process with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return { ...c, dataDir: path.resolve(c.DATA_DIR), strictErrors: c.HTTP_ERRORS === 'strict' };
}

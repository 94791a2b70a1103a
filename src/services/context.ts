import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Actor, Tenant } from '../domain/actor';
import type { TenantJobs } from '../jobs/queue';
import type { Logger } from '../logger';
import type { SecretBox } from '../secrets';

export type { Actor, Tenant } from '../domain/actor';

/**
 * What a service acts with: built alike by the gateway (per request), the CLI and jobs (`serviceContext()` in
 * src/context.ts). No HTTP in here: an action passes what a service needs from the request (an idempotency key,
 * uploaded files, the active router) as arguments. Services take the whole context or a Pick of it.
 */
export interface ServiceContext {
  /** The tenant's database, or a transaction on it. */
  db: Knex | Knex.Transaction;
  tenant: Tenant;
  actor: Actor;
  secrets: SecretBox;
  log: Logger;
  config: Config;
  /** Background jobs of this tenant (enqueue, read, wait). */
  jobs: TenantJobs;
  /** The time now; tests may pin it. Default `() => new Date()`. */
  clock: () => Date;
}

/** A file an action received and hands to a service (ticket attachments, tenant branding). */
export interface UploadedFile {
  field: string;
  originalName: string;
  mimeType: string;
  size: number;
  /** The upload as streamed to disk; removed when the response ends. */
  path: string;
  /** The file's bytes, read from disk on first use. */
  readonly buffer: Buffer;
}

/** The router a session or key chose with switch_router (a session preference, not HTTP); the gateway provides it. */
export interface RouterChoice {
  getActiveRouterId(): Promise<number | null>;
  setActiveRouterId(id: number | null): Promise<void>;
}

export const systemClock = (): Date => new Date();

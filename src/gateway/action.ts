import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Config } from '../config';
import type { TenantJobs } from '../jobs/queue';
import type { Logger } from '../logger';
import type { SecretBox } from '../secrets';
import type { TenantDatabases } from '../db/tenants';
import type { RateLimits } from './rate-limit';
import type { PermissionSpec, Permissions } from './permissions';

export type RateClass = 'standard' | 'billing' | 'bulk';

export interface Tenant {
  id: number | null; // null: the default tenant living in the main database
  slug: string;
  name: string;
  /** Plan limits of a provisioned tenant (null: unlimited); checked by services/tenants assertTenantCapacity. */
  limits?: { max_subscribers: number | null; max_routers: number | null };
}

export interface Actor {
  type: 'api_key' | 'session' | 'system' | 'anonymous';
  adminId: number | null;
  apiKeyId: number | null;
  sessionId: number | null;
  username: string | null;
  /** Primary/super admins and keys without an admin hold every permission. */
  permissions: Permissions;
}

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

/** What every handler and service receives. Services take the parts they need (db, secrets …). */
export interface ActionContext {
  db: Knex;
  tenant: Tenant;
  actor: Actor;
  requestId: string;
  ip: string;
  config: Config;
  log: Logger;
  secrets: SecretBox;
  files: UploadedFile[];
  headers: Record<string, string | undefined>;
  /** Background jobs of this tenant (enqueue, read, wait). */
  jobs: TenantJobs;
  /** The router chosen with switch_router for this session or key, if any. */
  getActiveRouterId(): Promise<number | null>;
  setActiveRouterId(id: number | null): Promise<void>;
  /** Failed-login budgets (login only). */
  loginLimits?: ReturnType<typeof RateLimits.loginLimiter>;
  /** The tenant registry (platform tenant actions: provisioning, suspend, delete close and forget handles). */
  tenants?: TenantDatabases;
  /** Set by login/logout to put a cookie on the response. */
  setCookie?(name: string, value: string, opts: { maxAgeSeconds: number }): void;
}

export interface ActionDef<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Wire name, exactly as the Veloxiom contract spells it. */
  name: string;
  section: string;
  summary: string;
  input: S;
  permission: PermissionSpec;
  rateClass: RateClass;
  /** Read actions the contract marks GET also answer GET with query parameters. */
  methods?: Array<'GET' | 'POST'>;
  /** Writes are audited; default: permission level is write, or the action is public/authenticated and not a read. */
  audit?: boolean;
  run(ctx: ActionContext, input: z.infer<S>): Promise<R>;
}

export function defineAction<S extends z.ZodType, R>(def: ActionDef<S, R>): ActionDef<S, R> {
  return def;
}

/** Heterogeneous lists of actions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDef<any, any>;

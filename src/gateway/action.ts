import type { Knex } from 'knex';
import type { z } from 'zod';
import type { RouterChoice, ServiceContext, UploadedFile } from '../services/context';
import type { TenantDatabases } from '../db/tenants';
import type { RateLimits } from './rate-limit';
import type { PermissionSpec } from './permissions';

export type RateClass = 'standard' | 'billing' | 'bulk';

// Tenant and Actor live in src/domain/actor.ts (services and the db registry use them without the gateway).
export type { Actor, Tenant } from '../domain/actor';

export type { UploadedFile } from '../services/context';

/** What every handler receives: the service context plus the HTTP parts, which stay in the gateway. */
export interface ActionContext extends ServiceContext, RouterChoice {
  db: Knex;
  requestId: string;
  ip: string;
  files: UploadedFile[];
  headers: Record<string, string | undefined>;
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

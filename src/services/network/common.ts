import type { Knex } from 'knex';
import type { RouterChoice, ServiceContext } from '../context';
import type { RouterConnection } from '../../adapters/routeros/session';
import { AppError } from '../../errors';
import { parseRatePair, parseSecondsPair, type SpeedProfile } from '../../domain/rate';

/** What the network services use from an action context; a system context (jobs, dunning) has all of it. */
export type NetCtx = Pick<ServiceContext, 'db' | 'secrets' | 'log' | 'config'> & Partial<Pick<ServiceContext, 'jobs'>> & Partial<Pick<RouterChoice, 'getActiveRouterId'>>;

export type Db = Knex | Knex.Transaction;

export interface PlanRow {
  id: number;
  name: string;
  download_bps: number | string;
  upload_bps: number | string;
  price_cents: number;
  burst_limit: string | null;
  burst_threshold: string | null;
  burst_time: string | null;
  priority: number | null;
  created_at: string;
  updated_at: string;
}

export interface RouterRowDb {
  id: number;
  name: string;
  ip: string;
  api_port: number;
  api_user: string;
  api_password_enc: string;
  tls: number | boolean;
  radius_ip: string;
  radius_secret_enc: string;
  coa_port: number;
  mode: 'radius' | 'api';
  last_seen_at: string | null;
  last_error: string | null;
  /** What the probe job last saw: online | offline | auth_failed | unknown. */
  status?: string;
  status_error?: string | null;
  status_checked_at?: string | null;
  created_at: string;
  updated_at: string;
}

export interface CustomerRow {
  id: number;
  username: string;
  password: string;
  fullname: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  afm: string | null;
  plan_id: number;
  router_id: number | null;
  static_ip: string | null;
  mac_address: string | null;
  custom_fields: string | null;
  status: 'active' | 'suspended';
  suspend_reason: string | null;
  activated_at: string | null;
  created_at: string;
  updated_at: string;
  telegram_chat_id: string | null;
  telegram_blocked_at?: string | null;
}

/** The RADIUS group that carries a plan's reply attributes; by id, so renaming a plan touches no user row. */
export function planGroup(planId: number): string {
  return `plan-${planId}`;
}

/** The PPP profile an api-mode router gets for a plan. */
export function planProfile(planId: number): string {
  return `ispgate-plan-${planId}`;
}

export function speedProfileOf(plan: PlanRow): SpeedProfile {
  return {
    rate: { upload: Number(plan.upload_bps), download: Number(plan.download_bps) },
    burst: plan.burst_limit ? parseRatePair(plan.burst_limit) : null,
    threshold: plan.burst_threshold ? parseRatePair(plan.burst_threshold) : null,
    burstTime: plan.burst_time ? parseSecondsPair(plan.burst_time) : null,
    priority: plan.priority,
  };
}


export function routerConnection(ctx: Pick<NetCtx, 'secrets' | 'config'>, r: RouterRowDb): RouterConnection {
  return {
    host: r.ip,
    port: r.api_port,
    user: r.api_user,
    password: ctx.secrets.decrypt(r.api_password_enc),
    tls: Boolean(r.tls),
    timeoutMs: ctx.config.ROUTER_TIMEOUT_MS,
  };
}

export async function findRouter(db: Db, ref: number | string): Promise<RouterRowDb | undefined> {
  const q = db<RouterRowDb>('routers');
  if (typeof ref === 'number' || /^\d+$/.test(ref)) return q.where({ id: Number(ref) }).first();
  return q.where({ name: ref }).first();
}

export async function requireRouter(db: Db, ref: number | string): Promise<RouterRowDb> {
  const r = await findRouter(db, ref);
  if (!r) throw new AppError('router_not_found', `No router "${ref}". get_routers lists the routers and their ids.`, 404);
  return r;
}

export async function requirePlan(db: Db, ref: { id?: number; name?: string }): Promise<PlanRow> {
  const q = db<PlanRow>('plans');
  const plan = ref.id !== undefined ? await q.where({ id: ref.id }).first() : await q.where({ name: ref.name ?? '' }).first();
  if (!plan) {
    throw new AppError(
      'plan_not_found',
      `No service plan ${ref.id !== undefined ? `with id ${ref.id}` : `named "${ref.name}"`}. list_plans shows the plans.`,
      404,
      { details: { plan: 'not found' } },
    );
  }
  return plan;
}

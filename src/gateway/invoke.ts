/**
 * Runs an action as a given caller from inside the server (the AI assistant's tool calls, ai_confirm), through the
 * same steps as an HTTP request: permission, rate limit, validation, handler, audit. Nothing is skipped because
 * the request came from our own code: the assistant can do exactly what its caller could do by hand.
 */
import type { z } from 'zod';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { ActionContext, AnyAction } from './action';
import { allows, parsePermission } from './permissions';
import { runAudited } from './pipeline';
import { RateLimits } from './rate-limit';
import { validationError } from './validation';

/*
 * The HTTP pipeline's limiter lives in the runtime, which handlers do not see; this one takes the same budgets from
 * the same configuration. Without Redis each keeps its own count (tool calls have their own per-minute budget);
 * with REDIS_URL it would need the runtime's Redis connection to share it, which is left to the runtime.
 */
const limiters = new WeakMap<Config, RateLimits>();
function limiterFor(config: Config): RateLimits {
  let l = limiters.get(config);
  if (!l) {
    l = new RateLimits({ standard: config.RATE_LIMIT_STANDARD, billing: config.RATE_LIMIT_BILLING, bulk: config.RATE_LIMIT_BULK, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS });
    limiters.set(config, l);
  }
  return l;
}

export function mayCall(ctx: Pick<ActionContext, 'actor'>, action: AnyAction): boolean {
  if (typeof action.permission === 'object') return 'authenticated' in action.permission || 'public' in action.permission;
  const p = parsePermission(action.permission);
  return !!p && allows(ctx.actor.permissions, p.section, p.level);
}

export async function invokeAs(ctx: ActionContext, action: AnyAction, params: Record<string, unknown>): Promise<unknown> {
  const perm = parsePermission(action.permission);
  if (perm && !allows(ctx.actor.permissions, perm.section, perm.level))
    throw new AppError('forbidden', `Your account needs ${perm.level} permission on "${perm.section}" for ${action.name}.`, 403);
  const rateKey = ctx.actor.apiKeyId ? `k${ctx.actor.apiKeyId}` : ctx.actor.adminId ? `a${ctx.actor.adminId}` : `ip${ctx.ip}`;
  await limiterFor(ctx.config).consume(`${ctx.tenant.slug}:${rateKey}`, action.rateClass);
  const parsed = (action.input as z.ZodType).safeParse(params);
  if (!parsed.success) throw validationError(parsed.error, params, action.input as z.ZodType);
  const sub: ActionContext = { ...ctx, files: [] };
  return runAudited(ctx.db, sub, action, params, () => action.run(sub, parsed.data));
}

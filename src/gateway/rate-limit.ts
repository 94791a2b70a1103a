import type Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors';
import type { RateClass } from './action';

export interface RateLimitConfig {
  standard: number;
  billing: number;
  bulk: number;
  windowSeconds: number;
}

export interface RateVerdict {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * The contract's budgets: every request spends from the caller's standard budget (100/min), billing and
 * bulk actions also from their own (10/min, 5/min). The tightest budget is the one reported in headers.
 * In memory by default; with Redis, several instances share one budget.
 */
export class RateLimits {
  private readonly limiters: Record<RateClass, RateLimiterAbstract>;

  constructor(readonly cfg: RateLimitConfig, redis?: Redis, prefix = 'ispgate') {
    const make = (keyPrefix: string, points: number) =>
      redis
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `${prefix}:rl:${keyPrefix}`,
            points,
            duration: cfg.windowSeconds,
            // While Redis is unreachable each instance keeps counting on its own rather than failing requests.
            insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: cfg.windowSeconds }),
          })
        : new RateLimiterMemory({ keyPrefix, points, duration: cfg.windowSeconds });
    this.limiters = { standard: make('std', cfg.standard), billing: make('bill', cfg.billing), bulk: make('bulk', cfg.bulk) };
  }

  /** Spends one point; throws `rate_limited` (429) with the verdict attached when a budget is exhausted. */
  async consume(callerKey: string, cls: RateClass): Promise<RateVerdict> {
    const classes: RateClass[] = cls === 'standard' ? ['standard'] : ['standard', cls];
    let tightest: RateVerdict | null = null;
    for (const c of classes) {
      const limit = this.cfg[c];
      try {
        const r = await this.limiters[c].consume(callerKey, 1);
        const v = { limit, remaining: r.remainingPoints, resetSeconds: Math.ceil(r.msBeforeNext / 1000) };
        if (!tightest || v.remaining < tightest.remaining) tightest = v;
      } catch (e) {
        if (e instanceof RateLimiterRes) {
          const retry = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
          throw new AppError('rate_limited', `Too many ${c === 'standard' ? '' : c + ' '}requests: at most ${limit} per ${this.cfg.windowSeconds} seconds. Retry in ${retry} s.`, 429, {
            extra: { retry_after: retry, limit },
          });
        }
        throw e;
      }
    }
    return tightest!;
  }

  /** A separate budget for failed logins, per account and per address. */
  static loginLimiter(redis?: Redis, prefix = 'ispgate') {
    const mk = (keyPrefix: string, points: number, duration: number) =>
      redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${keyPrefix}`, points, duration, insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }) })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    return { perAccount: mk('login_acct', 5, 15 * 60), perIp: mk('login_ip', 20, 15 * 60) };
  }
}

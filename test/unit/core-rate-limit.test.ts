import { AppError } from '../../src/errors';
import { RateLimits } from '../../src/gateway/rate-limit';

const limits = () => new RateLimits({ standard: 100, billing: 10, bulk: 5, windowSeconds: 60 });

async function spend(rl: RateLimits, key: string, cls: 'standard' | 'billing' | 'bulk', n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await rl.consume(key, cls));
  return out;
}

test('billing operations: 10 a minute, the 11th is rate_limited with its limit and Retry-After', async () => {
  const rl = limits();
  const ok = await spend(rl, 'k1', 'billing', 10);
  expect(ok[0]).toMatchObject({ limit: 10, remaining: 9 });
  expect(ok[9]).toMatchObject({ limit: 10, remaining: 0 });
  const err = await rl.consume('k1', 'billing').catch((e: AppError) => e);
  expect(err).toMatchObject({ code: 'rate_limited', status: 429, extra: { limit: 10, retry_after: expect.any(Number) } });
  // the standard budget is still open for other actions of the same key
  expect(await rl.consume('k1', 'standard')).toMatchObject({ limit: 100 });
});

test('bulk operations: 5 a minute, per caller', async () => {
  const rl = limits();
  await spend(rl, 'k1', 'bulk', 5);
  await expect(rl.consume('k1', 'bulk')).rejects.toMatchObject({ code: 'rate_limited', extra: { limit: 5 } });
  expect(await rl.consume('k2', 'bulk')).toMatchObject({ limit: 5, remaining: 4 });
});

test('billing calls spend the standard budget too', async () => {
  const rl = new RateLimits({ standard: 3, billing: 10, bulk: 5, windowSeconds: 60 });
  await spend(rl, 'k1', 'billing', 3);
  await expect(rl.consume('k1', 'billing')).rejects.toMatchObject({ code: 'rate_limited', extra: { limit: 3 } });
});

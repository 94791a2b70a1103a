import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ rateLimits: true });
});
afterAll(async () => t.close());

test('the 101st request in a minute answers 429 with Retry-After and X-RateLimit headers', async () => {
  for (let i = 1; i <= 100; i++) {
    const r = await t.post('me');
    expect(r.status).toBe(200);
    if (i === 1) expect(r.headers['x-ratelimit-limit']).toBe('100');
    if (i === 100) expect(r.headers['x-ratelimit-remaining']).toBe('0');
  }
  const r = await t.post('me');
  expect(r.status).toBe(429);
  expect(r.body).toMatchObject({ ok: false, error: 'rate_limited' });
  expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  expect(r.headers['x-ratelimit-limit']).toBe('100');
  expect(r.headers['x-ratelimit-remaining']).toBe('0');

  // another key has its own budget
  const other = (await t.db('api_keys').count({ n: '*' }))[0];
  expect(Number(other.n)).toBeGreaterThan(0);
});

test('another key keeps its own budget', async () => {
  // created through the service, since the first key is spent
  const { createApiKey } = await import('../../../src/services/core/api-keys');
  const k = await createApiKey(t.db, 'second', null);
  const r = await t.post('me', {}, { key: k.key });
  expect(r.status).toBe(200);
  expect(r.headers['x-ratelimit-remaining']).toBe('99');
});

import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await makeTestApp({ rateLimits: true, env: { RATE_LIMIT_STANDARD: '3' } });
  key = (await t.call('api_client_create', { name: 'limited', dialect: 'smartisp' })).data.key;
});
afterAll(async () => t.close());

test('SmartISP requests spend their own budget: 429 in SmartISP\'s shape when it is spent, process.php unaffected', async () => {
  const meta = () => request(t.app).get('/api/SmartIPS-v1/tickets/meta').set('X-Authorization', key);
  const remaining: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await meta();
    expect(r.status).toBe(200);
    remaining.push(Number(r.headers['x-ratelimit-remaining']));
  }
  expect(remaining).toEqual([2, 1, 0]);
  const over = await meta();
  expect(over.status).toBe(429);
  expect(over.body).toMatchObject({ status: false, success: false, error: 'rate_limited', message: expect.stringMatching(/at most 3/) });
  expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  // The process.php key counts in its own bucket.
  expect(await t.call('get_routers')).toMatchObject({ ok: true });
});

import { AppError } from '../../../src/errors';
import { defineTask } from '../../../src/jobs/queue';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { dropRedisPrefix, redisAvailable, TEST_REDIS_URL, uniqueRedisPrefix } from '../../helpers/redis';

// Tasks made for this test: one that counts to its input with progress, one that fails until its third try,
// and one that refuses its input (an AppError below 500 fails at once, without retries).
const tries = new Map<string, number>();
const count = defineTask({
  name: 'test.count',
  section: 'billing',
  async run(_ctx, data: { n: number }, progress) {
    for (let i = 1; i <= data.n; i++) await progress(i, data.n);
    return { counted: data.n };
  },
});
const flaky = defineTask({
  name: 'test.flaky',
  section: 'billing',
  attempts: 3,
  backoffMs: 5,
  async run(_ctx, data: { key: string }) {
    const n = (tries.get(data.key) ?? 0) + 1;
    tries.set(data.key, n);
    if (n < 3) throw new Error(`transient failure ${n}`);
    return { tries: n };
  },
});
const refuses = defineTask({
  name: 'test.refuses',
  section: 'billing',
  async run() {
    throw new AppError('invalid_month', 'That month cannot be generated.', 422);
  },
});

// One suite, both transports: in process (the embedded default) and BullMQ on the test Redis.
let haveRedis = false;
beforeAll(async () => {
  haveRedis = await redisAvailable();
  // eslint-disable-next-line no-console
  if (!haveRedis) console.warn(`jobs on BullMQ skipped: no Redis answers at ${TEST_REDIS_URL} (.ci/run starts one)`);
});

describe.each(['in-process', 'bullmq'] as const)('jobs on the %s transport', (transport) => {
  let t: TestApp;
  const prefix = uniqueRedisPrefix('jobs');
  const live = () => transport === 'in-process' || haveRedis;
  beforeAll(async () => {
    if (!live()) return;
    t = await makeTestApp({ tasks: [count, flaky, refuses], env: transport === 'bullmq' ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } : {} });
    expect(t.rt.jobs.transport.name).toBe(transport);
  });
  afterAll(async () => {
    await t?.close();
    if (transport === 'bullmq' && haveRedis) await dropRedisPrefix(prefix);
  });
  const test = (name: string, fn: () => Promise<void>) =>
    global.test(name, async () => {
      if (!live()) return;
      await fn();
    });


  test('a job runs to completion with its progress and result readable through job_status', async () => {
    const job = await t.ctx().jobs.enqueue('test.count', { n: 7 });
    expect(job.state).toMatch(/queued|running|completed/);
    const done = await t.ctx().jobs.wait(job.id, 10_000);
    expect(done).toMatchObject({ state: 'completed', progress: { done: 7, total: 7 }, result: { counted: 7 }, error: null, attempts: 1 });
    const body = await t.call('job_status', { id: job.id });
    expect(body).toMatchObject({ ok: true, data: { id: job.id, task: 'test.count', state: 'completed', progress: { done: 7, total: 7 }, result: { counted: 7 } } });
  });

  test('a failing job is retried with backoff and completes on its third try', async () => {
    const job = await t.ctx().jobs.enqueue('test.flaky', { key: `${transport}:a` });
    const done = await t.ctx().jobs.wait(job.id, 10_000);
    expect(done).toMatchObject({ state: 'completed', attempts: 3, result: { tries: 3 } });
    expect(tries.get(`${transport}:a`)).toBe(3);
  });

  test('a refusal fails the job at once with its code and message', async () => {
    const job = await t.ctx().jobs.enqueue('test.refuses', {});
    const done = await t.ctx().jobs.wait(job.id, 10_000);
    expect(done).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'invalid_month', message: 'That month cannot be generated.' } });
  });

  test('the same dedupe key while the job is active hands out the same job; once finished, a new one', async () => {
    const a = await t.ctx().jobs.enqueue('test.count', { n: 1 }, { dedupeKey: 'month:2026-11' });
    const b = await t.ctx().jobs.enqueue('test.count', { n: 1 }, { dedupeKey: 'month:2026-11' });
    // b is either the same job (a still active) or, if a already finished, a new one: never an error.
    await t.ctx().jobs.wait(a.id, 10_000);
    await t.ctx().jobs.wait(b.id, 10_000);
    const c = await t.ctx().jobs.enqueue('test.count', { n: 1 }, { dedupeKey: 'month:2026-11' });
    expect(c.id).not.toBe(a.id);
    expect((await t.ctx().jobs.wait(c.id, 10_000)).state).toBe('completed');
  });

  test('a job whose worker died (lease expired) is taken over by the sweep and run once more', async () => {
    const job = await t.ctx().jobs.enqueue('test.count', { n: 2 });
    await t.ctx().jobs.wait(job.id, 10_000);
    // Make it look like a worker claimed it and died: running with a lease in the past.
    await t.db('jobs').where({ id: job.id }).update({ state: 'running', lease_until: '2000-01-01 00:00:00', result: null, progress_done: 0 });
    expect(await t.rt.jobs.sweep()).toBeGreaterThanOrEqual(1);
    const done = await t.ctx().jobs.wait(job.id, 10_000);
    expect(done).toMatchObject({ state: 'completed', attempts: 2, result: { counted: 2 } });
  });

  test('job_status: a malformed id, an unknown id, and a caller without the task section', async () => {
    expect(await t.call('job_status', { id: 'nope' })).toMatchObject({ ok: false, error: 'invalid_id' });
    expect(await t.call('job_status', { id: '00000000-0000-0000-0000-000000000000' })).toMatchObject({ ok: false, error: 'job_not_found' });
    const job = await t.ctx().jobs.enqueue('test.count', { n: 1 });
    const admin = await t.call('add_web_admin', { username: 'netops', password: 'netops-password-1', role: 'operator', 'permissions[routers]': 'write', 'permissions[billing]': 'none' });
    expect(admin.ok).toBe(true);
    const key = await t.call('api_key_create', { name: 'netops key', admin: 'netops' });
    expect(key.ok).toBe(true);
    const r = await t.call('job_status', { id: job.id }, { key: key.data.key });
    expect(r).toMatchObject({ ok: false, error: 'forbidden' });
  });
});

import { closeRuntime, createRuntime } from '../../../src/app';
import { nowUtc } from '../../../src/db/knex';
import { createLogger } from '../../../src/logger';
import { deliverTask } from '../../../src/services/notifications/send';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeTelegram } from '../../fakes/telegram-server';

/**
 * A 10,000-subscriber announcement whose worker dies half-way (after 5,000 deliveries are recorded) and is picked
 * up by a fresh runtime on the same database: every subscriber gets the message exactly once.
 */
const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';
const N = 10_000;
let t: TestApp;
let tg: FakeTelegram;

beforeAll(async () => {
  tg = new FakeTelegram(TOKEN);
  await tg.listen();
  t = await makeTestApp({ env: { NOTIFY_TELEGRAM_RATE: '100000', NOTIFY_CONCURRENCY: '16', NOTIFY_SLICE_MS: '5000' } });
  const plan = (await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' })).data.id;
  const now = nowUtc();
  const rows = Array.from({ length: N }, (_, i) => ({ username: `sub${i}`, password: 'x', plan_id: plan, status: 'active', telegram_chat_id: String(700000 + i), created_at: now, updated_at: now }));
  for (let i = 0; i < rows.length; i += 500) await t.db('customers').insert(rows.slice(i, i + 500));
  await t.call('save_notification_settings', { telegram_bot_token: TOKEN, telegram_base_url: tg.url });
}, 120_000);
afterAll(async () => {
  await t.close();
  await tg.close();
});

test('interrupted half-way and resumed, each of 10,000 subscribers gets the announcement once', async () => {
  // The first "process" never picks the job up by itself: its queue is stopped, and the test plays its worker.
  await t.rt.jobs.stop();
  const sent = await t.call('send_notification', { segment: 'all', channel: 'telegram', text: 'Planned maintenance tonight 02:00-04:00' });
  expect(sent.data).toMatchObject({ recipients: N, deliveries: { queued: N } });
  const id = sent.data.id;

  const killed = new Error('worker killed');
  // Its worker runs slice after slice (each hands over to a new job, left queued here) until it dies.
  const worker = async () => {
    for (;;)
      await deliverTask.run(t.ctx(), { notification_id: id }, async (done) => {
        if (done >= N / 2) throw killed;
      });
  };
  await expect(worker()).rejects.toBe(killed);
  const half = tg.messages.length;
  expect(half).toBeGreaterThanOrEqual(N / 2);
  expect(half).toBeLessThan(N);
  expect(await t.db('notification_deliveries').where({ notification_id: id, state: 'queued' }).count({ n: '*' }).then((r) => Number(r[0].n))).toBe(N - half);

  // A new process on the same database: its sweep finds the queued job and finishes it.
  const rt2 = createRuntime(t.config, { log: createLogger({ level: 'error', json: true, sink: () => undefined }) });
  try {
    expect(await rt2.jobs.sweep()).toBeGreaterThanOrEqual(1);
    const job = await rt2.jobs.wait(rt2.db, sent.data.job_id, 240_000);
    expect(job.state).toBe('completed');
    // A delivery job works for a slice of time and hands the rest to a new job: wait for the notification itself.
    const deadline = Date.now() + 240_000;
    while ((await t.db('notifications').where({ id }).first()).status !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await closeRuntime(rt2);
  }

  expect(tg.messages).toHaveLength(N);
  const perChat = new Map<string, number>();
  for (const m of tg.messages) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
  expect(perChat.size).toBe(N);
  expect([...perChat.values()].every((c) => c === 1)).toBe(true);
  const states: Array<{ state: string; n: number | string }> = await t.db('notification_deliveries').where({ notification_id: id }).select('state').count({ n: '*' }).groupBy('state');
  expect(states.map((s) => [s.state, Number(s.n)])).toEqual([['sent', N]]);
  expect((await t.db('notifications').where({ id }).first()).status).toBe('completed');
}, 300_000);

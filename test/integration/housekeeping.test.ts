import { nowUtc } from '../../src/db/knex';
import { emit } from '../../src/events/outbox';
import { housekeepingJob } from '../../src/jobs/housekeeping';
import { makeTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

test('expired sessions and old finished deliveries go; live sessions, pending and recent deliveries stay', async () => {
  const admin = await t.db('admins').first();
  const day = 24 * 3600_000;
  const base = { admin_id: admin.id, csrf_hash: 'x', created_at: nowUtc() };
  await t.db('sessions').insert([
    { ...base, token_hash: 'expired', expires_at: nowUtc(new Date(Date.now() - 1000)) },
    { ...base, token_hash: 'live', expires_at: nowUtc(new Date(Date.now() + day)) },
  ]);
  const hook = await t.call('webhook_create', { url: 'http://127.0.0.1:9/h', events: ['invoice.paid'] });
  for (let i = 0; i < 3; i++) await t.db.transaction((trx) => emit(trx, 'invoice.paid', { i }));
  const [oldDelivered, oldPending, recentDelivered] = await t.db('webhook_deliveries').where({ webhook_id: hook.data.id }).orderBy('id');
  const long = nowUtc(new Date(Date.now() - 40 * day));
  await t.db('webhook_deliveries').where({ id: oldDelivered.id }).update({ status: 'delivered', created_at: long });
  await t.db('webhook_attempts').insert({ delivery_id: oldDelivered.id, status_code: 200, duration_ms: 3, attempted_at: long });
  await t.db('webhook_deliveries').where({ id: oldPending.id }).update({ created_at: long });
  await t.db('webhook_deliveries').where({ id: recentDelivered.id }).update({ status: 'delivered' });
  await t.db('outbox_events').update({ created_at: long });

  const r = await housekeepingJob(30).run(t.ctx());
  expect(r).toEqual({ sessions: 1, deliveries: 1, events: 1 });
  expect((await t.db('sessions').select('token_hash')).map((s) => s.token_hash)).toEqual(['live']);
  expect((await t.db('webhook_deliveries').orderBy('id')).map((d) => d.id)).toEqual([oldPending.id, recentDelivered.id]);
  expect(await t.db('webhook_attempts').where({ delivery_id: oldDelivered.id })).toHaveLength(0);
  expect(await t.db('outbox_events').count({ n: '*' }).then((x) => Number(x[0].n))).toBe(2);
});

test('more old deliveries than SQLite has bound variables (32,766) are cleared, in chunks', async () => {
  const hook = await t.call('webhook_create', { url: 'http://127.0.0.1:9/many', events: ['invoice.generated'] });
  const long = nowUtc(new Date(Date.now() - 40 * 24 * 3600_000));
  const [outboxId] = await t.db('outbox_events').insert({ event_id: 'many-1', event: 'invoice.generated', payload: '{}', created_at: nowUtc() });
  const n = 33_000;
  const rows = Array.from({ length: n }, () => ({ outbox_id: Number(outboxId), webhook_id: hook.data.id, status: 'delivered', next_attempt_at: long, created_at: long }));
  await t.db.batchInsert('webhook_deliveries', rows, 400);
  const r = (await housekeepingJob(30).run(t.ctx())) as { deliveries: number };
  expect(r.deliveries).toBe(n);
  expect(await t.db('webhook_deliveries').where({ webhook_id: hook.data.id }).count({ n: '*' }).then((x) => Number(x[0].n))).toBe(0);
});

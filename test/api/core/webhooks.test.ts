import crypto from 'node:crypto';
import { emit } from '../../../src/events/outbox';
import { WebhookWorker } from '../../../src/events/webhook-worker';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { startReceiver } from '../../fakes/webhook-receiver';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

const hmac = (secret: string, body: string) => crypto.createHmac('sha256', secret).update(body).digest('hex');

test('an event is delivered signed, redelivered after the receiver fails once, and every attempt is recorded', async () => {
  const rx = await startReceiver([500]);
  try {
    const hook = await t.call('webhook_create', { url: rx.url, events: ['invoice.paid'] });
    expect(hook.data.secret).toMatch(/^whsec_/);
    await t.db.transaction((trx) => emit(trx, 'invoice.paid', { invoice_id: 42, amount_cents: 2480 }));

    const first = await t.rt.webhooks.runOnce(t.db);
    expect(first).toEqual({ delivered: 0, failed: 1 });
    await new Promise((r) => setTimeout(r, 5));
    const second = await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 1000));
    expect(second).toEqual({ delivered: 1, failed: 0 });

    expect(rx.received).toHaveLength(2);
    const [a, b] = rx.received;
    expect(a.body).toBe(b.body);
    expect(a.headers['x-event-id']).toBe(b.headers['x-event-id']);
    expect(b.headers['x-signature']).toBe(hmac(hook.data.secret, b.body));
    expect(b.headers['x-signature']).not.toBe(hmac('wrong', b.body));
    const payload = JSON.parse(b.body);
    expect(payload).toMatchObject({ event: 'invoice.paid', data: { invoice_id: 42, amount_cents: 2480 } });
    expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp);

    const d = await t.db('webhook_deliveries').where({ webhook_id: hook.data.id }).first();
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200 });
    const attempts = await t.db('webhook_attempts').where({ delivery_id: d.id }).orderBy('id');
    expect(attempts.map((x) => x.status_code)).toEqual([500, 200]);

    // nothing is sent twice
    expect(await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000))).toEqual({ delivered: 0, failed: 0 });
    expect(rx.received).toHaveLength(2);
  } finally {
    await rx.close();
  }
});

test('an event emitted in a rolled-back transaction is never sent', async () => {
  const rx = await startReceiver();
  try {
    await t.call('webhook_create', { url: rx.url, events: ['customer.created'] });
    await expect(
      t.db.transaction(async (trx) => {
        await emit(trx, 'customer.created', { id: 1 });
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000));
    expect(rx.received).toHaveLength(0);
    expect(await t.db('outbox_events').where({ event: 'customer.created' })).toHaveLength(0);
  } finally {
    await rx.close();
  }
});

test('events go only to subscribers; webhook_test sends now; list hides the secret; delete', async () => {
  const rx = await startReceiver();
  try {
    const hook = await t.call('webhook_create', { url: rx.url, events: ['ticket.created'] });
    await t.db.transaction((trx) => emit(trx, 'router.offline', { router_id: 1 }));
    await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000));
    expect(rx.received).toHaveLength(0);
    const test = await t.call('webhook_test', { id: hook.data.id });
    expect(test.data).toMatchObject({ delivered: true, status_code: 200 });
    expect(rx.received).toHaveLength(1);
    expect(JSON.parse(rx.received[0].body).event).toBe('webhook.test');
    expect(rx.received[0].headers['x-signature']).toBe(hmac(hook.data.secret, rx.received[0].body));
    const list = await t.call('webhook_list');
    expect(JSON.stringify(list)).not.toContain(hook.data.secret);
    expect(list.data.find((w: { id: number }) => w.id === hook.data.id).deliveries.delivered).toBe(1);
    expect(await t.call('webhook_create', { url: 'ftp://x', events: ['ticket.created'] })).toMatchObject({ ok: false, error: 'invalid_url' });
    expect(await t.call('webhook_create', { url: rx.url, events: ['nope.event'] })).toMatchObject({ ok: false, error: 'invalid_events' });
    expect(await t.call('webhook_delete', { id: hook.data.id })).toMatchObject({ ok: true });
    expect(await t.call('webhook_delete', { id: hook.data.id })).toMatchObject({ ok: false, error: 'not_found' });
  } finally {
    await rx.close();
  }
});

test('a dead receiver is retried with backoff and finally marked dead', async () => {
  const hook = await t.call('webhook_create', { url: 'http://127.0.0.1:9/closed', events: ['payment.failed'] });
  await t.db.transaction((trx) => emit(trx, 'payment.failed', { invoice_id: 1 }));
  let at = Date.now();
  for (let i = 0; i < t.config.WEBHOOK_MAX_ATTEMPTS; i++) {
    at += 3600_000 * 7;
    await t.rt.webhooks.runOnce(t.db, new Date(at));
  }
  const d = await t.db('webhook_deliveries').where({ webhook_id: hook.data.id }).first();
  expect(d.status).toBe('dead');
  expect(d.attempts).toBe(t.config.WEBHOOK_MAX_ATTEMPTS);
});

test('two workers polling at once send a delivery only once', async () => {
  const rx = await startReceiver();
  try {
    await t.call('webhook_create', { url: rx.url, events: ['einvoice.submitted'] });
    await t.db.transaction((trx) => emit(trx, 'einvoice.submitted', { invoice_id: 7 }));
    const other = new WebhookWorker(t.rt.secrets, t.rt.log, { retryBaseMs: 1, maxAttempts: 3, timeoutMs: 3000 });
    const at = new Date(Date.now() + 60_000);
    // Both read the due row before either claims it.
    const [a, b] = await Promise.all([t.rt.webhooks.runOnce(t.db, at), other.runOnce(t.db, at)]);
    expect(a.delivered + b.delivered).toBe(1);
    expect(rx.received.filter((r) => JSON.parse(r.body).event === 'einvoice.submitted')).toHaveLength(1);
  } finally {
    await rx.close();
  }
});

test('a receiver that hangs does not hold up the others', async () => {
  const http = await import('node:http');
  let release!: () => void;
  const fastGotIt = new Promise<void>((r) => (release = r));
  const slow = http.createServer((req, res) => {
    req.resume();
    // answers only once the other receiver has had its event: with one delivery at a time this would time out
    void fastGotIt.then(() => res.end('ok'));
  });
  const fast = http.createServer((req, res) => {
    req.resume();
    release();
    res.end('ok');
  });
  await Promise.all([new Promise<void>((r) => slow.listen(0, '127.0.0.1', r)), new Promise<void>((r) => fast.listen(0, '127.0.0.1', r))]);
  try {
    const url = (s: typeof slow) => `http://127.0.0.1:${(s.address() as { port: number }).port}/h`;
    // the slow one is created first, so its delivery comes first in id order
    const a = await t.call('webhook_create', { url: url(slow), events: ['ticket.created'] });
    const b = await t.call('webhook_create', { url: url(fast), events: ['ticket.created'] });
    await t.db.transaction((trx) => emit(trx, 'ticket.created', { id: 7 }));
    const r = await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000));
    expect(r).toEqual({ delivered: 2, failed: 0 });
    for (const id of [a.data.id, b.data.id]) expect((await t.db('webhook_deliveries').where({ webhook_id: id }).first()).status).toBe('delivered');
  } finally {
    slow.closeAllConnections();
    await Promise.all([new Promise((r) => slow.close(r)), new Promise((r) => fast.close(r))]);
  }
});

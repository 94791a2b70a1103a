/** The reads and writes the operator panel's dashboard, webhook log and branding need: list_events, webhook_deliveries, webhook_redeliver, theme_color. */
import { emit } from '../../../src/events/outbox';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { startReceiver } from '../../fakes/webhook-receiver';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ env: { WEBHOOK_MAX_ATTEMPTS: '2' } });
});
afterAll(async () => t?.close());

async function keyFor(username: string, role: string) {
  expect((await t.call('add_web_admin', { username, password: `${username}-password-1`, role })).ok).toBe(true);
  return (await t.call('api_key_create', { name: username, admin: username })).data.key as string;
}

describe('list_events', () => {
  beforeAll(async () => {
    await t.db.transaction(async (trx) => {
      await emit(trx, 'customer.created', { id: 7, username: 'maria', password: 'pppoe-secret', custom_fields: { api_token: 'tok-123', floor: '2' } });
      await emit(trx, 'invoice.generated', { invoice_id: 1, customer_id: 7, total_cents: 2480 });
      await emit(trx, 'invoice.paid', { invoice_id: 1, customer_id: 7, amount_cents: 2480 });
      await emit(trx, 'ticket.created', { id: 3, subject: 'No internet' });
      await emit(trx, 'payment.failed', { invoice_id: 1, decline_code: 'card_declined' });
    });
  });

  test('newest first, paged, with the data of each event and secrets redacted', async () => {
    const r = await t.call('list_events', { per_page: 2 });
    expect(r.ok).toBe(true);
    expect(r.meta).toMatchObject({ current_page: 1, per_page: 2, total: 5, last_page: 3 });
    expect(r.data.map((e: any) => e.event)).toEqual(['payment.failed', 'ticket.created']);
    expect(r.data[0]).toMatchObject({ section: 'payments', data: { invoice_id: 1, decline_code: 'card_declined' }, event_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(r.data[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const last = await t.call('list_events', { per_page: 2, page: 3 }, { method: 'GET' });
    expect(last.data).toHaveLength(1);
    expect(last.data[0]).toMatchObject({ event: 'customer.created', section: 'customers', data: { id: 7, username: 'maria', password: '[redacted]', custom_fields: { api_token: '[redacted]', floor: '2' } } });
    expect(JSON.stringify(last)).not.toMatch(/pppoe-secret|tok-123/);
    // the outbox row itself is untouched (the webhook receiver gets what was emitted)
    const row = await t.db('outbox_events').where({ event: 'customer.created' }).first();
    expect(JSON.parse(row.payload).data.password).toBe('pppoe-secret');
  });

  test('filters by type prefix or exact name', async () => {
    expect((await t.call('list_events', { type: 'invoice' })).data.map((e: any) => e.event)).toEqual(['invoice.paid', 'invoice.generated']);
    expect((await t.call('list_events', { type: 'invoice.' })).meta.total).toBe(2);
    expect((await t.call('list_events', { type: 'invoice.paid' })).data.map((e: any) => e.event)).toEqual(['invoice.paid']);
    // a prefix is a whole word: "invoice" does not match an "invoices_x." event
    expect((await t.call('list_events', { type: 'invoic' })).meta.total).toBe(0);
  });

  test('an admin sees only the events of sections they may read', async () => {
    const support = await keyFor('ev_support', 'support'); // customers.read, tickets.write; no billing, payments, webhooks
    const seen = await t.call('list_events', {}, { key: support });
    expect(seen.data.map((e: any) => e.event)).toEqual(['ticket.created', 'customer.created']);
    expect(seen.meta.total).toBe(2);
    expect((await t.call('list_events', { type: 'invoice' }, { key: support })).meta.total).toBe(0);
    const billing = await keyFor('ev_billing', 'billing');
    expect((await t.call('list_events', {}, { key: billing })).data.map((e: any) => e.event)).toEqual(['payment.failed', 'invoice.paid', 'invoice.generated', 'customer.created']);
  });

  test('bad input is refused', async () => {
    expect(await t.call('list_events', { type: "invoice'; drop table outbox_events" })).toMatchObject({ ok: false, details: { type: expect.any(String) } });
    expect(await t.call('list_events', { type: 'INVOICE%' })).toMatchObject({ ok: false, details: { type: expect.any(String) } });
    expect(await t.call('list_events', { page: '0' })).toMatchObject({ ok: false, details: { page: expect.any(String) } });
    expect(await t.call('list_events', {}, { key: null })).toMatchObject({ ok: false, error: 'unauthorized' });
  });
});

describe('webhook_deliveries and webhook_redeliver', () => {
  test('the log shows status, attempts, last code and error; a dead delivery is redelivered once and then sent', async () => {
    const rx = await startReceiver([500, 503]);
    try {
      const hook = (await t.call('webhook_create', { url: rx.url, events: ['router.offline', 'router.online'] })).data;
      await t.db.transaction((trx) => emit(trx, 'router.offline', { router_id: 1 }));
      await t.rt.webhooks.runOnce(t.db);
      const pending = await t.call('webhook_deliveries', { id: hook.id });
      expect(pending.meta).toMatchObject({ total: 1 });
      expect(pending.data[0]).toMatchObject({ webhook_id: hook.id, event: 'router.offline', status: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500', delivered_at: null });
      expect(pending.data[0].next_attempt_at).toEqual(expect.any(String));
      expect(pending.data[0].last_attempt_at).toEqual(expect.any(String));

      await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000));
      const dead = (await t.call('webhook_deliveries', { id: hook.id, status: 'dead' }, { method: 'GET' })).data;
      expect(dead).toEqual([expect.objectContaining({ status: 'dead', attempts: 2, last_status_code: 503, next_attempt_at: null })]);
      expect(rx.received).toHaveLength(2);

      const r = await t.call('webhook_redeliver', { delivery_id: dead[0].id });
      expect(r).toMatchObject({ ok: true, data: { redelivered: 1, id: dead[0].id } });
      expect(await t.db('webhook_deliveries').where({ id: dead[0].id }).first()).toMatchObject({ status: 'pending', attempts: 0 });
      // a second click finds it no longer dead
      expect(await t.call('webhook_redeliver', { delivery_id: dead[0].id })).toMatchObject({ ok: false, error: 'delivery_not_dead' });

      await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000));
      expect(rx.received).toHaveLength(3);
      const log = (await t.call('webhook_deliveries', { id: hook.id })).data;
      expect(log[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null });
      expect(await t.db('webhook_attempts').where({ delivery_id: dead[0].id })).toHaveLength(3);
      // Each attempt as it went, newest first: the redelivered success, then the two failures before it.
      expect(log[0].history.map((a: any) => [a.status_code, a.error])).toEqual([[200, null], [503, 'HTTP 503'], [500, 'HTTP 500']]);
      for (const a of log[0].history) {
        expect(a.attempted_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        expect(a.duration_ms).toBeGreaterThanOrEqual(0);
      }
      expect(pending.data[0].history).toEqual([expect.objectContaining({ status_code: 500, error: 'HTTP 500' })]);
    } finally {
      await rx.close();
    }
  });

  test('every dead delivery of a webhook at once; an inactive webhook is not redelivered', async () => {
    const rx = await startReceiver([500, 500, 500, 500]);
    try {
      const hook = (await t.call('webhook_create', { url: rx.url, events: ['router.online'] })).data;
      await t.db.transaction(async (trx) => {
        await emit(trx, 'router.online', { router_id: 1 });
        await emit(trx, 'router.online', { router_id: 2 });
      });
      await t.rt.webhooks.runOnce(t.db);
      await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000));
      expect(await t.db('webhook_deliveries').where({ webhook_id: hook.id, status: 'dead' })).toHaveLength(2);
      expect(await t.call('webhook_redeliver', { webhook_id: hook.id })).toMatchObject({ ok: true, data: { redelivered: 2 } });
      expect(await t.db('webhook_deliveries').where({ webhook_id: hook.id, status: 'pending', attempts: 0 })).toHaveLength(2);

      await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 60_000));
      await t.rt.webhooks.runOnce(t.db, new Date(Date.now() + 120_000));
      await t.db('webhooks').where({ id: hook.id }).update({ active: false });
      const d = await t.db('webhook_deliveries').where({ webhook_id: hook.id }).first();
      expect(await t.call('webhook_redeliver', { delivery_id: d.id })).toMatchObject({ ok: false, error: 'webhook_inactive' });
    } finally {
      await rx.close();
    }
  });

  test('bad input and rights', async () => {
    expect(await t.call('webhook_deliveries', { id: 999999 })).toMatchObject({ ok: false, error: 'not_found' });
    expect(await t.call('webhook_deliveries', { id: 'abc' })).toMatchObject({ ok: false, details: { id: expect.any(String) } });
    expect(await t.call('webhook_deliveries', { id: 1, status: 'lost' })).toMatchObject({ ok: false, details: { status: expect.any(String) } });
    expect(await t.call('webhook_redeliver', {})).toMatchObject({ ok: false, error: 'missing_delivery_id' });
    expect(await t.call('webhook_redeliver', { delivery_id: 999999 })).toMatchObject({ ok: false, error: 'delivery_not_found' });
    expect(await t.call('webhook_redeliver', { webhook_id: 999999 })).toMatchObject({ ok: false, error: 'not_found' });
    const readonly = await keyFor('wh_readonly', 'readonly');
    const hook = await t.db('webhooks').first('id');
    expect((await t.call('webhook_deliveries', { id: hook.id }, { key: readonly })).ok).toBe(true);
    expect(await t.call('webhook_redeliver', { webhook_id: hook.id }, { key: readonly })).toMatchObject({ ok: false, error: 'forbidden' });
  });
});

describe('theme_color in the general settings', () => {
  test('save_settings stores #rrggbb (lower-cased), get_settings returns it, "" clears it', async () => {
    expect((await t.call('get_settings')).data.theme_color).toBeNull();
    expect(await t.call('save_settings', { theme_color: '#0F766E' })).toMatchObject({ ok: true, data: { theme_color: '#0f766e' } });
    expect((await t.call('get_settings', {}, { method: 'GET' })).data.theme_color).toBe('#0f766e');
    expect(JSON.parse((await t.db('settings').where({ key: 'general.theme_color' }).first()).value)).toBe('#0f766e');
    expect(await t.call('save_settings', { company_name: 'Acme' })).toMatchObject({ ok: true, data: { theme_color: '#0f766e' } });
    expect(await t.call('save_settings', { theme_color: '' })).toMatchObject({ ok: true, data: { theme_color: null } });
  });

  test('anything but #rrggbb is refused and nothing is written', async () => {
    await t.call('save_settings', { theme_color: '#123456' });
    for (const bad of ['red', '#fff', '#12345g', '123456', '#1234567', 'url(javascript:x)']) {
      expect(await t.call('save_settings', { theme_color: bad, company_name: 'Changed' })).toMatchObject({ ok: false, details: { theme_color: expect.any(String) } });
    }
    expect((await t.call('get_settings')).data).toMatchObject({ theme_color: '#123456', company_name: 'Acme' });
  });
});

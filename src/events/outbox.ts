import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { nowUtc, parseJson } from '../db/knex';

/** The contract's event names; later issues emit these (plus webhook.test). */
export const EVENTS = [
  'customer.created', 'customer.suspended', 'customer.unsuspended', 'customer.deleted', 'invoice.generated', 'invoice.paid',
  'payment.failed', 'ticket.created', 'router.offline', 'einvoice.submitted',
  'invoice.voided',
  'ticket.updated',
  'router.online',
] as const;
export type EventName = (typeof EVENTS)[number] | 'webhook.test';

const BATCH = 1000;

async function subscribers(trx: Knex | Knex.Transaction, event: EventName, onlyWebhookId?: number): Promise<number[]> {
  const hooks = await trx('webhooks').where({ active: true }).select('id', 'events');
  return hooks
    .filter((h) => {
      if (onlyWebhookId !== undefined) return h.id === onlyWebhookId;
      const evs = parseJson<string[]>(h.events, []);
      return evs.includes(event) || evs.includes('*');
    })
    .map((h) => Number(h.id));
}

/**
 * Writes events to the outbox and queues one delivery per subscribed webhook, inside the caller's
 * transaction: a rolled-back transaction leaves no event behind, a committed one is delivered by the worker.
 * Many events of one name go in bulk (one webhook lookup, batched inserts): month generation emits one per invoice.
 * Returns the event ids in the order of `items`.
 */
export async function emitMany(trx: Knex | Knex.Transaction, event: EventName, items: unknown[], opts: { onlyWebhookId?: number } = {}): Promise<string[]> {
  if (items.length === 0) return [];
  const now = nowUtc();
  const timestamp = new Date().toISOString();
  const rows = items.map((data) => ({ event_id: crypto.randomUUID(), event, payload: JSON.stringify({ event, timestamp, data }), created_at: now }));
  for (let i = 0; i < rows.length; i += BATCH) await trx('outbox_events').insert(rows.slice(i, i + BATCH));
  const targets = await subscribers(trx, event, opts.onlyWebhookId);
  if (targets.length) {
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH).map((r) => r.event_id);
      const ids = (await trx('outbox_events').whereIn('event_id', chunk).select('id')).map((r) => Number(r.id));
      const deliveries = ids.flatMap((oid) => targets.map((webhookId) => ({ outbox_id: oid, webhook_id: webhookId, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now })));
      for (let j = 0; j < deliveries.length; j += BATCH) await trx('webhook_deliveries').insert(deliveries.slice(j, j + BATCH));
    }
  }
  return rows.map((r) => r.event_id);
}

/** One event; see emitMany. */
export async function emit(trx: Knex | Knex.Transaction, event: EventName, data: unknown, opts: { onlyWebhookId?: number } = {}): Promise<string> {
  const [id] = await emitMany(trx, event, [data], opts);
  return id;
}

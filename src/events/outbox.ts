import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { nowUtc, parseJson } from '../db/knex';

/** The contract's event names; later issues emit these (plus webhook.test). */
export const EVENTS = [
  'customer.created', 'customer.suspended', 'customer.unsuspended', 'customer.deleted', 'invoice.generated', 'invoice.paid',
  'payment.failed', 'ticket.created', 'router.offline', 'einvoice.submitted',
] as const;
export type EventName = (typeof EVENTS)[number] | 'webhook.test';

/**
 * Writes the event to the outbox and queues one delivery per subscribed webhook, inside the caller's
 * transaction: a rolled-back transaction leaves no event behind, a committed one is delivered by the worker.
 */
export async function emit(trx: Knex | Knex.Transaction, event: EventName, data: unknown, opts: { onlyWebhookId?: number } = {}): Promise<string> {
  const eventId = crypto.randomUUID();
  const now = nowUtc();
  const payload = JSON.stringify({ event, timestamp: new Date().toISOString(), data });
  const [outboxId] = await trx('outbox_events').insert({ event_id: eventId, event, payload, created_at: now });
  const hooks = await trx('webhooks').where({ active: true }).select('id', 'events');
  const targets = hooks.filter((h) => {
    if (opts.onlyWebhookId !== undefined) return h.id === opts.onlyWebhookId;
    const evs = parseJson<string[]>(h.events, []);
    return evs.includes(event) || evs.includes('*');
  });
  const oid = Number(outboxId ?? (await trx('outbox_events').where({ event_id: eventId }).first('id'))?.id);
  if (targets.length) {
    await trx('webhook_deliveries').insert(
      targets.map((h) => ({ outbox_id: oid, webhook_id: h.id, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now })),
    );
  }
  return eventId;
}

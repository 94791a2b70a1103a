/**
 * ISPBills webhooks are ispgate webhooks (table `webhooks`, dialect 'ispbills'): the subscription is kept under
 * ispgate's event names so the outbox fans out to it as to any other, and at delivery the worker asks this file
 * for ISPBills' event name and payload `{event, timestamp, data}`. The body is signed with X-Signature
 * (HMAC-SHA256, hex) by the worker, as for every webhook.
 */
import type { Knex } from 'knex';
import { parseJson, toIso } from '../../../db/knex';
import { registerDialectPayload } from '../../../events/webhook-worker';
import { customerV2 } from './shapes';

export const ISPBILLS_EVENTS = {
  'customer.created': 'customer.created',
  'customer.suspended': 'customer.suspended',
  'customer.activated': 'customer.unsuspended',
  'payment.received': 'invoice.paid',
  'bill.generated': 'invoice.generated',
  'complaint.created': 'ticket.created',
} as const;
export type IspbillsEvent = keyof typeof ISPBILLS_EVENTS;

const TO_ISPBILLS: Record<string, IspbillsEvent> = Object.fromEntries(Object.entries(ISPBILLS_EVENTS).map(([k, v]) => [v, k as IspbillsEvent]));

export const isIspbillsEvent = (e: string): e is IspbillsEvent => Object.hasOwn(ISPBILLS_EVENTS, e);
export const toOwnEvents = (events: IspbillsEvent[]) => events.map((e) => ISPBILLS_EVENTS[e]);
export const toIspbillsEvents = (events: string[]) => events.map((e) => TO_ISPBILLS[e]).filter(Boolean);

export function webhookOf(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    url: r.url,
    events: toIspbillsEvents(parseJson<string[]>(r.events, [])),
    active: Boolean(r.active),
    created_at: toIso(r.created_at),
    updated_at: toIso(r.updated_at),
  };
}

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function dataFor(db: Knex, own: string, d: Rec): Promise<Rec> {
  switch (own) {
    case 'customer.created':
    case 'customer.suspended':
    case 'customer.unsuspended':
      return { ...customerV2(d), ...(own === 'customer.created' ? {} : { reason: d.reason ?? null }) };
    case 'invoice.paid': {
      const inv = await db('invoices').where({ id: d.invoice_id }).first('currency');
      const pay = await db('payments').where({ invoice_id: d.invoice_id }).orderBy('id', 'desc').first('id', 'reference', 'method');
      return {
        customer_id: d.customer_id,
        bill_id: d.invoice_id,
        payment_id: pay ? Number(pay.id) : null,
        amount: Number(d.amount_cents) / 100,
        currency: inv?.currency ?? null,
        method: d.method ?? pay?.method ?? null,
        transaction_id: pay?.reference ?? d.invoice_no ?? null,
      };
    }
    case 'invoice.generated': {
      const inv = await db('invoices').where({ id: d.invoice_id }).first('currency', 'due_date', 'status');
      return {
        id: d.invoice_id,
        customer_id: d.customer_id,
        invoice_no: d.invoice_no,
        amount: Number(d.total_cents) / 100,
        currency: inv?.currency ?? null,
        status: inv?.status ?? 'unpaid',
        due_date: inv ? String(inv.due_date).slice(0, 10) : null,
        period: d.period ?? null,
      };
    }
    case 'ticket.created':
      return { id: d.id, customer_id: d.customer?.id ?? null, subject: d.subject, status: d.status, priority: d.priority, category: d.category ?? null, created_at: d.created_at };
    default:
      return d;
  }
}

registerDialectPayload('ispbills', async (db, event, payload) => {
  const p = parseJson<{ event: string; timestamp: string; data: Rec }>(payload, { event, timestamp: new Date().toISOString(), data: {} });
  const name = TO_ISPBILLS[event] ?? event;
  // Whole seconds, as ISPBills writes its timestamps ("2026-03-15T10:30:00Z").
  const timestamp = new Date(p.timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { event: name, body: JSON.stringify({ event: name, timestamp, data: await dataFor(db, event, p.data ?? {}) }) };
});

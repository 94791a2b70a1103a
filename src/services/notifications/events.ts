/**
 * Automatic notices: billing, subscriber and ticket events in the outbox are turned into notifications with the
 * template the operator enabled for them (save_notification_template enabled=1), in the company's language, to the
 * subscriber's preferred channels. A cursor in the settings remembers the last event read; it is moved before the
 * notice is queued, so a crash in between loses one notice rather than sending it twice.
 */
import { getSettings, putSettings } from '../core/settings';
import { formatRf } from '../../domain/rf-code';
import type { ServiceContext } from '../context';
import type { Job } from '../../jobs/job';
import { parseJson } from '../../db/knex';
import { money } from '../../adapters/pdf/invoice-pdf';
import { branding } from './settings';
import { resumeNotifications, sendNotification } from './send';
import { getTemplate } from './templates';

const BY_EVENT: Record<string, string> = {
  'invoice.generated': 'invoice_issued',
  'invoice.paid': 'payment_received',
  'payment.failed': 'payment_failed',
  'customer.suspended': 'suspension',
  'customer.unsuspended': 'reactivation',
  'ticket.updated': 'ticket_reply',
};

async function invoiceVars(ctx: ServiceContext, invoiceId: number) {
  const inv = await ctx.db('invoices').where({ id: invoiceId }).first();
  if (!inv) return null;
  return {
    invoice_id: inv.id,
    invoice_number: `${inv.series}-${inv.number}`,
    amount: money(Number(inv.total_cents), inv.currency ?? 'EUR'),
    due_date: String(inv.due_date).slice(0, 10),
    rf_code: inv.rf_code ? formatRf(inv.rf_code) : '',
    customer_id: inv.customer_id,
  };
}

/** What one event becomes: the subscriber, the template and its variables; null when it is not a notice. */
async function noticeFor(ctx: ServiceContext, event: string, data: Record<string, any>) {
  const template = BY_EVENT[event];
  if (!template) return null;
  let customerId: number | null = null;
  let vars: Record<string, string> = {};
  let invoiceId: number | undefined;
  if (event.startsWith('invoice.') || event === 'payment.failed') {
    const v = await invoiceVars(ctx, Number(data.invoice_id));
    if (!v) return null;
    customerId = Number(v.customer_id);
    invoiceId = Number(v.invoice_id);
    vars = { invoice_number: v.invoice_number, amount: event === 'invoice.generated' ? v.amount : data.amount_cents ? money(Number(data.amount_cents)) : v.amount, due_date: v.due_date, rf_code: v.rf_code };
  } else if (event.startsWith('customer.')) {
    customerId = Number(data.id);
    vars = { username: String(data.username ?? ''), reason: String(data.reason ?? '') };
  } else if (event === 'ticket.updated') {
    const reply = (data.changes ?? []).find((c: any) => c.field === 'reply');
    if (!reply || !data.customer?.id) return null;
    const msg = await ctx.db('ticket_messages').where({ id: Number(reply.to) }).first('body');
    if (!msg) return null;
    customerId = Number(data.customer.id);
    vars = { ticket_id: String(data.id), ticket_subject: String(data.subject ?? ''), reply: String(msg.body) };
  }
  if (!customerId) return null;
  const c = await ctx.db('customers').where({ id: customerId }).first('username');
  return c ? { template, username: String(c.username), vars, invoiceId } : null;
}

export async function processEvents(ctx: ServiceContext, limit = 500) {
  const s = await getSettings(ctx.db, 'notifications');
  let cursor = Number(s.event_cursor ?? NaN);
  if (!Number.isFinite(cursor)) {
    // The first run starts from now: enabling notices must not mail everyone about last year's invoices.
    const max = await ctx.db('outbox_events').max({ m: 'id' }).first();
    await putSettings(ctx.db, 'notifications', { event_cursor: Number(max?.m ?? 0) });
    return { processed: 0, queued: 0 };
  }
  const brand = await branding(ctx);
  const events = await ctx.db('outbox_events').where('id', '>', cursor).whereIn('event', Object.keys(BY_EVENT)).orderBy('id').limit(limit);
  let queued = 0;
  for (const e of events) {
    cursor = Number(e.id);
    await putSettings(ctx.db, 'notifications', { event_cursor: cursor });
    const data = parseJson<{ data?: Record<string, any> }>(e.payload, {}).data ?? {};
    try {
      const n = await noticeFor(ctx, e.event, data);
      if (!n) continue;
      const t = await getTemplate(ctx.db, n.template, brand.language);
      if (!t?.enabled) continue;
      await sendNotification(ctx, { target: { kind: 'customer', username: n.username }, channel: 'all', template: n.template, language: brand.language, variables: n.vars, invoice_id: n.invoiceId });
      queued++;
    } catch (err) {
      ctx.log.warn('automatic notification not sent', { event: e.event, event_id: e.event_id, err: String((err as Error)?.message ?? err) });
    }
  }
  return { processed: events.length, queued };
}

/** Every 15 s: turn new events into notices, and give due deliveries (retries, left-over work) a job. */
export const notificationEventsJob: Job = {
  name: 'notifications.tick',
  everyMs: 15_000,
  async run(ctx) {
    const events = await processEvents(ctx);
    return { ...events, resumed: await resumeNotifications(ctx) };
  },
};

/**
 * Invoice reminders: before the due date (payment_reminder), after it (overdue_reminder) and before billing's
 * dunning suspends the subscriber (suspension_warning), on the days save_notification_settings names, in the
 * installation's language, to the subscriber's preferred channels through the ordinary notification deliveries.
 *
 * Each (invoice, stage) is sent once: the invoice_reminders row is written in the same transaction as the
 * notification, under a unique key, so a second tick, a second instance or a retried job finds the stage taken and
 * rolls its own notification back. A stage is looked for over a few days (CATCH_UP_DAYS) so a scheduler that was
 * down on the day still sends it, but not further back: turning reminders on does not mail about last year.
 */
import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import type { Job } from '../../jobs/job';
import { defineTask, type JobProgress } from '../../jobs/queue';
import { forUpdate, nowUtc } from '../../db/knex';
import { AppError, isAppError } from '../../errors';
import { addDays } from '../../domain/invoice-math';
import { formatRf } from '../../domain/rf-code';
import { money } from '../../adapters/pdf/invoice-pdf';
import { localToday } from '../billing/invoices';
import { loadSettings } from '../billing/settings';
import { getSettings } from '../core/settings';
import { branding, channelConfig, reminderSettings } from './settings';
import { sendNotification } from './send';

export const REMINDER_TASK = 'notifications.reminders';
/** How many days late a stage is still sent (the scheduler was down on its day). */
const CATCH_UP_DAYS = 2;
/** Invoices per stage and run; the next run carries on. */
const PER_STAGE = 1000;

interface Stage {
  stage: string;
  template: 'payment_reminder' | 'overdue_reminder' | 'suspension_warning';
  /** The due dates this stage is for on the day of the run (inclusive). */
  from: string;
  to: string;
  /** The day dunning suspends for an invoice due on `due` (suspension warnings only). */
  suspensionDate?: (due: string) => string;
}

const maxDay = (a: string, b: string) => (a > b ? a : b);
const minDay = (a: string, b: string) => (a < b ? a : b);

/**
 * The stages due on `on`. Dunning suspends once an invoice's due date is before today minus the grace days, i.e.
 * on due + grace + 1; a warning `n` days before that is for invoices due on on + n − grace − 1, already overdue.
 */
export function stagesOn(on: string, r: { beforeDue: number[]; overdue: number[]; suspensionWarning: number[] }, graceDays: number): Stage[] {
  const out: Stage[] = [];
  for (const n of r.beforeDue) out.push({ stage: `due_in:${n}`, template: 'payment_reminder', from: maxDay(on, addDays(on, n - CATCH_UP_DAYS)), to: addDays(on, n) });
  for (const n of r.overdue) out.push({ stage: `overdue:${n}`, template: 'overdue_reminder', from: addDays(on, -n - CATCH_UP_DAYS), to: addDays(on, -n) });
  for (const n of r.suspensionWarning) {
    // More days than the grace period leaves: the warning goes out on the first overdue day instead.
    const day = minDay(addDays(on, n - graceDays - 1), addDays(on, -1));
    out.push({ stage: `suspension_in:${n}`, template: 'suspension_warning', from: addDays(day, -CATCH_UP_DAYS), to: day, suspensionDate: (due) => addDays(due, graceDays + 1) });
  }
  return out.filter((s) => s.from <= s.to);
}

export interface ReminderResult {
  on: string;
  enabled: boolean;
  queued: number;
  /** Stages another run (a second instance, an earlier tick) had already sent. */
  already_sent: number;
  failed: number;
  note?: string;
}

/** One pass over the stages due on `on`; safe to run twice, or on two instances at once. */
export async function reminderPass(ctx: ServiceContext, on: string, progress: JobProgress = async () => undefined): Promise<ReminderResult> {
  const settings = reminderSettings(await getSettings(ctx.db, 'notifications'));
  const result: ReminderResult = { on, enabled: settings.enabled, queued: 0, already_sent: 0, failed: 0 };
  if (!settings.enabled) return result;
  const cfg = await channelConfig(ctx);
  if (!cfg.telegram && !cfg.smtp && !cfg.push) return { ...result, note: 'no notification channel is configured' };
  const { graceDays } = await loadSettings(ctx.db);
  const brand = await branding(ctx);
  const stages = stagesOn(on, settings, graceDays);
  const work: Array<{ st: Stage; rows: Array<Record<string, any>> }> = [];
  for (const st of stages) work.push({ st, rows: await candidates(ctx.db, st) });
  const total = work.reduce((n, w) => n + w.rows.length, 0);
  let done = 0;
  for (const { st, rows } of work) {
    for (const inv of rows) {
      const outstanding = Number(inv.total_cents) - Number(inv.paid_cents);
      const due = String(inv.due_date).slice(0, 10);
      const variables: Record<string, string> = {
        invoice_number: `${inv.series}-${inv.number}`,
        amount: money(outstanding, inv.currency ?? 'EUR'),
        due_date: due,
        rf_code: inv.rf_code ? formatRf(inv.rf_code) : '',
        ...(st.suspensionDate ? { suspension_date: st.suspensionDate(due) } : {}),
      };
      try {
        await sendNotification(
          ctx,
          { target: { kind: 'customer', username: String(inv.username) }, channel: 'all', template: st.template, language: brand.language, variables, invoice_id: Number(inv.id) },
          { within: (trx, notificationId) => claimStage(trx, Number(inv.id), st.stage, notificationId) },
        );
        result.queued++;
      } catch (e) {
        if (isAppError(e) && e.code === 'reminder_already_sent') result.already_sent++;
        else {
          result.failed++;
          ctx.log.warn('invoice reminder not queued; the next run tries again', { invoice_id: Number(inv.id), stage: st.stage, err: String((e as Error)?.message ?? e) });
        }
      }
      await progress(++done, total);
    }
  }
  return result;
}

/** Invoices still owed, due within the stage's days, whose stage has not been sent. */
async function candidates(db: Knex, st: Stage) {
  const q = db('invoices as i')
    .join('customers as c', 'c.id', 'i.customer_id')
    .whereIn('i.status', ['unpaid', 'overdue'])
    .whereRaw('i.total_cents > i.paid_cents')
    .where('i.due_date', '>=', st.from)
    .where('i.due_date', '<=', st.to)
    .whereNotExists((w) => w.select(db.raw('1')).from('invoice_reminders as r').whereRaw('r.invoice_id = i.id').where('r.stage', st.stage))
    .orderBy('i.id')
    .limit(PER_STAGE)
    .select('i.id', 'i.series', 'i.number', 'i.due_date', 'i.total_cents', 'i.paid_cents', 'i.currency', 'i.rf_code', 'c.username');
  // A subscriber already suspended has nothing left to be warned about.
  if (st.template === 'suspension_warning') q.where('c.status', 'active');
  return q;
}

/**
 * Takes the stage for this notification. Whoever took it first wins: a concurrent run's insert waits for the
 * first one's commit, is ignored as a duplicate, and its locking read then sees the first one's notification.
 */
export async function claimStage(trx: Knex.Transaction, invoiceId: number, stage: string, notificationId: number) {
  await trx('invoice_reminders').insert({ invoice_id: invoiceId, stage, notification_id: notificationId, created_at: nowUtc() }).onConflict(['invoice_id', 'stage']).ignore();
  const row = await forUpdate(trx, trx('invoice_reminders').where({ invoice_id: invoiceId, stage })).first('notification_id');
  if (Number(row?.notification_id) !== notificationId)
    throw new AppError('reminder_already_sent', `The ${stage} reminder of invoice ${invoiceId} was already sent.`, 409);
}

export const reminderTask = defineTask<{ on: string }, ReminderResult>({
  name: REMINDER_TASK,
  section: 'notifications',
  attempts: 3,
  leaseMs: 15 * 60_000,
  run: (ctx, data, progress) => reminderPass(ctx, data.on, progress),
});

/**
 * Every 15 minutes: when reminders are on, a reminder run for today (the installation's calendar) is queued; the
 * dedupe key keeps a second instance's tick from starting another while one is queued or running.
 */
export const invoiceRemindersJob: Job = {
  name: 'notifications.reminders',
  everyMs: 15 * 60_000,
  async run(ctx) {
    if (!reminderSettings(await getSettings(ctx.db, 'notifications')).enabled) return { enabled: false };
    const on = await localToday(ctx.db, ctx.clock());
    const job = await ctx.jobs.enqueue(REMINDER_TASK, { on }, { dedupeKey: `reminders:${on}` });
    return { enabled: true, on, job_id: job.id };
  },
};

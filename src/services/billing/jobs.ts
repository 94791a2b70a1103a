import type { Job } from '../../jobs/job';
import { defineTask, type TaskDef } from '../../jobs/queue';
import { DUNNING_TASK, dunningPass } from './dunning';
import { GENERATE_MONTH_TASK, generateMonth } from './generate';
import { AppError, isAppError } from '../../errors';
import { runDunning } from './dunning';
import { chargeInvoice } from './payments';
import { localToday } from './invoices';

/**
 * Automatic charges: each open invoice of a subscriber with auto_charge on is charged once, on or after its
 * issue date, under a fixed attempt key (`auto:<invoice id>`); a decline is then left to manual_retry_charge.
 */
export async function runAutoCharge(ctx: Parameters<Job['run']>[0], onDay?: string) {
  const on = onDay ?? (await localToday(ctx.db));
  const due = await ctx.db('invoices as i')
    .join('billing_customers as bc', 'bc.customer_id', 'i.customer_id')
    .where('bc.auto_charge', true)
    .whereIn('i.status', ['unpaid', 'overdue'])
    .whereRaw('i.total_cents > i.paid_cents')
    .where('i.issue_date', '<=', on)
    .whereNotExists((q) => q.select(ctx.db.raw('1')).from('payment_attempts as a').whereRaw('a.invoice_id = i.id').where('a.automatic', true))
    .select('i.id')
    .limit(500);
  const out = { charged: 0, declined: 0, errors: 0 };
  for (const { id } of due) {
    try {
      const r = await chargeInvoice(ctx, { invoiceId: Number(id), attemptKey: `auto:${id}`, automatic: true });
      if (r.status === 'succeeded') out.charged += 1;
    } catch (e) {
      if (isAppError(e) && e.code === 'payment_declined') out.declined += 1;
      else {
        out.errors += 1;
        ctx.log.warn('automatic charge failed', { invoice_id: Number(id), code: e instanceof AppError ? e.code : 'internal_error' });
      }
    }
  }
  return out;
}

export const billingJobs: Job[] = [
  { name: 'billing.dunning', everyMs: 60 * 60 * 1000, run: (ctx) => runDunning(ctx) },
  { name: 'billing.auto_charge', everyMs: 15 * 60 * 1000, run: (ctx) => runAutoCharge(ctx) },
];

/** Billing's background tasks: a month's generation and a dunning run, each with progress. */
export function billingTasks(): TaskDef[] {
  return [
    defineTask({
      name: GENERATE_MONTH_TASK,
      section: 'billing',
      // Batches are their own transactions and a rerun completes a run: a retry after a crash is safe.
      attempts: 3,
      leaseMs: 15 * 60_000,
      run: (ctx, data: { month: string }, progress) => generateMonth(ctx, data.month, { progress }),
    }),
    defineTask({
      name: DUNNING_TASK,
      section: 'billing',
      attempts: 2,
      leaseMs: 15 * 60_000,
      run: (ctx, data: { on: string }, progress) => dunningPass(ctx, data.on, progress),
    }),
  ];
}

import { addDays } from '../../domain/invoice-math';
import { nowUtc } from '../../db/knex';
import type { ServiceContext } from '../context';
import { today } from './invoices';
import { loadSettings } from './settings';
import { setCustomerStatus } from '../network/customers';
import { AppError } from '../../errors';
import { mapLimit } from '../network/radius';
import type { JobProgress } from '../../jobs/queue';

export const SUSPEND_REASON = 'Unpaid invoices past the grace period';

/** Customers owing on an invoice whose due date plus the grace days has passed. */
async function pastGraceQuery(ctx: ServiceContext, on: string) {
  const settings = await loadSettings(ctx.db);
  const cutoff = addDays(on, -settings.graceDays);
  return { cutoff, settings };
}

async function owesPastGrace(ctx: ServiceContext, customerId: number, cutoff: string): Promise<boolean> {
  const row = await ctx.db('invoices')
    .where({ customer_id: customerId })
    .whereIn('status', ['unpaid', 'overdue'])
    .where('due_date', '<', cutoff)
    .whereRaw('total_cents > paid_cents')
    .first('id');
  return !!row;
}

/**
 * The dunning run: unpaid invoices past their due date become overdue; subscribers still owing after the grace
 * days are suspended through the network area's path (same as toggle_status), and those who have since paid are
 * restored. Only suspensions made here are lifted here: an operator's suspension is left alone. The per-subscriber
 * work reaches routers and NAS, so it runs as a job (`billing.dunning_run`, one per day's run) with progress;
 * this waits for it and answers its result with `job_id`.
 */
export async function runDunning(ctx: ServiceContext, on = today()) {
  const job = await ctx.jobs.enqueue(DUNNING_TASK, { on }, { dedupeKey: `dunning:${on}` });
  const done = await ctx.jobs.wait(job.id);
  if (done.state === 'failed' && done.error) throw new AppError(done.error.code, done.error.message, done.error.status, { extra: { job_id: done.id } });
  if (done.state !== 'completed') throw new AppError('job_timeout', `The dunning run is still going; follow job ${done.id} with job_status.`, 504, { extra: { job_id: done.id } });
  return { ...(done.result as DunningResult), job_id: done.id };
}

export const DUNNING_TASK = 'billing.dunning_run';
/** Subscribers worked on at once: each suspension talks to a router and the NAS. */
const DUNNING_CONCURRENCY = 4;

export interface DunningResult {
  marked_overdue: number;
  suspended: number;
  restored: number;
  failures: { customer_id: number; error: string }[];
}

export async function dunningPass(ctx: ServiceContext, on: string, progress: JobProgress): Promise<DunningResult> {
  const { cutoff } = await pastGraceQuery(ctx, on);
  const markedOverdue = await ctx.db('invoices').where({ status: 'unpaid' }).where('due_date', '<', on).whereRaw('total_cents > paid_cents').update({ status: 'overdue', updated_at: nowUtc() });

  const toSuspend = await ctx.db('customers as c')
    .where('c.status', 'active')
    .whereExists((q) =>
      q.select(ctx.db.raw('1')).from('invoices as i').whereRaw('i.customer_id = c.id').whereIn('i.status', ['unpaid', 'overdue']).where('i.due_date', '<', cutoff).whereRaw('i.total_cents > i.paid_cents'),
    )
    .select('c.id');
  const flagged = await ctx.db('billing_customers as bc').join('customers as c', 'c.id', 'bc.customer_id').where('bc.suspended_by_billing', true).select('c.id');
  const total = toSuspend.length + flagged.length;
  let done = 0;
  const failures: { customer_id: number; error: string }[] = [];
  const suspendedFlags = await mapLimit(toSuspend, DUNNING_CONCURRENCY, async ({ id }) => {
    const ok = await suspendForBilling(ctx, Number(id), failures);
    await progress(++done, total);
    return ok;
  });
  // Restores run after the suspensions: a subscriber suspended above is not looked at again in the same run.
  const restoredFlags = await mapLimit(flagged, DUNNING_CONCURRENCY, async ({ id }) => {
    const ok = await liftIfSettled(ctx, Number(id), on);
    await progress(++done, total);
    return ok;
  });
  failures.sort((a, b) => a.customer_id - b.customer_id);
  return { marked_overdue: markedOverdue, suspended: suspendedFlags.filter(Boolean).length, restored: restoredFlags.filter(Boolean).length, failures };
}

/**
 * The flag goes first: a crash after the suspension must leave it set, or paying would never lift the
 * suspension. The network path runs RouterOS and CoA, so it cannot sit inside one transaction with the flag.
 * Whatever happened, the flag is then made to match the subscriber's row: set only while it is suspended
 * for this reason (a failed suspension, or an operator's suspension made meanwhile, clears it).
 */
async function suspendForBilling(ctx: ServiceContext, customerId: number, failures: { customer_id: number; error: string }[]): Promise<boolean> {
  await markSuspendedByBilling(ctx, customerId, true);
  let error: Error | null = null;
  try {
    await setCustomerStatus(ctx, customerId, 'suspended', SUSPEND_REASON);
  } catch (e) {
    error = e as Error;
  }
  const c = await ctx.db('customers').where({ id: customerId }).first('status', 'suspend_reason');
  const ours = c?.status === 'suspended' && c.suspend_reason === SUSPEND_REASON;
  if (!ours) await markSuspendedByBilling(ctx, customerId, false);
  if (error) {
    failures.push({ customer_id: customerId, error: ours ? `${error.message} (the subscriber is suspended)` : error.message });
    ctx.log.warn('dunning could not suspend a customer cleanly', { customer_id: customerId, error: error.message, suspended: ours });
  }
  return ours;
}

async function markSuspendedByBilling(ctx: ServiceContext, customerId: number, value: boolean): Promise<void> {
  const now = nowUtc();
  if (!value) {
    await ctx.db('billing_customers').where({ customer_id: customerId }).update({ suspended_by_billing: false, updated_at: now });
    return;
  }
  await ctx.db('billing_customers')
    .insert({ customer_id: customerId, billing_cycle: 'monthly', auto_charge: false, suspended_by_billing: true, created_at: now, updated_at: now })
    .onConflict('customer_id')
    .merge({ suspended_by_billing: true, updated_at: now });
}

/**
 * Restores a subscriber that dunning suspended once nothing past the grace period is owed any more; a
 * suspension with another reason is left alone. A failure to reach the network leaves the flag set, so the next
 * dunning run tries again.
 */
export async function liftIfSettled(ctx: ServiceContext, customerId: number, on = today()): Promise<boolean> {
  const bc = await ctx.db('billing_customers').where({ customer_id: customerId }).first('suspended_by_billing');
  if (!bc || !Number(bc.suspended_by_billing)) return false;
  const c = await ctx.db('customers').where({ id: customerId }).first('status', 'suspend_reason');
  if (c?.status === 'suspended' && c.suspend_reason !== SUSPEND_REASON) {
    // Suspended again since, for another reason (an operator lifted billing's suspension by hand, then suspended
    // them for abuse): that suspension is not billing's to lift, and the flag no longer describes it.
    await markSuspendedByBilling(ctx, customerId, false);
    return false;
  }
  const { cutoff } = await pastGraceQuery(ctx, on);
  if (await owesPastGrace(ctx, customerId, cutoff)) return false;
  try {
    if (c?.status === 'suspended') await setCustomerStatus(ctx, customerId, 'active', 'Balance paid');
    await markSuspendedByBilling(ctx, customerId, false);
    return true;
  } catch (e) {
    ctx.log.warn('could not restore a customer after payment; dunning will retry', { customer_id: customerId, error: (e as Error).message });
    return false;
  }
}

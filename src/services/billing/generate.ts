import type { Knex } from 'knex';
import { addDays, computeLine, monthBounds, prorate } from '../../domain/invoice-math';
import { MAX_INVOICE_CENTS } from '../../domain/money';
import { rfForInvoice } from '../../domain/rf-code';
import type { VatRate } from '../../domain/vat';
import { AppError } from '../../errors';
import { isSqlite, nowUtc } from '../../db/knex';
import type { ServiceContext } from '../context';
import { assertChronological, invoiceRef, installationTimezone, lineRows, takeNumbers, today } from './invoices';
import { addMonths, calendarDay, dayStart, toInstant } from '../../domain/calendar';
import { emitMany } from '../../events/outbox';
import { loadSettings } from './settings';

export interface GenerateOptions {
  batchSize?: number;
  /** The day the run happens (Athens calendar); today by default. */
  on?: string;
  /** Test seam: called inside each batch's transaction after its invoices are written; throwing aborts the run. */
  faultHook?: (info: { batch: number; createdBefore: number; batchSize: number }) => void;
  /** Reports how far the walk over subscriber ids is (the job's progress). */
  progress?: (done: number, total: number) => Promise<void>;
}

export interface GenerateResult {
  month: string;
  created: number;
  already_existing: number;
  total_for_month: number;
  already_generated: boolean;
  /** Subscribers whose invoice could not be computed (each named with why); the others were invoiced. */
  skipped: { customer_id: number; error: string; message: string }[];
  /** The dates of the invoices this run created (null when it created none). */
  issue_date: string | null;
  due_date: string | null;
  numbers: Record<string, { first: number; last: number }>;
  message: string;
}

/**
 * One invoice per active, billable subscriber for the month. Work goes in batches, each one transaction that
 * takes its numbers, writes its invoices and lines and emits invoice.generated; a crash loses at most the batch
 * in flight, and because it rolls back, its numbers too. A rerun selects only subscribers without an invoice for
 * the period, and the unique (customer_id, period) key stops a concurrent run from writing a second one.
 */
export async function generateMonth(ctx: ServiceContext, month: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const b = monthBounds(month);
  const settings = await loadSettings(ctx.db);
  const tz = await installationTimezone(ctx.db);
  const on = opts.on ?? today(new Date(), tz);
  // A series must stay chronological: invoicing a month far ahead would date numbers before ones issued later.
  if (month > addMonths(on.slice(0, 7), 1)) {
    throw new AppError('invalid_month', `${month} is too far ahead: invoices can be generated up to next month (${addMonths(on.slice(0, 7), 1)}).`, 422, { details: { month: 'at most next month' } });
  }
  // An invoice is dated the day it is issued: a month generated after its issue day (the first month of a new
  // installation, a late or completed run) is dated today, not back on the issue day. Backdated, its due date
  // (and the grace days after it) could already be over when the subscriber first sees it, and the next
  // dunning pass would suspend them before they could pay; the series would also stop following the calendar.
  const scheduled = `${month}-${String(Math.min(settings.issueDay, b.days)).padStart(2, '0')}`;
  const issueDate = scheduled < on ? on : scheduled;
  const dueDate = addDays(issueDate, settings.dueDays);
  // Bigger batches on MariaDB: each is one transaction (one log flush at commit) and a handful of round trips, so
  // fewer of them is most of the distance to a plain bulk insert; 5,000 rows still keep memory flat.
  const batchSize = opts.batchSize ?? (isSqlite(ctx.db) ? 500 : 5000);
  const [{ n: existingBefore }] = await ctx.db('invoices').where({ period: month }).count({ n: '*' });

  let created = 0;
  let batchNo = 0;
  const numbers: GenerateResult['numbers'] = {};
  // Activation is an instant (UTC); the month it falls in is read on the installation's calendar.
  const nextMonthStart = nowUtc(dayStart(`${addMonths(month, 1)}-01`, tz));
  // Anyone activated before the month's first instant pays the full month: only activations inside the month
  // need their calendar day (a time zone conversion, the costliest step per subscriber when done for everyone).
  const monthStartMs = dayStart(`${month}-01`, tz).getTime();
  const skipped: GenerateResult['skipped'] = [];
  // Walk the primary key in fixed id windows: a keyset query with ORDER BY id LIMIT let MariaDB pick the status
  // index and sort all subscribers on every batch, which made 100k subscribers quadratic.
  const [{ maxId }] = await ctx.db('customers').max({ maxId: 'id' });
  const lastCustomerId = Number(maxId ?? 0);

  type Prepared = { customerId: number; series: string; line: ReturnType<typeof computeLine> };
  /** Reads one id window's billable subscribers without an invoice for the month, and computes their lines. */
  const loadWindow = async (afterId: number): Promise<{ end: number; prepared: Prepared[] }> => {
    const end = afterId + batchSize;
    const rows = await ctx.db('customers as c')
      .join('plans as p', 'p.id', 'c.plan_id')
      .leftJoin('billing_customers as bc', 'bc.customer_id', 'c.id')
      .where('c.status', 'active')
      .where('c.id', '>', afterId)
      .where('c.id', '<=', end)
      .where((w) => w.whereNull('bc.billing_cycle').orWhere('bc.billing_cycle', 'monthly'))
      .where((w) => w.whereNull('c.activated_at').orWhere('c.activated_at', '<', nextMonthStart))
      .where('p.price_cents', '>', 0)
      .whereNotExists((q) => q.select(ctx.db.raw('1')).from('invoices as i').whereRaw('i.customer_id = c.id').where('i.period', month))
      .orderBy('c.id')
      .select('c.id', 'c.activated_at', 'p.name as plan_name', 'p.price_cents', 'bc.vat_rate', 'bc.vat_exemption_code', 'bc.series');
    const prepared: Prepared[] = [];
    for (const r of rows) {
      // One subscriber's impossible line (a price out of range, a stale VAT setting) is reported and skipped;
      // it never stops the month's invoices for everyone else.
      try {
        // (An unreadable instant is not "before": calendarDay rejects it and the subscriber is reported.)
        const activatedOn = r.activated_at && !(toInstant(String(r.activated_at)).getTime() < monthStartMs) ? calendarDay(String(r.activated_at), tz) : null;
        const pr = prorate(Number(r.price_cents), month, activatedOn);
        if (pr.cents <= 0) continue;
        const vatRate = (r.vat_rate === null || r.vat_rate === undefined ? settings.defaultVatRate : Number(r.vat_rate)) as VatRate;
        const description = pr.full ? `${r.plan_name} — ${month}` : `${r.plan_name} — ${month} (pro rata ${pr.days}/${pr.daysInMonth} days)`;
        const line = computeLine({ description, quantity: 1, unitPriceCents: pr.cents, vatRate, vatExemptionCode: vatRate === 0 ? r.vat_exemption_code : null, priceIncludesVat: settings.pricesIncludeVat });
        if (!Number.isSafeInteger(line.totalCents) || line.totalCents > MAX_INVOICE_CENTS) {
          throw new AppError('invalid_amount', `The invoice would be ${line.totalCents} cents, more than an invoice can hold.`, 422);
        }
        prepared.push({ customerId: Number(r.id), series: String(r.series ?? settings.defaultSeries), line });
      } catch (e) {
        const err = e instanceof AppError ? e : new AppError('invalid_line', String((e as Error)?.message ?? e).slice(0, 200), 422);
        skipped.push({ customer_id: Number(r.id), error: err.code, message: err.message.slice(0, 200) });
        ctx.log.warn('invoice skipped', { customer_id: Number(r.id), month, error: err.code });
      }
    }
    return { end, prepared };
  };

  /** One batch, one transaction: numbers, invoices, lines and invoice.generated events. */
  const writeBatch = async (prepared: Prepared[], batch: number, createdBefore: number) => {
    const ranges: { series: string; first: number; last: number }[] = [];
    await ctx.db.transaction(async (trx: Knex.Transaction) => {
      const bySeries = new Map<string, Prepared[]>();
      for (const p of prepared) {
        const group = bySeries.get(p.series);
        if (group) group.push(p);
        else bySeries.set(p.series, [p]);
      }
      const now = nowUtc();
      const invoiceRows: Record<string, unknown>[] = [];
      const numbered: { customerId: number; series: string; number: number; line: Prepared['line'] }[] = [];
      ranges.length = 0;
      for (const [series, group] of [...bySeries.entries()].sort(([a], [c]) => a.localeCompare(c))) {
        const first = await takeNumbers(trx, series, group.length);
        await assertChronological(trx, series, issueDate);
        group.forEach((p, i) => {
          const number = first + i;
          numbered.push({ customerId: p.customerId, series, number, line: p.line });
          invoiceRows.push({
            customer_id: p.customerId, series, number, issue_date: issueDate, due_date: dueDate, period: month, currency: 'EUR',
            net_cents: p.line.netCents, vat_cents: p.line.vatCents, total_cents: p.line.totalCents, paid_cents: 0, status: 'unpaid',
            rf_code: rfForInvoice(p.customerId, series, number), source: 'monthly', created_at: now, updated_at: now,
          });
        });
        ranges.push({ series, first, last: first + group.length - 1 });
      }
      try {
        await trx.batchInsert('invoices', invoiceRows as any[], 2500);
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (/DUP|UNIQUE/i.test(code)) {
          throw new AppError('generation_in_progress', `Another run is generating ${month} right now; wait for it to finish and run again to see the result.`, 409, { cause: e });
        }
        throw e;
      }
      opts.faultHook?.({ batch, createdBefore, batchSize: numbered.length });
      // The batch's invoices are one contiguous number range per series, which the (series, number) key reads as
      // a single index range (a lookup by customer id would be one index dive per invoice).
      const idOf = new Map<string, number>();
      for (const r of ranges) {
        const ids = await trx('invoices').where({ series: r.series }).whereBetween('number', [r.first, r.last]).select('id', 'number');
        for (const x of ids) idOf.set(`${r.series}:${Number(x.number)}`, Number(x.id));
      }
      const invoiceId = (n: (typeof numbered)[number]) => idOf.get(`${n.series}:${n.number}`)!;
      await trx.batchInsert('invoice_lines', numbered.flatMap((n) => lineRows(invoiceId(n), [n.line])) as any[], 2500);
      await emitMany(
        trx,
        'invoice.generated',
        numbered.map((n) => ({
          invoice_id: invoiceId(n), customer_id: n.customerId, invoice_no: invoiceRef(n.series, n.number),
          total_cents: n.line.totalCents, period: month, due_date: dueDate,
        })),
      );
    });
    return ranges;
  };

  // While a batch's transaction runs, the next window is read and computed on another connection (its
  // subscribers are not the batch's, so what it sees does not depend on that commit): the database writes one
  // batch while the process prepares the next, instead of each waiting for the other.
  let pending: Promise<Awaited<ReturnType<typeof loadWindow>>> | null = lastCustomerId > 0 ? loadWindow(0) : null;
  try {
    while (pending) {
      const win: Awaited<ReturnType<typeof loadWindow>> = await pending;
      pending = win.end < lastCustomerId ? loadWindow(win.end) : null;
      if (win.prepared.length > 0) {
        batchNo += 1;
        for (const r of await writeBatch(win.prepared, batchNo, created)) {
          const range = numbers[r.series];
          numbers[r.series] = { first: range ? range.first : r.first, last: r.last };
        }
        created += win.prepared.length;
      }
      await opts.progress?.(Math.min(win.end, lastCustomerId), lastCustomerId);
    }
  } catch (e) {
    // A prefetched window still in flight must settle before the error leaves (and must not reject unheard).
    await pending?.catch(() => undefined);
    throw e;
  }
  const existing = Number(existingBefore);
  const total = existing + created;
  return {
    month,
    created,
    already_existing: existing,
    total_for_month: total,
    already_generated: created === 0 && existing > 0,
    issue_date: created > 0 ? issueDate : null,
    due_date: created > 0 ? dueDate : null,
    numbers,
    skipped,
    message:
      (created === 0
        ? existing > 0
          ? `Invoices for ${month} were already generated (${existing}); nothing new to create.`
          : `No active billable subscribers for ${month}.`
        : `Created ${created} invoice(s) for ${month}${existing ? `, completing a run that had created ${existing}` : ''}.`) +
      (skipped.length ? ` ${skipped.length} subscriber(s) could not be invoiced: see skipped.` : ''),
  };
}

export const GENERATE_MONTH_TASK = 'billing.generate_month';

/**
 * Queues the month's generation as a job; one job per month at a time (a request for the same month, from any
 * instance, gets the job already running).
 */
export async function queueGenerateMonth(ctx: ServiceContext, month: string) {
  return ctx.jobs.enqueue(GENERATE_MONTH_TASK, { month }, { dedupeKey: `generate_month:${month}` });
}

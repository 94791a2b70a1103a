import type { Knex } from 'knex';
import { computeInvoice, addDays, monthBounds, type Line, type LineInput } from '../../domain/invoice-math';
import { rfForInvoice } from '../../domain/rf-code';
import type { VatRate } from '../../domain/vat';
import { AppError } from '../../errors';
import { emit } from '../../events/outbox';
import { forUpdate, nowUtc, parseJson, toIso } from '../../db/knex';
import { calendarDay, DEFAULT_TIMEZONE, isTimeZone } from '../../domain/calendar';
import { pageMeta } from '../../domain/page';
import type { ServiceContext } from '../context';
import { loadBillingCustomer } from './customers';
import { requireCustomer } from '../network/customers';
import { liftIfSettled } from './dunning';
import { assertNotCreditNoteSeries, ensureSeries, loadSettings, SERIES_RE } from './settings';

/** Statuses invoice_set_status moves between. */
export const INVOICE_STATUSES = ['unpaid', 'paid', 'overdue', 'cancelled'] as const;
/**
 * Every status an invoice can have: `void` is a numbered invoice withdrawn before it reached myDATA. It is kept,
 * with its number, because Greek books never reuse or drop a number; only delete_invoice sets it.
 */
export const ALL_INVOICE_STATUSES = [...INVOICE_STATUSES, 'void'] as const;
export type InvoiceStatus = (typeof ALL_INVOICE_STATUSES)[number];

/** Valid manual transitions. A paid invoice is undone by a refund or credit note, a cancelled one never revives. */
const TRANSITIONS: Record<InvoiceStatus, InvoiceStatus[]> = {
  unpaid: ['paid', 'overdue', 'cancelled'],
  overdue: ['paid', 'unpaid', 'cancelled'],
  paid: [],
  cancelled: [],
  void: [],
};

/**
 * Today's date in the installation's calendar (Europe/Athens unless given): an invoice issued at 01:30 in
 * Athens is dated that day, not the previous UTC day.
 */
export function today(now = new Date(), tz: string = DEFAULT_TIMEZONE): string {
  return calendarDay(now, tz);
}

/** The installation's time zone (save_settings timezone), the calendar of everything dated. */
export async function installationTimezone(db: Knex): Promise<string> {
  const row = await db('settings').where({ key: 'general.timezone' }).first('value').catch(() => undefined);
  const tz = row ? parseJson<unknown>(row.value, null) : null;
  return isTimeZone(tz) ? tz : DEFAULT_TIMEZONE;
}

/** Today in the installation's calendar. */
export async function localToday(db: Knex, now = new Date()): Promise<string> {
  return today(now, await installationTimezone(db));
}

/**
 * A series stays chronological: no invoice may be dated before the newest one already numbered in it. Call
 * after takeNumbers, whose row lock on the series keeps a concurrent writer out until commit.
 */
export async function assertChronological(trx: Knex.Transaction, series: string, issueDate: string): Promise<void> {
  const [{ last }] = await trx('invoices').where({ series }).max({ last: 'issue_date' });
  const lastDay = last ? String(last instanceof Date ? last.toISOString() : last).slice(0, 10) : null;
  if (lastDay && issueDate < lastDay) {
    throw new AppError('invalid_issue_date', `Series ${series} already has an invoice dated ${lastDay}; a later number cannot be dated ${issueDate} (the series must stay chronological).`, 422, {
      details: { issue_date: `on or after ${lastDay}` },
    });
  }
}

/**
 * Takes `count` consecutive numbers from a series inside the caller's transaction, under a row lock, so two
 * writers never share a number and a rollback gives the numbers back (no gaps).
 */
export async function takeNumbers(trx: Knex.Transaction, series: string, count: number): Promise<number> {
  await ensureSeries(trx, series);
  const row = await forUpdate(trx, trx('invoice_series').where({ code: series }).first('id', 'next_number'));
  const first = Number(row.next_number);
  await trx('invoice_series').where({ id: row.id }).update({ next_number: first + count, updated_at: nowUtc() });
  return first;
}

export function invoiceRef(series: string, number: number): string {
  return `${series}-${String(number).padStart(6, '0')}`;
}

export function serializeInvoice(r: any, lines?: any[], payments?: any[]) {
  const out: Record<string, unknown> = {
    id: Number(r.id),
    customer_id: Number(r.customer_id),
    series: r.series,
    number: Number(r.number),
    invoice_no: invoiceRef(r.series, Number(r.number)),
    issue_date: String(r.issue_date).slice(0, 10),
    due_date: String(r.due_date).slice(0, 10),
    period: r.period ?? null,
    currency: r.currency,
    net_cents: Number(r.net_cents),
    vat_cents: Number(r.vat_cents),
    total_cents: Number(r.total_cents),
    paid_cents: Number(r.paid_cents),
    balance_cents: Number(r.total_cents) - Number(r.paid_cents),
    status: r.status,
    rf_code: r.rf_code,
    source: r.source,
    notes: r.notes ?? null,
    einvoice_status: r.einvoice_status ?? null,
    einvoice_mark: r.einvoice_mark ?? null,
    paid_at: toIso(r.paid_at),
    created_at: toIso(r.created_at),
  };
  if (lines) {
    out.lines = lines.map((l) => ({
      id: Number(l.id), position: Number(l.position), description: l.description, quantity: Number(l.quantity),
      unit_price_cents: Number(l.unit_price_cents), vat_rate: Number(l.vat_rate), vat_exemption_code: l.vat_exemption_code ?? null,
      net_cents: Number(l.net_cents), vat_cents: Number(l.vat_cents), total_cents: Number(l.total_cents),
    }));
  }
  if (payments) {
    out.payments = payments.map((p) => ({
      id: Number(p.id), amount_cents: Number(p.amount_cents), method: p.method, reference: p.reference ?? null, paid_on: String(p.paid_on).slice(0, 10), created_at: toIso(p.created_at),
    }));
  }
  return out;
}

export function lineRows(invoiceId: number, lines: Line[]) {
  return lines.map((l, i) => ({
    invoice_id: invoiceId, position: i + 1, description: l.description.slice(0, 255), quantity: l.quantity, unit_price_cents: l.unitPriceCents,
    vat_rate: l.vatRate, vat_exemption_code: l.vatExemptionCode, net_cents: l.netCents, vat_cents: l.vatCents, total_cents: l.totalCents,
  }));
}

export async function getInvoice(db: Knex, id: number) {
  const r = await db('invoices').where({ id }).first();
  if (!r) throw new AppError('invoice_not_found', `Invoice ${id} was not found.`, 404);
  const lines = await db('invoice_lines').where({ invoice_id: id }).orderBy('position');
  const payments = await db('payments').where({ invoice_id: id }).orderBy('id');
  return serializeInvoice(r, lines, payments);
}

export interface ListInput {
  customer_id?: number;
  status?: InvoiceStatus;
  month?: string;
  page: number;
  per_page: number;
}

export async function listInvoices(db: Knex, input: ListInput) {
  const q = db('invoices');
  if (input.customer_id) q.where('customer_id', input.customer_id);
  if (input.status) q.where('status', input.status);
  // a month selects monthly invoices of that period and manual invoices issued in it
  if (input.month) {
    const b = monthBounds(input.month);
    q.where((w) => w.where('period', input.month!).orWhere((m) => m.whereNull('period').whereBetween('issue_date', [b.start, b.end])));
  }
  const [{ n }] = await q.clone().count({ n: '*' });
  const rows = await q.orderBy([{ column: 'issue_date', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(input.per_page).offset((input.page - 1) * input.per_page);
  return { items: rows.map((r) => serializeInvoice(r)), meta: pageMeta(input.page, input.per_page, Number(n)) };
}

export interface ManualInvoiceInput {
  customer_id: number;
  lines: { description: string; quantity: number; unitPriceCents: number; vatRate: VatRate; vatExemptionCode?: string | null }[];
  issue_date?: string;
  due_date?: string;
  series?: string;
  notes?: string | null;
  prices_include_vat?: boolean;
}

export async function createManualInvoice(ctx: ServiceContext, input: ManualInvoiceInput) {
  const settings = await loadSettings(ctx.db);
  // Unit prices mean what they mean on monthly invoices unless the call says otherwise.
  const lineInputs: LineInput[] = input.lines.map((l) => ({ ...l, priceIncludesVat: input.prices_include_vat ?? settings.pricesIncludeVat }));
  for (const [i, l] of lineInputs.entries()) {
    if (!settings.vatRates.includes(l.vatRate)) {
      throw new AppError('invalid_vat_rate', `Line ${i + 1}: VAT ${l.vatRate}% is not offered in the billing settings.`, 422, { details: { [`lines.${i}.vat_rate`]: 'not offered' } });
    }
  }
  const { lines, totals } = computeInvoice(lineInputs);
  const todayLocal = await localToday(ctx.db);
  const issueDate = input.issue_date ?? todayLocal;
  // An invoice is dated the day it is issued or earlier (still in series order), never ahead of the calendar.
  if (issueDate > todayLocal) throw new AppError('invalid_issue_date', `An invoice cannot be dated in the future (today is ${todayLocal}).`, 422, { details: { issue_date: `on or before ${todayLocal}` } });
  const dueDate = input.due_date ?? addDays(issueDate, settings.dueDays);
  if (dueDate < issueDate) throw new AppError('invalid_due_date', 'The due date cannot be before the issue date.', 422, { details: { due_date: 'before issue_date' } });
  const id = await ctx.db.transaction(async (trx) => {
    await requireCustomer(trx, { id: input.customer_id });
    const bc = await loadBillingCustomer(trx, input.customer_id);
    const series = (input.series ?? bc?.series ?? settings.defaultSeries).toUpperCase();
    // The series goes into the RF code and the invoice reference webhooks are matched by: same rule as the settings.
    if (!SERIES_RE.test(series)) throw new AppError('invalid_series', 'A series code is 1 to 10 letters A–Z or digits.', 422, { details: { series: 'A-Z0-9, 1–10' } });
    await assertNotCreditNoteSeries(trx, series, 'invalid_series', 'series');
    const number = await takeNumbers(trx, series, 1);
    await assertChronological(trx, series, issueDate);
    const now = nowUtc();
    const [newId] = await trx('invoices').insert({
      customer_id: input.customer_id, series, number, issue_date: issueDate, due_date: dueDate, period: null, currency: 'EUR',
      net_cents: totals.netCents, vat_cents: totals.vatCents, total_cents: totals.totalCents, paid_cents: 0,
      status: totals.totalCents === 0 ? 'paid' : 'unpaid', rf_code: rfForInvoice(input.customer_id, series, number), source: 'manual',
      notes: input.notes ?? null, created_at: now, updated_at: now, paid_at: totals.totalCents === 0 ? now : null,
    });
    await trx('invoice_lines').insert(lineRows(Number(newId), lines));
    await emit(trx, 'invoice.generated', { invoice_id: Number(newId), customer_id: input.customer_id, invoice_no: invoiceRef(series, number), total_cents: totals.totalCents, period: null });
    return Number(newId);
  });
  return getInvoice(ctx.db, id);
}

export async function setInvoiceStatus(ctx: ServiceContext, id: number, status: InvoiceStatus, reason?: string | null) {
  const result = await ctx.db.transaction(async (trx) => {
    const inv = await forUpdate(trx, trx('invoices').where({ id }).first());
    if (!inv) throw new AppError('invoice_not_found', `Invoice ${id} was not found.`, 404);
    const from = inv.status as InvoiceStatus;
    if (from === status) return { changed: false, customerId: Number(inv.customer_id) };
    if (!TRANSITIONS[from].includes(status)) {
      throw new AppError('invalid_status_transition', `An invoice cannot go from ${from} to ${status}${from === 'paid' ? ' (refund it or issue a credit note)' : from === 'cancelled' ? ' (a cancelled invoice is final; issue a new one)' : ''}.`, 409, {
        details: { status: `${from} → ${status} not allowed` },
      });
    }
    const now = nowUtc();
    if (status === 'cancelled' && Number(inv.paid_cents) > 0) {
      throw new AppError('invoice_has_payments', 'This invoice has payments recorded; refund them before cancelling it.', 409);
    }
    const on = await localToday(trx);
    if (status === 'overdue' && String(inv.due_date).slice(0, 10) >= on) {
      throw new AppError('invoice_not_due', `The invoice is due on ${String(inv.due_date).slice(0, 10)}; it cannot be overdue yet.`, 409);
    }
    if (status === 'paid') {
      // Marking paid by hand records the balance as a manual payment, so paid_cents and the payments agree.
      const balance = Number(inv.total_cents) - Number(inv.paid_cents);
      if (balance > 0) {
        await trx('payments').insert({ invoice_id: id, customer_id: inv.customer_id, amount_cents: balance, method: 'manual', reference: `manual-${id}-${Date.now()}`, paid_on: on, created_at: now });
      }
      await trx('invoices').where({ id }).update({ status, paid_cents: inv.total_cents, paid_at: now, updated_at: now });
      await emit(trx, 'invoice.paid', { invoice_id: id, customer_id: Number(inv.customer_id), invoice_no: invoiceRef(inv.series, Number(inv.number)), amount_cents: balance, total_cents: Number(inv.total_cents), method: 'manual', reason: reason ?? null });
    } else {
      await trx('invoices').where({ id }).update({ status, updated_at: now });
    }
    return { changed: true, customerId: Number(inv.customer_id) };
  });
  // Paying or cancelling the invoice behind a dunning suspension settles the debt: the suspension is lifted.
  if ((status === 'paid' || status === 'cancelled') && result.changed) await liftIfSettled(ctx, result.customerId);
  return { ...(await getInvoice(ctx.db, id)), changed: result.changed, customerId: result.customerId };
}

/**
 * Greek numbering law: a numbered invoice is never deleted and its number never given to another invoice.
 * An unnumbered draft is removed; a numbered invoice not yet sent to myDATA is voided (kept, status `void`,
 * its number consumed); one that was sent needs a credit note (`einvoice_locked`).
 */
export async function deleteInvoice(ctx: ServiceContext, id: number): Promise<{ id: number; deleted: boolean; voided: boolean; customerId: number; invoice?: Record<string, unknown> }> {
  const out = await ctx.db.transaction(async (trx) => {
    const inv = await forUpdate(trx, trx('invoices').where({ id }).first());
    if (!inv) throw new AppError('invoice_not_found', `Invoice ${id} was not found.`, 404);
    const ref = inv.number === null || inv.number === undefined ? `#${id}` : invoiceRef(inv.series, Number(inv.number));
    if (inv.einvoice_status !== null && inv.einvoice_status !== undefined) {
      throw new AppError('einvoice_locked', `Invoice ${ref} was sent as an e-invoice (${inv.einvoice_status}); issue a credit note instead of deleting it.`, 409);
    }
    if (Number(inv.paid_cents) > 0) throw new AppError('invoice_has_payments', 'This invoice has payments recorded; it cannot be deleted.', 409);
    if (inv.number === null || inv.number === undefined) {
      await trx('payment_attempts').where({ invoice_id: id }).del();
      await trx('invoices').where({ id }).del();
      return { deleted: true, voided: false, customerId: Number(inv.customer_id) };
    }
    if (inv.status === 'void') return { deleted: false, voided: true, customerId: Number(inv.customer_id) };
    await trx('invoices').where({ id }).update({ status: 'void', updated_at: nowUtc() });
    await emit(trx, 'invoice.voided', { invoice_id: id, customer_id: Number(inv.customer_id), invoice_no: ref, total_cents: Number(inv.total_cents) });
    return { deleted: false, voided: true, customerId: Number(inv.customer_id) };
  });
  if (!out.voided) return { id, ...out };
  // A voided invoice no longer counts as debt: the same as cancelling it.
  await liftIfSettled(ctx, out.customerId);
  return { id, ...out, invoice: await getInvoice(ctx.db, id) };
}

/**
 * Records money received on an invoice inside the caller's transaction. (method, reference) is unique, so the
 * same bank line or gateway payment applied twice is reported as a duplicate instead of counted twice.
 */
export async function applyPayment(
  trx: Knex.Transaction,
  invoiceId: number,
  p: { amountCents: number; method: string; reference: string | null; attemptId?: number | null; paidOn?: string },
): Promise<{ duplicate: boolean; becamePaid: boolean; invoice: any }> {
  const inv = await forUpdate(trx, trx('invoices').where({ id: invoiceId }).first());
  if (!inv) throw new AppError('invoice_not_found', `Invoice ${invoiceId} was not found.`, 404);
  if (p.reference) {
    const dup = await trx('payments').where({ method: p.method, reference: p.reference }).first('id');
    if (dup) return { duplicate: true, becamePaid: false, invoice: inv };
  }
  if (inv.status === 'cancelled') throw new AppError('invoice_cancelled', 'The invoice is cancelled; it cannot take payments.', 409);
  if (inv.status === 'void') throw new AppError('invoice_void', 'The invoice is void; it cannot take payments.', 409);
  const balance = Number(inv.total_cents) - Number(inv.paid_cents);
  if (balance <= 0) throw new AppError('invoice_already_paid', `Invoice ${invoiceRef(inv.series, Number(inv.number))} is already paid.`, 409);
  if (!Number.isSafeInteger(p.amountCents) || p.amountCents <= 0) throw new AppError('invalid_amount', 'The amount must be more than zero.', 422, { details: { amount: '> 0' } });
  if (p.amountCents > balance) {
    throw new AppError('amount_exceeds_balance', `The amount is more than the balance of ${(balance / 100).toFixed(2)} EUR on this invoice.`, 422, { details: { amount: `max ${balance} cents` } });
  }
  const now = nowUtc();
  await trx('payments').insert({
    invoice_id: invoiceId, customer_id: inv.customer_id, amount_cents: p.amountCents, method: p.method, reference: p.reference,
    attempt_id: p.attemptId ?? null, paid_on: p.paidOn ?? (await localToday(trx)), created_at: now,
  });
  const paid = Number(inv.paid_cents) + p.amountCents;
  const becamePaid = paid === Number(inv.total_cents);
  await trx('invoices').where({ id: invoiceId }).update({ paid_cents: paid, status: becamePaid ? 'paid' : inv.status, paid_at: becamePaid ? now : null, updated_at: now });
  if (becamePaid) {
    await emit(trx, 'invoice.paid', {
      invoice_id: invoiceId, customer_id: Number(inv.customer_id), invoice_no: invoiceRef(inv.series, Number(inv.number)),
      amount_cents: p.amountCents, total_cents: Number(inv.total_cents), method: p.method,
    });
  }
  return { duplicate: false, becamePaid, invoice: { ...inv, paid_cents: paid, status: becamePaid ? 'paid' : inv.status } };
}

import { requireCustomer } from '../network/customers';
import { GATEWAY_NAMES, type GatewayName, type WebhookEvent } from '../../adapters/payments';
import { parseDiasCsv } from '../../domain/dias';
import { AppError, isAppError } from '../../errors';
import { emit } from '../../events/outbox';
import type { Knex } from 'knex';
import { forUpdate, insertId, nowUtc, toIso } from '../../db/knex';
import { pageMeta } from '../../domain/page';
import type { ServiceContext } from '../context';
import { loadBillingCustomer } from './customers';
import { liftIfSettled } from './dunning';
import { gatewayFor } from './gateways';
import { idempotencyKeyOf, withIdempotency } from './idempotency';
import { applyPayment, getInvoice, invoiceRef, localToday } from './invoices';

export const OFFLINE_PAY_METHODS = ['cash', 'bank_transfer', 'dias', 'manual'] as const;

export function isGateway(v: unknown): v is GatewayName {
  return typeof v === 'string' && (GATEWAY_NAMES as readonly string[]).includes(v);
}

/**
 * pay_invoice: a gateway (named as `gateway`, or as a `method` that is a gateway name) charges the card and needs an
 * idempotency key; an offline method (cash, bank transfer, DIAS, manual) records the payment, once per key if one
 * is sent. The whole call runs once per key (withIdempotency).
 */
export async function payInvoice(
  ctx: ServiceContext,
  input: { invoiceId: number; gateway?: GatewayName; method?: string; amountCents?: number; reference?: string | null; idempotencyKey?: string },
) {
  const gw = input.gateway ?? (isGateway(input.method) ? input.method : undefined);
  const offline = !gw && input.method ? input.method : undefined;
  if (!gw && !offline) {
    throw new AppError('missing_method', 'Say how it is paid: gateway (stripe, viva, revolut, paypal) or method (cash, bank_transfer, dias, manual).', 422, { details: { method: 'required' } });
  }
  const key = idempotencyKeyOf(input.idempotencyKey, !!gw);
  const { invoiceId, amountCents } = input;
  const fingerprint = { invoice_id: invoiceId, amount: amountCents ?? null, gateway: gw ?? null, method: offline ?? null, reference: input.reference ?? null };
  return withIdempotency(ctx, 'pay_invoice', key, fingerprint, async () => {
    if (gw) return chargeInvoice(ctx, { invoiceId, amountCents, gateway: gw, attemptKey: `${key}:${invoiceId}` });
    const reference = input.reference ?? (key ? `key:${key}` : null);
    return recordOfflinePayment(ctx, invoiceId, amountCents, offline!, reference);
  });
}

function attemptOut(a: any) {
  return {
    attempt_id: Number(a.id), invoice_id: Number(a.invoice_id), gateway: a.gateway, amount_cents: Number(a.amount_cents), status: a.status,
    gateway_ref: a.gateway_ref ?? null, decline_code: a.decline_code ?? null, message: a.message ?? null, retry_of: a.retry_of ? Number(a.retry_of) : null,
  };
}

function declined(a: any): AppError {
  return new AppError('payment_declined', `The ${a.gateway} payment was declined${a.message ? `: ${a.message}` : ''}.`, 402, {
    extra: { attempt_id: Number(a.id), invoice_id: Number(a.invoice_id), decline_code: a.decline_code ?? null },
  });
}

export interface ChargeInput {
  invoiceId: number;
  amountCents?: number;
  gateway?: GatewayName;
  attemptKey: string;
  retryOf?: number | null;
  automatic?: boolean;
}

/**
 * Charges the subscriber's saved method for an invoice, at most once per attempt key. The attempt row is
 * committed before the gateway is called; a repeat finds it and returns its outcome, and an attempt whose outcome
 * is unknown is re-sent only to gateways that deduplicate by their own idempotency header.
 */
export async function chargeInvoice(ctx: ServiceContext, input: ChargeInput) {
  let attempt = await ctx.db('payment_attempts').where({ attempt_key: input.attemptKey }).first();
  let invoice: any;
  let bc = null as Awaited<ReturnType<typeof loadBillingCustomer>>;
  if (attempt) {
    invoice = await ctx.db('invoices').where({ id: attempt.invoice_id }).first();
    bc = await loadBillingCustomer(ctx.db, Number(invoice.customer_id));
    if (attempt.status === 'succeeded' || attempt.status === 'pending') return { ...attemptOut(attempt), invoice: await getInvoice(ctx.db, Number(attempt.invoice_id)) };
    if (attempt.status === 'declined') throw declined(attempt);
    const gw = await gatewayFor(ctx, attempt.gateway);
    if (!gw.idempotentRetries) {
      throw new AppError('payment_outcome_unknown', `The earlier ${attempt.gateway} charge for this key got no answer and ${attempt.gateway} cannot deduplicate a resend; its webhook will settle it.`, 409, { extra: { attempt_id: Number(attempt.id) } });
    }
  } else {
    invoice = await ctx.db('invoices').where({ id: input.invoiceId }).first();
    if (!invoice) throw new AppError('invoice_not_found', `Invoice ${input.invoiceId} was not found.`, 404);
    bc = await loadBillingCustomer(ctx.db, Number(invoice.customer_id));
    const gateway = input.gateway ?? (isGateway(bc?.payment_method) ? bc!.payment_method : null);
    if (!gateway) throw new AppError('missing_gateway', 'Name a gateway (stripe, viva, revolut, paypal) or save one as the customer\'s payment method.', 422, { details: { gateway: 'required' } });
    if (!bc?.payment_method_ref || bc.payment_method !== gateway) {
      throw new AppError('missing_payment_method_ref', `The customer has no saved ${gateway} payment method; save it with save_billing_customer.`, 422, { details: { payment_method_ref: 'required' } });
    }
    await gatewayFor(ctx, gateway); // refuses a gateway without credentials before an attempt is recorded
    // The balance check and the attempt row are one locked step, and an invoice has at most one charge whose
    // outcome is open: two different keys racing on one invoice must not both reach the gateway.
    const id = await ctx.db.transaction(async (trx) => {
      const inv = await forUpdate(trx, trx('invoices').where({ id: invoice.id }).first());
      if (inv.status === 'cancelled') throw new AppError('invoice_cancelled', 'The invoice is cancelled; it cannot take payments.', 409);
      if (inv.status === 'void') throw new AppError('invoice_void', 'The invoice is void; it cannot take payments.', 409);
      const balance = Number(inv.total_cents) - Number(inv.paid_cents);
      if (balance <= 0) throw new AppError('invoice_already_paid', `Invoice ${invoiceRef(inv.series, Number(inv.number))} is already paid.`, 409);
      const amount = input.amountCents ?? balance;
      if (amount <= 0) throw new AppError('invalid_amount', 'The amount must be more than zero.', 422, { details: { amount: '> 0' } });
      if (amount > balance) throw new AppError('amount_exceeds_balance', `The amount is more than the balance of ${(balance / 100).toFixed(2)} EUR.`, 422, { details: { amount: `max ${balance} cents` } });
      const open = await trx('payment_attempts').where({ invoice_id: inv.id }).whereIn('status', ['processing', 'pending', 'unknown']).first('id', 'status');
      if (open) {
        throw new AppError('payment_in_progress', `Another charge for this invoice (attempt ${open.id}) is still ${open.status}; wait for its outcome before charging again.`, 409, {
          extra: { attempt_id: Number(open.id) },
        });
      }
      const now = nowUtc();
      return insertId(trx, 'payment_attempts', {
        attempt_key: input.attemptKey, gateway, invoice_id: inv.id, customer_id: inv.customer_id, amount_cents: amount, status: 'processing',
        retry_of: input.retryOf ?? null, automatic: !!input.automatic, created_at: now, updated_at: now,
      });
    });
    attempt = await ctx.db('payment_attempts').where({ id }).first();
  }

  const gw = await gatewayFor(ctx, attempt.gateway);
  const ref = invoiceRef(invoice.series, Number(invoice.number));
  let result;
  try {
    result = await gw.charge({
      idempotencyKey: `ispgate-${ctx.tenant.slug}-attempt-${attempt.id}`,
      invoiceRef: ref,
      amountCents: Number(attempt.amount_cents),
      currency: invoice.currency,
      customerRef: bc?.gateway_customer_ref ?? null,
      methodRef: bc?.payment_method_ref ?? '',
      description: `Invoice ${ref}`,
    });
  } catch (e) {
    const unknown = isAppError(e) && e.code === 'payment_gateway_unreachable';
    await ctx.db('payment_attempts').where({ id: attempt.id }).update({
      status: unknown ? 'unknown' : 'error',
      gateway_ref: (isAppError(e) && (e.extra?.gateway_ref as string)) || attempt.gateway_ref || null,
      message: String((e as Error).message).slice(0, 255),
      updated_at: nowUtc(),
    });
    throw e;
  }

  let becamePaid = false;
  await ctx.db.transaction(async (trx) => {
    const now = nowUtc();
    const status = result.status;
    await trx('payment_attempts').where({ id: attempt.id }).update({
      status, gateway_ref: result.gatewayRef, decline_code: result.declineCode ?? null, message: result.message ? String(result.message).slice(0, 255) : null, updated_at: now,
    });
    if (status === 'succeeded') {
      try {
        const applied = await applyPayment(trx, Number(invoice.id), { amountCents: result.amountCents || Number(attempt.amount_cents), method: attempt.gateway, reference: result.gatewayRef ?? `attempt-${attempt.id}`, attemptId: Number(attempt.id) });
        becamePaid = applied.becamePaid;
      } catch (e) {
        if (!isAppError(e)) throw e;
        // The gateway took the money but the invoice closed while we waited (cash, DIAS, cancelled). Rolling back
        // would leave the attempt "processing" and answer an error for money really taken: keep it as received and
        // visible for a refund or manual allocation, exactly as the webhook path does.
        ctx.log.warn('gateway payment could not be applied; needs a refund or manual allocation', { attempt_id: Number(attempt.id), reason: e.code });
        await trx('payment_attempts').where({ id: attempt.id }).update({ message: `received but not applied: ${e.code}`, updated_at: now });
      }
    } else if (status === 'declined') {
      await emit(trx, 'payment.failed', {
        invoice_id: Number(invoice.id), customer_id: Number(invoice.customer_id), invoice_no: ref, gateway: attempt.gateway, attempt_id: Number(attempt.id),
        amount_cents: Number(attempt.amount_cents), decline_code: result.declineCode ?? null, message: result.message ?? null,
      });
    }
  });
  if (becamePaid) await liftIfSettled(ctx, Number(invoice.customer_id));
  const fresh = await ctx.db('payment_attempts').where({ id: attempt.id }).first();
  if (fresh.status === 'declined') throw declined(fresh);
  return { ...attemptOut(fresh), invoice: await getInvoice(ctx.db, Number(invoice.id)) };
}

export async function recordOfflinePayment(ctx: ServiceContext, invoiceId: number, amountCents: number | undefined, method: string, reference: string | null) {
  let becamePaid = false;
  let customerId = 0;
  const out = await ctx.db.transaction(async (trx) => {
    const inv = await forUpdate(trx, trx('invoices').where({ id: invoiceId }).first());
    if (!inv) throw new AppError('invoice_not_found', `Invoice ${invoiceId} was not found.`, 404);
    customerId = Number(inv.customer_id);
    const amount = amountCents ?? Number(inv.total_cents) - Number(inv.paid_cents);
    const r = await applyPayment(trx, invoiceId, { amountCents: amount, method, reference });
    if (r.duplicate) throw new AppError('duplicate_payment_reference', `A ${method} payment with reference "${reference}" is already recorded.`, 409);
    becamePaid = r.becamePaid;
    return { amount };
  });
  if (becamePaid) await liftIfSettled(ctx, customerId);
  return { invoice_id: invoiceId, method, amount_cents: out.amount, status: 'succeeded', invoice: await getInvoice(ctx.db, invoiceId) };
}

/** Every outstanding invoice of a subscriber, oldest first; stops at the first decline and says where. */
export async function bulkPay(ctx: ServiceContext, input: { customerId: number; gateway?: GatewayName; method?: string; amountCents?: number; key: string; reference?: string | null }) {
  const open = await ctx.db('invoices').where({ customer_id: input.customerId }).whereIn('status', ['unpaid', 'overdue']).whereRaw('total_cents > paid_cents').orderBy([{ column: 'issue_date' }, { column: 'id' }]);
  await requireCustomer(ctx.db, { id: input.customerId });
  if (open.length === 0) throw new AppError('nothing_to_pay', 'The customer has no outstanding invoices.', 409);
  const outstanding = open.reduce((s, i) => s + Number(i.total_cents) - Number(i.paid_cents), 0);
  let left = input.amountCents ?? outstanding;
  if (left > outstanding) throw new AppError('amount_exceeds_balance', `The amount is more than the outstanding ${(outstanding / 100).toFixed(2)} EUR.`, 422, { details: { amount: `max ${outstanding} cents` } });
  const results: unknown[] = [];
  for (const inv of open) {
    if (left <= 0) break;
    const amount = Math.min(left, Number(inv.total_cents) - Number(inv.paid_cents));
    try {
      if (input.gateway || !input.method) {
        const r = await chargeInvoice(ctx, { invoiceId: Number(inv.id), amountCents: amount, gateway: input.gateway, attemptKey: `${input.key}:${inv.id}` });
        results.push({ invoice_id: Number(inv.id), status: r.status, amount_cents: r.amount_cents, attempt_id: r.attempt_id });
        // an attempt replayed from an earlier run carries its own amount
        left -= r.amount_cents;
        if (r.status !== 'succeeded') break;
      } else {
        const reference = input.reference ? `${input.reference}#${inv.id}` : `bulk:${input.key}:${inv.id}`;
        const r = await recordOfflinePayment(ctx, Number(inv.id), amount, input.method, reference);
        results.push({ invoice_id: Number(inv.id), status: r.status, amount_cents: r.amount_cents });
        left -= amount;
      }
    } catch (e) {
      if (isAppError(e) && e.code === 'payment_declined') {
        results.push({ invoice_id: Number(inv.id), status: 'declined', amount_cents: amount, attempt_id: e.extra?.attempt_id, decline_code: e.extra?.decline_code });
        break;
      }
      // Once money has moved, an error must not become the answer: it would hide the payments made, and a retry
      // with the same key would recompute the allocation over fewer invoices and spend the amount a second time.
      // Report where it stopped; the answer is stored for the key like any other.
      const moved = results.some((r: any) => r.status === 'succeeded' || r.status === 'pending');
      if (!isAppError(e) || !moved) throw e;
      results.push({ invoice_id: Number(inv.id), status: 'error', amount_cents: amount, error: e.code, message: e.message, ...(e.extra?.attempt_id ? { attempt_id: e.extra.attempt_id } : {}) });
      break;
    }
  }
  const paidCents = results.reduce<number>((s, r: any) => s + (r.status === 'succeeded' ? r.amount_cents : 0), 0);
  return { customer_id: input.customerId, outstanding_before_cents: outstanding, paid_cents: paidCents, outstanding_after_cents: outstanding - paidCents, results };
}

/** A new charge for the balance after a declined (or errored) one; the old attempt stays as history. */
export async function retryCharge(ctx: ServiceContext, input: { attemptId?: number; invoiceId?: number; key: string }) {
  const prior = input.attemptId
    ? await ctx.db('payment_attempts').where({ id: input.attemptId }).first()
    : await ctx.db('payment_attempts').where({ invoice_id: input.invoiceId }).orderBy('id', 'desc').first();
  if (!prior) throw new AppError('attempt_not_found', input.attemptId ? `Payment attempt ${input.attemptId} was not found.` : `Invoice ${input.invoiceId} has no charge to retry.`, 404);
  // Both given: they must name the same charge, or the caller would charge another invoice than the one it meant.
  if (input.attemptId && input.invoiceId && Number(prior.invoice_id) !== input.invoiceId)
    throw new AppError('attempt_invoice_mismatch', `Payment attempt ${input.attemptId} belongs to another invoice than ${input.invoiceId}.`, 409, { details: { attempt_id: 'not of this invoice' } });
  const existing = await ctx.db('payment_attempts').where({ attempt_key: `${input.key}:${prior.invoice_id}` }).first('id');
  if (!existing && !['declined', 'error'].includes(prior.status)) {
    throw new AppError('nothing_to_retry', `The last charge is ${prior.status}; only a declined or failed charge can be retried.`, 409, { extra: { attempt_id: Number(prior.id) } });
  }
  return chargeInvoice(ctx, { invoiceId: Number(prior.invoice_id), gateway: prior.gateway, attemptKey: `${input.key}:${prior.invoice_id}`, retryOf: Number(prior.id) });
}

/** Settles an attempt from a verified gateway webhook; safe to receive the same event any number of times. */
export async function settleWebhook(ctx: ServiceContext, evt: WebhookEvent) {
  if (evt.outcome === 'ignored' || !evt.gatewayRef) return { matched: false, outcome: evt.outcome };
  let attempt = await ctx.db('payment_attempts').where({ gateway: evt.gateway, gateway_ref: evt.gatewayRef }).first();
  if (!attempt && evt.invoiceRef) {
    // The charge's answer was lost, so we never learnt the gateway's id: the invoice reference names the attempt.
    const m = /^([A-Z0-9]{1,10})-(\d{1,9})$/.exec(evt.invoiceRef);
    const inv = m ? await ctx.db('invoices').where({ series: m[1], number: Number(m[2]) }).first('id') : null;
    if (inv) {
      const open = await ctx.db('payment_attempts').where({ gateway: evt.gateway, invoice_id: inv.id }).whereNull('gateway_ref').whereIn('status', ['unknown', 'processing']).orderBy('id', 'desc').first();
      if (open) {
        await ctx.db('payment_attempts').where({ id: open.id }).update({ gateway_ref: evt.gatewayRef, updated_at: nowUtc() });
        attempt = { ...open, gateway_ref: evt.gatewayRef };
      }
    }
  }
  if (!attempt) {
    ctx.log.warn('gateway webhook for an unknown payment', { gateway: evt.gateway, gateway_ref: evt.gatewayRef, type: evt.type });
    return { matched: false, outcome: evt.outcome };
  }
  let becamePaid = false;
  await ctx.db.transaction(async (trx) => {
    const a = await forUpdate(trx, trx('payment_attempts').where({ id: attempt.id }).first());
    const now = nowUtc();
    if (evt.outcome === 'succeeded') {
      if (a.status !== 'succeeded') await trx('payment_attempts').where({ id: a.id }).update({ status: 'succeeded', updated_at: now });
      try {
        const r = await applyPayment(trx, Number(a.invoice_id), { amountCents: evt.amountCents ?? Number(a.amount_cents), method: a.gateway, reference: evt.gatewayRef, attemptId: Number(a.id) });
        becamePaid = r.becamePaid;
      } catch (e) {
        if (!isAppError(e)) throw e;
        // Money arrived for an invoice closed meanwhile (paid another way, cancelled): keep it visible for a refund.
        ctx.log.warn('gateway payment could not be applied; needs a refund or manual allocation', { attempt_id: Number(a.id), reason: e.code });
        await trx('payment_attempts').where({ id: a.id }).update({ message: `received but not applied: ${e.code}`, updated_at: now });
      }
    } else if (evt.outcome === 'failed') {
      if (a.status !== 'declined' && a.status !== 'succeeded') {
        await trx('payment_attempts').where({ id: a.id }).update({ status: 'declined', message: evt.message ?? a.message ?? null, updated_at: now });
        const inv = await trx('invoices').where({ id: a.invoice_id }).first('series', 'number', 'customer_id');
        await emit(trx, 'payment.failed', {
          invoice_id: Number(a.invoice_id), customer_id: Number(inv.customer_id), invoice_no: invoiceRef(inv.series, Number(inv.number)), gateway: a.gateway,
          attempt_id: Number(a.id), amount_cents: Number(a.amount_cents), decline_code: evt.type, message: evt.message ?? null,
        });
      }
    } else if (evt.outcome === 'pending' && (a.status === 'processing' || a.status === 'unknown')) {
      await trx('payment_attempts').where({ id: a.id }).update({ status: 'pending', updated_at: now });
    }
  });
  if (becamePaid) await liftIfSettled(ctx, Number(attempt.customer_id));
  return { matched: true, outcome: evt.outcome, attempt_id: Number(attempt.id) };
}

/**
 * DIAS reconciliation: a line pays an invoice when its RF code matches and its amount equals the balance
 * exactly; partial and over-payments go to manual review, as the banks advise. A bank reference seen before is a
 * duplicate, so importing the same file twice changes nothing.
 */
export async function diasImport(ctx: ServiceContext, content: string | Buffer) {
  const parsed = parseDiasCsv(content);
  const matched: unknown[] = [];
  const unmatched: unknown[] = [];
  const duplicates: unknown[] = [];
  const customers = new Set<number>();
  for (const row of parsed.rows) {
    const base = { line: row.line, rf_code: row.rfCode, amount_cents: row.amountCents, date: row.date, bank_reference: row.bankReference };
    const inv = await ctx.db('invoices').where({ rf_code: row.rfCode }).first();
    if (!inv) {
      unmatched.push({ ...base, reason: 'unknown_rf_code' });
      continue;
    }
    if (await ctx.db('payments').where({ method: 'dias', reference: row.bankReference }).first('id')) {
      duplicates.push({ ...base, invoice_id: Number(inv.id) });
      continue;
    }
    const balance = Number(inv.total_cents) - Number(inv.paid_cents);
    const reason = inv.status === 'cancelled' ? 'invoice_cancelled' : inv.status === 'void' ? 'invoice_void' : balance <= 0 ? 'already_paid' : row.amountCents !== balance ? 'amount_mismatch' : null;
    if (reason) {
      unmatched.push({ ...base, invoice_id: Number(inv.id), balance_cents: balance, reason });
      continue;
    }
    try {
      const r = await ctx.db.transaction((trx) => applyPayment(trx, Number(inv.id), { amountCents: row.amountCents, method: 'dias', reference: row.bankReference, paidOn: row.date }));
      if (r.duplicate) duplicates.push({ ...base, invoice_id: Number(inv.id) });
      else {
        matched.push({ ...base, invoice_id: Number(inv.id), invoice_no: invoiceRef(inv.series, Number(inv.number)) });
        customers.add(Number(inv.customer_id));
      }
    } catch (e) {
      if (!isAppError(e)) throw e;
      unmatched.push({ ...base, invoice_id: Number(inv.id), reason: e.code });
    }
  }
  for (const c of customers) await liftIfSettled(ctx, c);
  return {
    lines: parsed.rows.length + parsed.errors.length,
    matched_count: matched.length,
    unmatched_count: unmatched.length,
    duplicate_count: duplicates.length,
    error_count: parsed.errors.length,
    matched,
    unmatched,
    duplicates,
    errors: parsed.errors,
    imported_on: await localToday(ctx.db),
  };
}

export interface ListPaymentsInput {
  customerId?: number;
  /** One method (cash, bank_transfer, dias, manual, or a gateway's name), or 'gateway' for every gateway payment. */
  method?: string;
  gateway?: GatewayName;
  /** Paid on or after / on or before, YYYY-MM-DD (the paid_on date, the installation's calendar day). */
  from?: string;
  to?: string;
  invoiceId?: number;
  /** The invoice reference as printed, SERIES-000012 (see invoiceRef). */
  invoiceNo?: string;
  page: number;
  perPage: number;
}

/**
 * Payments received, newest first, with the invoice they paid and the subscriber, and totals over the whole
 * filtered list (count, amount, and per method) so a day's or a month's takings read off one call.
 */
export async function listPayments(db: Knex, input: ListPaymentsInput) {
  if (input.from && input.to && input.from > input.to) {
    throw new AppError('invalid_date_range', `The range ends (${input.to}) before it starts (${input.from}).`, 422, { details: { to: 'on or after from' } });
  }
  let invoice: { series: string; number: number } | null = null;
  if (input.invoiceNo !== undefined) {
    const m = /^([A-Za-z0-9]{1,10})-(\d{1,9})$/.exec(input.invoiceNo.trim());
    if (!m) throw new AppError('invalid_invoice_no', 'An invoice number reads SERIES-NUMBER, as printed (A-000012).', 422, { details: { invoice_no: 'SERIES-NUMBER' } });
    invoice = { series: m[1].toUpperCase(), number: Number(m[2]) };
  }
  if (input.method && input.gateway && input.method !== 'gateway' && input.method !== input.gateway) {
    throw new AppError('invalid_method', `method ${input.method} and gateway ${input.gateway} contradict each other; send one of them.`, 422, { details: { method: 'contradicts gateway' } });
  }
  const base = () => {
    const q = db('payments as p').join('invoices as i', 'i.id', 'p.invoice_id');
    if (input.customerId !== undefined) q.where('p.customer_id', input.customerId);
    if (input.gateway) q.where('p.method', input.gateway);
    else if (input.method === 'gateway') q.whereIn('p.method', GATEWAY_NAMES as readonly string[]);
    else if (input.method) q.where('p.method', input.method);
    if (input.from) q.where('p.paid_on', '>=', input.from);
    if (input.to) q.where('p.paid_on', '<=', input.to);
    if (input.invoiceId !== undefined) q.where('p.invoice_id', input.invoiceId);
    if (invoice) q.where({ 'i.series': invoice.series, 'i.number': invoice.number });
    return q;
  };
  const byMethod = (await base().select('p.method').count({ n: '*' }).sum({ cents: 'p.amount_cents' }).groupBy('p.method').orderBy('p.method')) as Array<{ method: string; n: number | string; cents: number | string | null }>;
  const total = byMethod.reduce((a, r) => a + Number(r.n), 0);
  const rows = await base()
    .leftJoin('customers as c', 'c.id', 'p.customer_id')
    .select('p.*', 'i.series', 'i.number', 'i.currency', 'c.username', 'c.fullname')
    .orderBy([{ column: 'p.paid_on', order: 'desc' }, { column: 'p.id', order: 'desc' }])
    .limit(input.perPage)
    .offset((input.page - 1) * input.perPage);
  const items = rows.map((r) => ({
    id: Number(r.id),
    invoice_id: Number(r.invoice_id),
    invoice_no: invoiceRef(r.series, Number(r.number)),
    customer_id: Number(r.customer_id),
    username: r.username ?? null,
    fullname: r.fullname ?? null,
    amount_cents: Number(r.amount_cents),
    currency: r.currency,
    method: r.method,
    gateway: isGateway(r.method) ? r.method : null,
    reference: r.reference ?? null,
    attempt_id: r.attempt_id === null || r.attempt_id === undefined ? null : Number(r.attempt_id),
    paid_on: String(r.paid_on).slice(0, 10),
    created_at: toIso(r.created_at),
  }));
  const totals = {
    count: total,
    amount_cents: byMethod.reduce((a, r) => a + Number(r.cents ?? 0), 0),
    by_method: Object.fromEntries(byMethod.map((r) => [r.method, { count: Number(r.n), amount_cents: Number(r.cents ?? 0) }])),
  };
  return { items, meta: { ...pageMeta(input.page, input.perPage, total), totals } };
}

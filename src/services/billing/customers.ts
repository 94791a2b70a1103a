import type { Knex } from 'knex';
import { GATEWAY_NAMES } from '../../adapters/payments';
import { checkExemption, parseVatRate, type VatRate } from '../../domain/vat';
import { AppError } from '../../errors';
import { isSqlite, nowUtc } from '../../db/knex';
import type { ServiceContext } from '../context';
import { requireCustomer } from '../network/customers';
import { SERIES_RE, assertNotCreditNoteSeries, ensureSeries, loadSettings } from './settings';

export const PAYMENT_METHODS = ['dias', 'cash', 'bank_transfer', ...GATEWAY_NAMES] as const;
export const OFFLINE_METHODS = ['dias', 'cash', 'bank_transfer', 'manual'] as const;

export interface BillingCustomer {
  customer_id: number;
  billing_cycle: 'monthly' | 'none';
  vat_rate: VatRate | null;
  vat_exemption_code: string | null;
  payment_method: string | null;
  gateway_customer_ref: string | null;
  payment_method_ref: string | null;
  auto_charge: boolean;
  invoice_email: string | null;
  series: string | null;
  suspended_by_billing: boolean;
}

export function serializeBillingCustomer(r: any): BillingCustomer {
  return {
    customer_id: Number(r.customer_id),
    billing_cycle: r.billing_cycle,
    vat_rate: r.vat_rate === null || r.vat_rate === undefined ? null : (Number(r.vat_rate) as VatRate),
    vat_exemption_code: r.vat_exemption_code ?? null,
    payment_method: r.payment_method ?? null,
    gateway_customer_ref: r.gateway_customer_ref ?? null,
    payment_method_ref: r.payment_method_ref ?? null,
    auto_charge: !!Number(r.auto_charge),
    invoice_email: r.invoice_email ?? null,
    series: r.series ?? null,
    suspended_by_billing: !!Number(r.suspended_by_billing),
  };
}

export async function loadBillingCustomer(db: Knex, customerId: number): Promise<BillingCustomer | null> {
  const r = await db('billing_customers').where({ customer_id: customerId }).first();
  return r ? serializeBillingCustomer(r) : null;
}

/**
 * Billing actions name a subscriber by `customer_id` or by `username` (the reference API's key). Usernames are
 * unique regardless of case on both databases, so the look-up folds case too. Given both, they must agree.
 */
export async function resolveCustomerId(db: Knex, ref: { customer_id?: number; username?: string }, opts: { required?: boolean } = { required: true }): Promise<number | undefined> {
  if (ref.username === undefined) {
    if (ref.customer_id === undefined && opts.required !== false) {
      throw new AppError('missing_customer_id', 'Name the subscriber: customer_id or username.', 422, { details: { customer_id: 'required (or username)' } });
    }
    return ref.customer_id;
  }
  const q = db('customers').first('id');
  if (isSqlite(db)) q.whereRaw('ispgate_fold(username) = ispgate_fold(?)', [ref.username]);
  else q.where('username', ref.username);
  const row = await q;
  if (!row) throw new AppError('customer_not_found', `No subscriber has the username "${ref.username.slice(0, 64)}".`, 404);
  const id = Number(row.id);
  if (ref.customer_id !== undefined && ref.customer_id !== id) {
    throw new AppError('customer_mismatch', `customer_id ${ref.customer_id} is not the subscriber "${ref.username.slice(0, 64)}" (id ${id}); send one of them.`, 422, { details: { username: 'does not match customer_id' } });
  }
  return id;
}

export interface SaveBillingCustomerInput {
  customer_id: number;
  billing_cycle?: string;
  vat_rate?: string | number | null;
  vat_exemption_code?: string | null;
  payment_method?: string | null;
  gateway_customer_ref?: string | null;
  payment_method_ref?: string | null;
  auto_charge?: boolean;
  invoice_email?: string | null;
  series?: string | null;
}

export async function saveBillingCustomer(ctx: ServiceContext, input: SaveBillingCustomerInput): Promise<BillingCustomer> {
  return ctx.db.transaction(async (trx) => {
    await requireCustomer(trx, { id: input.customer_id });
    const settings = await loadSettings(trx);
    const cur = (await loadBillingCustomer(trx, input.customer_id)) ?? {
      customer_id: input.customer_id, billing_cycle: 'monthly', vat_rate: null, vat_exemption_code: null, payment_method: null,
      gateway_customer_ref: null, payment_method_ref: null, auto_charge: false, invoice_email: null, series: null, suspended_by_billing: false,
    };
    const next: BillingCustomer = { ...cur };
    const str = (v: string | null | undefined, prev: string | null) => (v === undefined ? prev : v === null || String(v).trim() === '' ? null : String(v).trim());
    if (input.billing_cycle !== undefined) {
      if (input.billing_cycle !== 'monthly' && input.billing_cycle !== 'none') {
        throw new AppError('invalid_billing_cycle', 'billing_cycle is "monthly" or "none" (not billed by generate_invoices_month).', 422, { details: { billing_cycle: 'monthly|none' } });
      }
      next.billing_cycle = input.billing_cycle;
    }
    if (input.vat_rate !== undefined) next.vat_rate = input.vat_rate === null || input.vat_rate === '' ? null : parseVatRate(input.vat_rate);
    if (next.vat_rate !== null && !settings.vatRates.includes(next.vat_rate)) {
      throw new AppError('invalid_vat_rate', `VAT ${next.vat_rate}% is not offered in the billing settings (${settings.vatRates.join(', ')}).`, 422, { details: { vat_rate: 'not offered' } });
    }
    next.vat_exemption_code = str(input.vat_exemption_code, cur.vat_exemption_code);
    if (next.vat_rate !== 0 && input.vat_rate !== undefined && input.vat_exemption_code === undefined) next.vat_exemption_code = null;
    next.vat_exemption_code = checkExemption((next.vat_rate ?? settings.defaultVatRate) as VatRate, next.vat_exemption_code);
    if (input.payment_method !== undefined) {
      const m = str(input.payment_method, null);
      if (m !== null && !(PAYMENT_METHODS as readonly string[]).includes(m)) {
        throw new AppError('invalid_payment_method', `payment_method is one of ${PAYMENT_METHODS.join(', ')}.`, 422, { details: { payment_method: 'unknown' } });
      }
      next.payment_method = m;
    }
    next.gateway_customer_ref = str(input.gateway_customer_ref, cur.gateway_customer_ref);
    next.payment_method_ref = str(input.payment_method_ref, cur.payment_method_ref);
    if (input.auto_charge !== undefined) next.auto_charge = input.auto_charge;
    const isGateway = (GATEWAY_NAMES as readonly string[]).includes(next.payment_method ?? '');
    if (next.auto_charge && !isGateway) {
      throw new AppError('invalid_auto_charge', 'Automatic charging needs a card gateway (stripe, viva, revolut, paypal) as payment_method.', 422, { details: { auto_charge: 'needs a gateway' } });
    }
    if (isGateway && !next.payment_method_ref) {
      throw new AppError('missing_payment_method_ref', `A ${next.payment_method} payment method needs the saved method reference from the gateway.`, 422, { details: { payment_method_ref: 'required' } });
    }
    next.invoice_email = str(input.invoice_email, cur.invoice_email);
    if (next.invoice_email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(next.invoice_email)) {
      throw new AppError('invalid_invoice_email', `"${next.invoice_email}" is not an e-mail address.`, 422, { details: { invoice_email: 'invalid' } });
    }
    if (input.series !== undefined) {
      const s = str(input.series, null)?.toUpperCase() ?? null;
      if (s !== null && !SERIES_RE.test(s)) throw new AppError('invalid_series', 'A series code is 1 to 10 letters A–Z or digits.', 422, { details: { series: 'A-Z0-9' } });
      if (s) await assertNotCreditNoteSeries(trx, s, 'invalid_series', 'series');
      if (s) await ensureSeries(trx, s);
      next.series = s;
    }
    const row = { ...next, auto_charge: next.auto_charge, suspended_by_billing: next.suspended_by_billing, updated_at: nowUtc() };
    await trx('billing_customers').insert({ ...row, created_at: nowUtc() }).onConflict('customer_id').merge(Object.keys(row));
    return next;
  });
}

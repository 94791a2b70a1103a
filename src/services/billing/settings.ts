import type { Knex } from 'knex';
import { GATEWAY_CREDENTIAL_FIELDS, GATEWAY_NAMES, type GatewayCredentials, type GatewayName } from '../../adapters/payments';
import { isValidAfm, normalizeAfm } from '../../domain/afm';
import { VAT_RATES, parseVatRate, type VatRate } from '../../domain/vat';
import { AppError } from '../../errors';
import { nowUtc, parseJson } from '../../db/knex';
import type { ServiceContext } from '../context';

export interface BillingSettings {
  companyName: string | null;
  companyAfm: string | null;
  companyDoy: string | null;
  companyAddress: string | null;
  companyCity: string | null;
  companyPostalCode: string | null;
  companyEmail: string | null;
  companyPhone: string | null;
  currency: 'EUR';
  defaultVatRate: VatRate;
  vatRates: VatRate[];
  pricesIncludeVat: boolean;
  billingCycle: 'monthly';
  issueDay: number;
  dueDays: number;
  graceDays: number;
  defaultSeries: string;
  gatewaysEnc: string | null;
}

export const SERIES_RE = /^[A-Z0-9]{1,10}$/;

/** Credit notes number in series of their own (e-invoice settings `credit_note_series_*`); these when unset. */
export const CREDIT_NOTE_SERIES_DEFAULTS = { business: 'CN', retail: 'CNR' } as const;

/** Refuses to number invoices in a credit-note series: the two kinds of document would interleave in one sequence. */
export async function assertNotCreditNoteSeries(db: Knex, code: string, errorCode: string, field: string): Promise<void> {
  const rows = await db('settings').whereIn('key', ['einvoice.credit_note_series_business', 'einvoice.credit_note_series_retail']).select('key', 'value');
  const set = (k: string) => parseJson<string | null>(rows.find((r) => r.key === `einvoice.credit_note_series_${k}`)?.value, null);
  const codes = [set('business') ?? CREDIT_NOTE_SERIES_DEFAULTS.business, set('retail') ?? CREDIT_NOTE_SERIES_DEFAULTS.retail];
  if (codes.includes(code)) {
    throw new AppError(errorCode, `Series ${code} numbers credit notes (e-invoice settings); invoices need another series.`, 422, { details: { [field]: 'credit-note series' } });
  }
}

const DEFAULTS: BillingSettings = {
  companyName: null, companyAfm: null, companyDoy: null, companyAddress: null, companyCity: null, companyPostalCode: null,
  companyEmail: null, companyPhone: null, currency: 'EUR', defaultVatRate: 24, vatRates: [...VAT_RATES], pricesIncludeVat: true,
  billingCycle: 'monthly', issueDay: 1, dueDays: 15, graceDays: 10, defaultSeries: 'A', gatewaysEnc: null,
};

export async function loadSettings(db: Knex): Promise<BillingSettings> {
  const row = await db('billing_settings').where({ id: 1 }).first();
  if (!row) return { ...DEFAULTS };
  return {
    companyName: row.company_name, companyAfm: row.company_afm, companyDoy: row.company_doy, companyAddress: row.company_address,
    companyCity: row.company_city, companyPostalCode: row.company_postal_code, companyEmail: row.company_email, companyPhone: row.company_phone,
    currency: 'EUR', defaultVatRate: Number(row.default_vat_rate) as VatRate, vatRates: parseJson<VatRate[]>(row.vat_rates, [...VAT_RATES]),
    pricesIncludeVat: !!Number(row.prices_include_vat), billingCycle: 'monthly', issueDay: Number(row.issue_day), dueDays: Number(row.due_days),
    graceDays: Number(row.grace_days), defaultSeries: row.default_series, gatewaysEnc: row.gateways_enc,
  };
}

/** Sealed credentials, opened; an absent gateway is undefined. */
export function openGateways(ctx: Pick<ServiceContext, 'secrets'>, s: BillingSettings): Partial<Record<GatewayName, GatewayCredentials>> {
  if (!s.gatewaysEnc) return {};
  return JSON.parse(ctx.secrets.decrypt(s.gatewaysEnc));
}

/** What the API may show: never a credential, only which gateways are configured. */
export function publicSettings(s: BillingSettings, gateways: Partial<Record<GatewayName, GatewayCredentials>>) {
  return {
    company_name: s.companyName, company_afm: s.companyAfm, company_doy: s.companyDoy, company_address: s.companyAddress,
    company_city: s.companyCity, company_postal_code: s.companyPostalCode, company_email: s.companyEmail, company_phone: s.companyPhone,
    currency: s.currency, default_vat_rate: s.defaultVatRate, vat_rates: s.vatRates, prices_include_vat: s.pricesIncludeVat,
    billing_cycle: s.billingCycle, issue_day: s.issueDay, due_days: s.dueDays, grace_days: s.graceDays, default_series: s.defaultSeries,
    gateways_configured: GATEWAY_NAMES.filter((g) => gateways[g] && Object.keys(gateways[g]!).length > 0),
  };
}

export interface SaveSettingsInput {
  company_name?: string | null;
  company_afm?: string | null;
  company_doy?: string | null;
  company_address?: string | null;
  company_city?: string | null;
  company_postal_code?: string | null;
  company_email?: string | null;
  company_phone?: string | null;
  currency?: string;
  default_vat_rate?: string | number;
  vat_rates?: Array<string | number>;
  prices_include_vat?: boolean;
  billing_cycle?: string;
  issue_day?: number;
  due_days?: number;
  grace_days?: number;
  default_series?: string;
  /** { stripe: { secret_key, webhook_secret }, … }; a gateway given replaces its stored credentials, "" clears a field */
  gateways?: Record<string, Record<string, string>>;
}

export async function saveSettings(ctx: ServiceContext, input: SaveSettingsInput) {
  return ctx.db.transaction(async (trx) => {
    const cur = await loadSettings(trx);
    const next: BillingSettings = { ...cur };
    const str = (v: string | null | undefined, prev: string | null) => (v === undefined ? prev : v === null || v.trim() === '' ? null : v.trim());
    next.companyName = str(input.company_name, cur.companyName);
    next.companyDoy = str(input.company_doy, cur.companyDoy);
    next.companyAddress = str(input.company_address, cur.companyAddress);
    next.companyCity = str(input.company_city, cur.companyCity);
    next.companyPostalCode = str(input.company_postal_code, cur.companyPostalCode);
    next.companyEmail = str(input.company_email, cur.companyEmail);
    next.companyPhone = str(input.company_phone, cur.companyPhone);
    if (input.company_afm !== undefined) {
      const afm = input.company_afm ? normalizeAfm(input.company_afm) : '';
      if (afm && !isValidAfm(afm)) throw new AppError('invalid_company_afm', `"${input.company_afm}" is not a valid Greek VAT number (ΑΦΜ): nine digits with a valid check digit.`, 422, { details: { company_afm: 'invalid ΑΦΜ' } });
      next.companyAfm = afm || null;
    }
    if (input.currency !== undefined && input.currency.toUpperCase() !== 'EUR') {
      throw new AppError('invalid_currency', 'Only EUR is supported: Greek invoices and DIAS settle in euro.', 422, { details: { currency: 'EUR only' } });
    }
    if (input.vat_rates !== undefined) {
      const rates = [...new Set(input.vat_rates.map((r) => parseVatRate(r, 'vat_rates')))];
      if (rates.length === 0) throw new AppError('invalid_vat_rates', 'Offer at least one VAT rate.', 422, { details: { vat_rates: 'empty' } });
      next.vatRates = rates;
    }
    if (input.default_vat_rate !== undefined) next.defaultVatRate = parseVatRate(input.default_vat_rate, 'default_vat_rate');
    if (!next.vatRates.includes(next.defaultVatRate)) {
      throw new AppError('invalid_default_vat_rate', `The default VAT rate ${next.defaultVatRate}% is not among the offered rates (${next.vatRates.join(', ')}).`, 422, { details: { default_vat_rate: 'not offered' } });
    }
    if (next.defaultVatRate === 0) throw new AppError('invalid_default_vat_rate', 'The default VAT rate cannot be 0%: exemption is set per customer with its reason.', 422, { details: { default_vat_rate: 'not 0' } });
    if (input.prices_include_vat !== undefined) next.pricesIncludeVat = input.prices_include_vat;
    if (input.billing_cycle !== undefined && input.billing_cycle !== 'monthly') {
      throw new AppError('invalid_billing_cycle', 'The billing cycle is monthly (per-customer "none" excludes a subscriber).', 422, { details: { billing_cycle: 'monthly' } });
    }
    const intIn = (v: number | undefined, prev: number, field: string, min: number, max: number) => {
      if (v === undefined) return prev;
      if (!Number.isInteger(v) || v < min || v > max) throw new AppError(`invalid_${field}`, `${field} must be a whole number from ${min} to ${max}.`, 422, { details: { [field]: `${min}–${max}` } });
      return v;
    };
    next.issueDay = intIn(input.issue_day, cur.issueDay, 'issue_day', 1, 28);
    next.dueDays = intIn(input.due_days, cur.dueDays, 'due_days', 0, 120);
    next.graceDays = intIn(input.grace_days, cur.graceDays, 'grace_days', 0, 365);
    if (input.default_series !== undefined) {
      const s = input.default_series.trim().toUpperCase();
      if (!SERIES_RE.test(s)) throw new AppError('invalid_default_series', 'A series code is 1 to 10 letters A–Z or digits (it goes into the RF payment code).', 422, { details: { default_series: 'A-Z0-9, 1–10' } });
      await assertNotCreditNoteSeries(trx, s, 'invalid_default_series', 'default_series');
      next.defaultSeries = s;
    }
    if (input.gateways !== undefined) {
      const stored = openGateways(ctx, cur);
      for (const [name, fields] of Object.entries(input.gateways)) {
        if (!(GATEWAY_NAMES as readonly string[]).includes(name)) throw new AppError('invalid_gateway', `Unknown gateway "${name}"; use ${GATEWAY_NAMES.join(', ')}.`, 422, { details: { gateways: name } });
        const allowed = GATEWAY_CREDENTIAL_FIELDS[name as GatewayName];
        const merged: GatewayCredentials = { ...(stored[name as GatewayName] ?? {}) };
        for (const [k, v] of Object.entries(fields ?? {})) {
          if (!allowed.includes(k)) throw new AppError('invalid_gateways', `The ${name} gateway takes ${allowed.join(', ')}; "${k}" is not one of them.`, 422, { details: { [`gateways.${name}`]: k } });
          if (v === '' || v === null) delete merged[k];
          else merged[k] = k.endsWith('_base_url') ? vivaUrl(k, String(v).trim()) : String(v).trim();
        }
        stored[name as GatewayName] = merged;
      }
      next.gatewaysEnc = ctx.secrets.encrypt(JSON.stringify(stored));
    }
    const row = {
      company_name: next.companyName, company_afm: next.companyAfm, company_doy: next.companyDoy, company_address: next.companyAddress,
      company_city: next.companyCity, company_postal_code: next.companyPostalCode, company_email: next.companyEmail, company_phone: next.companyPhone,
      currency: 'EUR', default_vat_rate: next.defaultVatRate, vat_rates: JSON.stringify(next.vatRates), prices_include_vat: next.pricesIncludeVat,
      billing_cycle: next.billingCycle, issue_day: next.issueDay, due_days: next.dueDays, grace_days: next.graceDays,
      default_series: next.defaultSeries, gateways_enc: next.gatewaysEnc, updated_at: nowUtc(),
    };
    await trx('billing_settings').insert({ id: 1, ...row }).onConflict('id').merge(Object.keys(row));
    await ensureSeries(trx, next.defaultSeries);
    return publicSettings(next, openGateways(ctx, next));
  });
}

export async function ensureSeries(db: Knex, code: string): Promise<void> {
  // A plain read first: on InnoDB an INSERT IGNORE that meets the existing row takes a shared lock on it, and two
  // transactions that both then number an invoice (SELECT … FOR UPDATE on that row) deadlock. Only a missing series
  // is inserted; one that a concurrent request creates first keeps its counter.
  if (await db('invoice_series').where({ code }).first('id')) return;
  await db('invoice_series').insert({ code, next_number: 1, created_at: nowUtc(), updated_at: nowUtc() }).onConflict('code').ignore();
}

/**
 * Viva's demo and live hosts may be chosen per tenant, but only among Viva's own: the client secret is posted
 * to this URL, and billing staff must not be able to point the server's requests at another (or an internal)
 * host. Anything else — a proxy, a test fake — belongs in VIVA_API_URL / VIVA_ACCOUNTS_URL of the configuration.
 */
function vivaUrl(field: string, value: string): string {
  let u: URL | null = null;
  try {
    u = new URL(value);
  } catch {
    /* refused below */
  }
  const host = u?.hostname.toLowerCase() ?? '';
  if (!u || u.protocol !== 'https:' || u.username || u.password || !(host === 'vivapayments.com' || host.endsWith('.vivapayments.com')))
    throw new AppError('invalid_gateways', `The viva ${field} must be an https URL on vivapayments.com (e.g. https://demo-api.vivapayments.com).`, 422, { details: { [`gateways.viva.${field}`]: 'https://*.vivapayments.com only' } });
  return value;
}

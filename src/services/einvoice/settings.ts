import type { Knex } from 'knex';
import { getSettings, putSettings } from '../core/settings';
import type { SecretBox } from '../../secrets';
import { AppError } from '../../errors';
import { isValidAfm, normalizeAfm } from '../../domain/afm';
import { CREDIT_NOTE_SERIES_DEFAULTS, SERIES_RE } from '../billing/settings';

export const ACTIVE_PROVIDERS = ['mydata', 'elorus'] as const;
export const PLANNED_PROVIDERS = ['impact', 'primer', 'retail_link', 'edpsoft'] as const;
export const PROVIDERS = [...ACTIVE_PROVIDERS, ...PLANNED_PROVIDERS] as const;
export type Provider = (typeof PROVIDERS)[number];
export type ActiveProvider = (typeof ACTIVE_PROVIDERS)[number];

const PREFIX = 'einvoice';

export const MYDATA_ENVS = ['production', 'dev'] as const;
export type MyDataEnv = (typeof MYDATA_ENVS)[number];
/** AADE's two ERP endpoints (the sandbox has no /myDATA segment). */
export const MYDATA_URLS: Record<MyDataEnv, string> = { production: 'https://mydatapi.aade.gr/myDATA', dev: 'https://mydataapidev.aade.gr' };
const MYDATA_DEFAULT_BASE = 'https://mydataapidev.aade.gr';

/**
 * The myDATA base URL for these settings: the chosen environment's, unless MYDATA_BASE_URL was set to something
 * else than its default (a test fake or a proxy), which then wins.
 */
export function myDataBaseUrl(settings: Pick<EinvoiceSettings, 'mydata_env'>, configured?: string): string {
  if (configured && configured.replace(/\/+$/, '') !== MYDATA_DEFAULT_BASE) return configured;
  return MYDATA_URLS[settings.mydata_env] ?? MYDATA_URLS.dev;
}

/** XSD xs:int: what the InvoicesDoc schema accepts for issuer/branch. */
const XS_INT_MAX = 2_147_483_647;
const SECRET_KEYS = ['mydata_subscription_key', 'elorus_api_key', 'vat_lookup_password'] as const;

/** Stored under settings `einvoice.*`; the three secrets sealed with the app key, never returned. */
export interface EinvoiceSettings {
  default_provider: ActiveProvider;
  /** Which myDATA the documents go to: AADE's production service or its development sandbox. Said out loud, never implied. */
  mydata_env: MyDataEnv;
  issuer_afm: string | null;
  issuer_branch: number;
  mydata_user_id: string | null;
  mydata_subscription_key: string | null;
  mydata_xsd_version: '2.0.1' | '1.0.12';
  /** AADE payment type at issue: 5 (on credit) for a bill paid later by RF; another for paid invoices. */
  payment_type_unpaid: number;
  payment_type_paid: number;
  elorus_api_key: string | null;
  elorus_organization_id: string | null;
  elorus_demo: boolean;
  elorus_tax_ids: Record<string, string>;
  elorus_document_types: Record<string, string>;
  vat_lookup_username: string | null;
  vat_lookup_password: string | null;
  vat_lookup_afm_called_by: string | null;
  /** Credit notes are numbered in their own gap-free series, one per document kind: 5.1 (business) and 11.4 (retail). */
  credit_note_series_business: string;
  credit_note_series_retail: string;
}

const DEFAULTS: EinvoiceSettings = {
  default_provider: 'mydata',
  mydata_env: 'dev',
  issuer_afm: null,
  issuer_branch: 0,
  mydata_user_id: null,
  mydata_subscription_key: null,
  mydata_xsd_version: '2.0.1',
  payment_type_unpaid: 5,
  payment_type_paid: 6,
  elorus_api_key: null,
  elorus_organization_id: null,
  elorus_demo: false,
  elorus_tax_ids: {},
  elorus_document_types: {},
  vat_lookup_username: null,
  vat_lookup_password: null,
  vat_lookup_afm_called_by: null,
  credit_note_series_business: CREDIT_NOTE_SERIES_DEFAULTS.business,
  credit_note_series_retail: CREDIT_NOTE_SERIES_DEFAULTS.retail,
};

export async function loadEinvoiceSettings(db: Knex, secrets: SecretBox): Promise<EinvoiceSettings> {
  const raw = await getSettings(db, PREFIX);
  const out = { ...DEFAULTS, ...raw } as EinvoiceSettings & Record<string, unknown>;
  for (const k of SECRET_KEYS) {
    const sealed = raw[k];
    out[k] = typeof sealed === 'string' && sealed ? secrets.decrypt(sealed) : null;
  }
  return out;
}

export type EinvoiceSettingsInput = Partial<EinvoiceSettings>;

export async function saveEinvoiceSettings(db: Knex, secrets: SecretBox, input: EinvoiceSettingsInput): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if ((SECRET_KEYS as readonly string[]).includes(k)) values[k] = v === null || v === '' ? null : secrets.encrypt(String(v));
    else values[k] = v;
  }
  // Values the XSD constrains are checked when saved, not at the first submit.
  if (values.mydata_env !== undefined && !(MYDATA_ENVS as readonly unknown[]).includes(values.mydata_env))
    throw new AppError('invalid_mydata_env', 'mydata_env must be "production" or "dev".', 422, { details: { mydata_env: 'production or dev' } });
  if (values.issuer_branch !== undefined) {
    const b = Number(values.issuer_branch);
    if (!Number.isInteger(b) || b < 0 || b > XS_INT_MAX)
      throw new AppError('invalid_issuer_branch', `issuer_branch must be a whole number from 0 (the main establishment) to ${XS_INT_MAX}.`, 422, { details: { issuer_branch: `0–${XS_INT_MAX}` } });
    values.issuer_branch = b;
  }
  if (typeof values.vat_lookup_afm_called_by === 'string' && values.vat_lookup_afm_called_by) {
    const afm = normalizeAfm(values.vat_lookup_afm_called_by);
    if (!isValidAfm(afm)) throw new AppError('invalid_vat_lookup_afm_called_by', `"${values.vat_lookup_afm_called_by}" is not a valid Greek AFM (nine digits with a check digit).`, 422, { details: { vat_lookup_afm_called_by: 'bad check digit' } });
    values.vat_lookup_afm_called_by = afm;
  }
  if (typeof values.issuer_afm === 'string') {
    const afm = normalizeAfm(values.issuer_afm);
    if (!isValidAfm(afm)) throw new AppError('invalid_issuer_afm', `"${values.issuer_afm}" is not a valid Greek AFM (nine digits with a check digit).`, 422, { details: { issuer_afm: 'bad check digit' } });
    values.issuer_afm = afm;
  }
  await checkCreditNoteSeries(db, values, await loadEinvoiceSettings(db, secrets));
  await putSettings(db, PREFIX, values);
  return publicSettings(await loadEinvoiceSettings(db, secrets));
}

const CN_FIELDS = ['credit_note_series_business', 'credit_note_series_retail'] as const;

/**
 * A credit-note series is a numbering of its own: never one an invoice is numbered in (the numbers would
 * interleave), and the business and retail kinds apart, as Greek books keep one sequence per document kind.
 */
async function checkCreditNoteSeries(db: Knex, values: Record<string, unknown>, current: EinvoiceSettings): Promise<void> {
  if (!CN_FIELDS.some((k) => values[k] !== undefined)) return;
  for (const k of CN_FIELDS) {
    if (values[k] === undefined) continue;
    const code = String(values[k] ?? '').trim().toUpperCase();
    if (!SERIES_RE.test(code)) throw new AppError(`invalid_${k}`, `A credit-note series code is 1 to 10 letters A–Z or digits; "${values[k] ?? ''}" is not.`, 422, { details: { [k]: 'A-Z0-9, 1–10' } });
    values[k] = code;
  }
  const business = String(values.credit_note_series_business ?? current.credit_note_series_business);
  const retail = String(values.credit_note_series_retail ?? current.credit_note_series_retail);
  if (business === retail) {
    throw new AppError('invalid_credit_note_series', `Business (5.1) and retail (11.4) credit notes need two different series; both are "${business}".`, 422, { details: { credit_note_series_retail: 'same as credit_note_series_business' } });
  }
  for (const k of CN_FIELDS) {
    if (values[k] === undefined) continue;
    const code = String(values[k]);
    const billing = await db('billing_settings').where({ id: 1 }).first('default_series').catch(() => undefined);
    const used = billing?.default_series === code || !!(await db('invoices').where({ series: code }).first('id'));
    if (used) throw new AppError(`invalid_${k}`, `Series "${code}" is used for invoices; give credit notes a series of their own.`, 422, { details: { [k]: 'used by invoices' } });
  }
}

/** What may leave the server: secrets only as "is it set". */
export function publicSettings(s: EinvoiceSettings): Record<string, unknown> {
  const { mydata_subscription_key, elorus_api_key, vat_lookup_password, ...rest } = s;
  return {
    ...rest,
    mydata_subscription_key_set: !!mydata_subscription_key,
    elorus_api_key_set: !!elorus_api_key,
    vat_lookup_password_set: !!vat_lookup_password,
  };
}

import { z } from 'zod';
import { defineAction, type AnyAction } from '../../gateway/action';
import { blank, clearableText, id, optionalBool, optionalDate, optionalInt, optionalText } from '../../gateway/fields';
import { PROVIDERS } from '../../services/einvoice/settings';
import { loadEinvoiceSettings, myDataBaseUrl, MYDATA_ENVS, publicSettings, saveEinvoiceSettings } from '../../services/einvoice/settings';
import { cancelEinvoice, einvoiceStatus, submitEinvoice } from '../../services/einvoice/submissions';
import { aadeLookup } from '../../services/einvoice/vat-lookup';

const provider = z.preprocess(blank, z.enum(PROVIDERS).optional());
/**
 * A map like {"24":"101"}: a JSON object string, "24=101,13=102", or bracket fields (`elorus_tax_ids[24]=101`,
 * `elorus_document_types[2.1]=9001`), whose keys the form parser keeps as PHP does.
 */
const idMap = z.preprocess((v) => {
  if (v === '' || v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    try { return JSON.parse(v); } catch { /* fall through to k=v pairs */ }
    return Object.fromEntries(v.split(',').map((p) => p.split(/[=:]/).map((x) => x.trim())).filter((p) => p.length === 2 && p[0] && p[1]));
  }
  return v;
}, z.record(z.string().max(8).regex(/^\d+(\.\d+)?$/, 'keys are VAT rates or myDATA types, e.g. 24 or 2.1'), z.coerce.string().min(1).max(64), { error: 'send a JSON object such as {"24":"101"} or pairs such as 24=101,13=102' })
  .refine((m) => Object.keys(m).length <= 64, 'at most 64 entries').optional());
const paymentType = optionalInt(1, 8);

export const einvoiceSubmit = defineAction({
  name: 'einvoice_submit',
  section: 'einvoice',
  summary: 'Submit invoice to AADE myDATA via configured provider',
  input: z.object({ invoice_id: id, provider }),
  permission: 'einvoice.write',
  rateClass: 'billing',
  async run(ctx, input) {
    return submitEinvoice(ctx, input.invoice_id, input.provider);
  },
});

export const einvoiceStatusAction = defineAction({
  name: 'einvoice_status',
  section: 'einvoice',
  summary: 'Check submission status (MARK, UID, validation errors)',
  input: z.object({ invoice_id: id }),
  permission: 'einvoice.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return einvoiceStatus(ctx, input.invoice_id);
  },
});

export const einvoiceCancel = defineAction({
  name: 'einvoice_cancel',
  section: 'einvoice',
  summary: 'Cancel a transmitted invoice in myDATA (CancelInvoice for its MARK) and store the cancellation mark',
  input: z.object({ invoice_id: id }),
  permission: 'einvoice.write',
  rateClass: 'billing',
  async run(ctx, input) {
    return cancelEinvoice(ctx, input.invoice_id);
  },
});

export const aadeLookupAction = defineAction({
  name: 'aade_lookup',
  section: 'customers',
  summary: 'Lookup customer tax info from AADE (Greek Tax Authority) by VAT number',
  input: z.object({
    afm: z.string().trim().min(1).max(32),
    as_on_date: optionalDate,
  }),
  permission: 'customers.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return aadeLookup(ctx, input.afm, input.as_on_date);
  },
});

export const saveEinvoiceSettingsAction = defineAction({
  name: 'save_einvoice_settings',
  section: 'einvoice',
  summary: 'Save e-invoicing settings: default provider, myDATA environment (production|dev), issuer AFM and branch, credit-note series, myDATA / Elorus / VAT lookup credentials (stored encrypted)',
  input: z.object({
    default_provider: z.preprocess(blank, z.enum(['mydata', 'elorus']).optional()),
    mydata_env: z.preprocess(blank, z.enum(MYDATA_ENVS).optional()),
    issuer_afm: optionalText(12),
    issuer_branch: optionalInt(0),
    mydata_user_id: clearableText(128),
    mydata_subscription_key: clearableText(256),
    mydata_xsd_version: z.preprocess(blank, z.enum(['2.0.1', '1.0.12']).optional()),
    payment_type_unpaid: paymentType,
    payment_type_paid: paymentType,
    elorus_api_key: clearableText(256),
    elorus_organization_id: clearableText(64),
    elorus_demo: optionalBool,
    elorus_tax_ids: idMap,
    elorus_document_types: idMap,
    vat_lookup_username: clearableText(128),
    vat_lookup_password: clearableText(256),
    vat_lookup_afm_called_by: clearableText(12),
    credit_note_series_business: optionalText(10),
    credit_note_series_retail: optionalText(10),
  }),
  permission: 'einvoice.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return saveEinvoiceSettings(ctx.db, ctx.secrets, input);
  },
});

export const getEinvoiceSettingsAction = defineAction({
  name: 'get_einvoice_settings',
  section: 'einvoice',
  summary: 'Read the e-invoicing settings (secrets only as *_set flags)',
  input: z.object({}).passthrough(),
  permission: 'einvoice.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    const s = await loadEinvoiceSettings(ctx.db, ctx.secrets);
    return { ...publicSettings(s), mydata_base_url: myDataBaseUrl(s, ctx.config.MYDATA_BASE_URL) };
  },
});

export const einvoiceActions: AnyAction[] = [
  einvoiceSubmit, einvoiceStatusAction, einvoiceCancel, aadeLookupAction, saveEinvoiceSettingsAction, getEinvoiceSettingsAction,
];

import { z } from 'zod';
import { GATEWAY_NAMES, type GatewayName } from '../../adapters/payments';
import { parseMoney } from '../../domain/money';
import { parseVatRate } from '../../domain/vat';
import { AppError } from '../../errors';
import { defineAction, type AnyAction } from '../../gateway/action';
import { blank, clearableText, id, optionalBool, optionalDate, optionalId, optionalInt as optionalIntOf, optionalText, Page, page, perPage, strictInt } from '../../gateway/fields';
import { resolveCustomerId, saveBillingCustomer } from '../../services/billing/customers';
import { queueGenerateMonth } from '../../services/billing/generate';
import { replyWithJob } from '../../jobs/queue';
import { idempotencyKeyOf, withIdempotency } from '../../services/billing/idempotency';
import { ALL_INVOICE_STATUSES, createManualInvoice, deleteInvoice, getInvoice, INVOICE_STATUSES, listInvoices, setInvoiceStatus } from '../../services/billing/invoices';
import { bulkPay, diasImport, listPayments, OFFLINE_PAY_METHODS, payInvoice, retryCharge } from '../../services/billing/payments';
import { loadSettings, openGateways, publicSettings, saveSettings } from '../../services/billing/settings';

/** Amounts arrive as '12.50' or '12,50'; parsed to cents in the handler so the error names the field. */
const amountField = z.preprocess(blank, z.union([z.string(), z.number()]).optional());
const optionalInt = optionalIntOf();
const month = z.string().trim().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'use YYYY-MM');
/** The subscriber, by id or by username (the reference API's key); resolved with resolveCustomerId. */
const customerRef = { customer_id: optionalId, username: optionalText(64) };
const gateway = z.preprocess(blank, z.enum(GATEWAY_NAMES as unknown as [GatewayName, ...GatewayName[]]).optional());
const idemKey = z.preprocess(blank, z.string().trim().max(128).optional());
/** PHP-style `x[0][a]=` arrives as an object keyed "0","1"…; a JSON body sends an array. */
const listOf = <T extends z.ZodType>(item: T, min = 0, max = 1000) =>
  z.preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v), z.array(item).min(min).max(max));

function cents(v: string | number | undefined, field: string): number | undefined {
  return v === undefined ? undefined : parseMoney(v, field);
}

export const saveBillingSettingsAction = defineAction({
  name: 'save_billing_settings',
  section: 'billing',
  summary: 'Configure global billing settings — tax rates, billing cycles, invoice numbering, company details, gateway credentials (stored encrypted, never returned)',
  input: z.object({
    company_name: clearableText(191),
    company_afm: clearableText(12),
    company_doy: clearableText(100),
    company_address: clearableText(255),
    company_city: clearableText(100),
    company_postal_code: clearableText(10),
    company_email: clearableText(191),
    company_phone: clearableText(32),
    currency: optionalText(3),
    default_vat_rate: z.preprocess(blank, z.union([z.string(), z.number()]).optional()),
    vat_rates: z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v), z.array(z.union([z.string(), z.number()])).optional()),
    prices_include_vat: optionalBool,
    billing_cycle: optionalText(16),
    issue_day: optionalInt,
    due_days: optionalInt,
    grace_days: optionalInt,
    default_series: optionalText(10),
    // An object only (gateways[stripe][secret_key]=… or JSON): a JSON string would slip past log redaction.
    // Credentials are short; the bound keeps the encrypted document inside its TEXT column on MariaDB.
    gateways: z.record(z.string().max(64), z.record(z.string().max(64), z.union([z.string().max(1024), z.null()]))).optional(),
  }),
  permission: 'billing.write',
  rateClass: 'billing',
  async run(ctx, input) {
    return saveSettings(ctx, input as never);
  },
});

export const getBillingSettingsAction = defineAction({
  name: 'get_billing_settings',
  section: 'billing',
  summary: 'Read the billing settings (gateway credentials are never returned, only which gateways are configured)',
  input: z.object({}),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    const s = await loadSettings(ctx.db);
    return publicSettings(s, openGateways(ctx, s));
  },
});

export const saveBillingCustomerAction = defineAction({
  name: 'save_billing_customer',
  section: 'billing',
  summary: 'Save billing-specific settings for a customer (billing cycle, VAT regime or exemption, payment method, invoice e-mail)',
  input: z.object({
    ...customerRef,
    billing_cycle: optionalText(16),
    vat_rate: z.preprocess((v) => (v === null ? '' : v), z.union([z.string(), z.number()]).optional()),
    vat_exemption_code: clearableText(4),
    payment_method: clearableText(16),
    gateway_customer_ref: clearableText(191),
    payment_method_ref: clearableText(191),
    auto_charge: optionalBool,
    invoice_email: clearableText(191),
    series: clearableText(10),
  }),
  permission: 'billing.write',
  rateClass: 'billing',
  async run(ctx, input) {
    const { username: _u, ...rest } = input;
    const customerId = (await resolveCustomerId(ctx.db, input))!;
    return saveBillingCustomer(ctx, { ...rest, customer_id: customerId } as never);
  },
});

export const generateInvoicesMonthAction = defineAction({
  name: 'generate_invoices_month',
  section: 'billing',
  summary: 'Generate invoices for all active billable customers for a month (YYYY-MM); idempotent and resumable. Runs as a job: the reply waits for its result (with job_id), or with async=1 answers the job id at once',
  input: z.object({ month, async: optionalBool }),
  permission: 'billing.write',
  rateClass: 'bulk',
  async run(ctx, input) {
    const job = await queueGenerateMonth(ctx, input.month);
    if (input.async) return { job_id: job.id, state: job.state, month: input.month };
    // Existing clients wait for the result, however long the month takes.
    return replyWithJob(ctx.jobs, job, 6 * 3600_000);
  },
});

const lineSchema = z.object({
  description: z.string().trim().min(1).max(255),
  quantity: z.preprocess((v) => strictInt(blank(v)), z.number().int().min(1).max(1_000_000).default(1)),
  unit_price: z.union([z.string(), z.number()]),
  vat_rate: z.preprocess(blank, z.union([z.string(), z.number()]).optional()),
  vat_exemption_code: z.preprocess(blank, z.string().trim().max(4).optional()),
});

export const createInvoiceManualAction = defineAction({
  name: 'create_invoice_manual',
  section: 'billing',
  summary: 'Create a manual/ad-hoc invoice for a customer with lines (description, quantity, unit price, VAT rate)',
  input: z.object({
    ...customerRef,
    lines: listOf(lineSchema, 1),
    issue_date: optionalDate,
    due_date: optionalDate,
    series: optionalText(10),
    notes: optionalText(500),
    prices_include_vat: optionalBool,
  }),
  permission: 'billing.write',
  rateClass: 'billing',
  async run(ctx, input) {
    const settings = await loadSettings(ctx.db);
    const lines = input.lines.map((l, i) => ({
      description: l.description,
      quantity: l.quantity,
      unitPriceCents: parseMoney(l.unit_price, 'unit_price'),
      vatRate: l.vat_rate === undefined ? settings.defaultVatRate : parseVatRate(l.vat_rate, 'vat_rate'),
      vatExemptionCode: l.vat_exemption_code ?? null,
      index: i,
    }));
    const customerId = (await resolveCustomerId(ctx.db, input))!;
    return createManualInvoice(ctx, { ...input, customer_id: customerId, series: input.series?.toUpperCase(), lines });
  },
});

export const invoiceSetStatusAction = defineAction({
  name: 'invoice_set_status',
  section: 'billing',
  summary: 'Update invoice status (paid, unpaid, cancelled, overdue) through valid transitions only',
  input: z.object({ id, status: z.enum(INVOICE_STATUSES), reason: optionalText(255) }),
  permission: 'billing.write',
  rateClass: 'billing',
  async run(ctx, input) {
    const { customerId: _customerId, ...out } = await setInvoiceStatus(ctx, input.id, input.status, input.reason);
    return out;
  },
});

export const deleteInvoiceAction = defineAction({
  name: 'delete_invoice',
  section: 'billing',
  summary: 'Delete a draft invoice; a numbered one is voided (kept with its number), a submitted e-invoice needs a credit note',
  input: z.object({ id }),
  permission: 'billing.write',
  rateClass: 'billing',
  async run(ctx, input) {
    const { customerId: _customerId, ...out } = await deleteInvoice(ctx, input.id);
    return out;
  },
});

export const getInvoiceAction = defineAction({
  name: 'get_invoice',
  section: 'billing',
  summary: 'One invoice with its lines and payments',
  input: z.object({ id }),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return getInvoice(ctx.db, input.id);
  },
});

export const listInvoicesAction = defineAction({
  name: 'list_invoices',
  section: 'billing',
  summary: 'List invoices by customer, status and month, paginated (data + meta)',
  input: z.object({
    ...customerRef,
    status: z.preprocess(blank, z.enum(ALL_INVOICE_STATUSES).optional()),
    month: z.preprocess(blank, month.optional()),
    page,
    per_page: perPage(100, 25),
  }),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const customerId = await resolveCustomerId(ctx.db, input, { required: false });
    const r = await listInvoices(ctx.db, { ...input, customer_id: customerId });
    return new Page(r.items, r.meta);
  },
});

export const payInvoiceAction = defineAction({
  name: 'pay_invoice',
  section: 'payments',
  summary: 'Pay an invoice: charge the saved method at a gateway, or record cash / bank transfer / DIAS; partial amounts allowed; idempotent',
  input: z.object({
    invoice_id: id,
    amount: amountField,
    gateway,
    method: z.preprocess(blank, z.enum([...OFFLINE_PAY_METHODS, ...GATEWAY_NAMES] as [string, ...string[]]).optional()),
    reference: optionalText(191),
    idempotency_key: idemKey,
  }),
  permission: 'payments.write',
  rateClass: 'billing',
  async run(ctx, input) {
    return payInvoice(ctx, {
      invoiceId: input.invoice_id,
      gateway: input.gateway,
      method: input.method,
      amountCents: cents(input.amount, 'amount'),
      reference: input.reference,
      idempotencyKey: input.idempotency_key ?? ctx.headers['idempotency-key'],
    });
  },
});

export const customerBulkPayAction = defineAction({
  name: 'customer_bulk_pay',
  section: 'payments',
  summary: 'Pay every outstanding invoice of a customer, oldest first (gateway charge or recorded method); idempotent',
  input: z.object({
    ...customerRef,
    gateway,
    method: z.preprocess(blank, z.enum(OFFLINE_PAY_METHODS as unknown as [string, ...string[]]).optional()),
    amount: amountField,
    reference: optionalText(150),
    idempotency_key: idemKey,
  }),
  permission: 'payments.write',
  rateClass: 'billing',
  async run(ctx, input) {
    const customerId = (await resolveCustomerId(ctx.db, input))!;
    const key = idempotencyKeyOf(input.idempotency_key ?? ctx.headers['idempotency-key'], true)!;
    const amountCents = cents(input.amount, 'amount');
    const fingerprint = { customer_id: customerId, gateway: input.gateway ?? null, method: input.method ?? null, amount: amountCents ?? null, reference: input.reference ?? null };
    return withIdempotency(ctx, 'customer_bulk_pay', key, fingerprint, () =>
      bulkPay(ctx, { customerId, gateway: input.gateway, method: input.method, amountCents, key, reference: input.reference }),
    );
  },
});

export const manualRetryChargeAction = defineAction({
  name: 'manual_retry_charge',
  section: 'payments',
  summary: 'Retry a failed automatic (or manual) gateway charge for an invoice; idempotent',
  input: z.object({ attempt_id: optionalId, invoice_id: optionalId, idempotency_key: idemKey }),
  permission: 'payments.write',
  rateClass: 'billing',
  async run(ctx, input) {
    if (!input.attempt_id && !input.invoice_id) throw new AppError('missing_attempt_id', 'Give the attempt_id of the failed charge, or the invoice_id.', 422, { details: { attempt_id: 'required' } });
    const key = idempotencyKeyOf(input.idempotency_key ?? ctx.headers['idempotency-key'], true)!;
    return withIdempotency(ctx, 'manual_retry_charge', key, { attempt_id: input.attempt_id ?? null, invoice_id: input.invoice_id ?? null }, () =>
      retryCharge(ctx, { attemptId: input.attempt_id, invoiceId: input.invoice_id, key }),
    );
  },
});

export const diasImportAction = defineAction({
  name: 'dias_import',
  section: 'payments',
  summary: "Import the bank's DIAS reconciliation CSV (RF code, amount, date, bank reference): pays matched invoices, reports the rest",
  input: z.object({ content: z.preprocess(blank, z.string().max(5 * 1024 * 1024).optional()) }),
  permission: 'payments.write',
  rateClass: 'billing',
  async run(ctx, input) {
    const file = ctx.files[0];
    const content = file ? file.buffer : input.content;
    if (!content) throw new AppError('missing_file', 'Upload the DIAS CSV as a file field, or send its text as "content".', 422, { details: { file: 'required' } });
    return diasImport(ctx, content);
  },
});

export const listPaymentsAction = defineAction({
  name: 'list_payments',
  section: 'payments',
  summary: 'List payments received, newest first, by subscriber, method or gateway, date range (paid_on) and invoice; paginated, with totals over the whole filter in meta.totals',
  input: z.object({
    ...customerRef,
    // 'gateway': every payment taken by a card gateway, whichever it was
    method: z.preprocess(blank, z.enum([...OFFLINE_PAY_METHODS, ...GATEWAY_NAMES, 'gateway'] as [string, ...string[]]).optional()),
    gateway,
    from: optionalDate,
    to: optionalDate,
    invoice_id: optionalId,
    invoice_no: optionalText(24),
    page,
    per_page: perPage(100, 25),
  }),
  permission: 'payments.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const customerId = await resolveCustomerId(ctx.db, input, { required: false });
    const r = await listPayments(ctx.db, {
      customerId, method: input.method, gateway: input.gateway, from: input.from, to: input.to, invoiceId: input.invoice_id, invoiceNo: input.invoice_no, page: input.page, perPage: input.per_page,
    });
    return new Page(r.items, r.meta);
  },
});

export const billingActions: AnyAction[] = [
  saveBillingSettingsAction,
  getBillingSettingsAction,
  saveBillingCustomerAction,
  generateInvoicesMonthAction,
  createInvoiceManualAction,
  invoiceSetStatusAction,
  deleteInvoiceAction,
  getInvoiceAction,
  listInvoicesAction,
  payInvoiceAction,
  customerBulkPayAction,
  manualRetryChargeAction,
  diasImportAction,
  listPaymentsAction,
];


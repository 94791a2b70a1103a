import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { isValidAfm, normalizeAfm } from '../../domain/afm';
import type { EinvoiceDocument } from '../../adapters/aade/invoices-doc';
import type { EinvoiceSettings } from './settings';

export interface InvoiceRow {
  id: number;
  customer_id: number | null;
  series: string | null;
  number: string | number | null;
  issue_date: string;
  currency?: string | null;
  net_cents: number;
  vat_cents: number;
  total_cents: number;
  paid_cents?: number | null;
  status: string;
  einvoice_status?: string | null;
  einvoice_mark?: string | null;
}

export interface LoadedInvoice {
  invoice: InvoiceRow;
  customer: { id: number; fullname: string | null; afm: string | null; email: string | null; address: string | null } | null;
  lines: Array<{ description: string | null; quantity: number | string | null; vat_rate: number | string; net_cents: number; vat_cents: number; vat_exemption_code?: string | number | null }>;
}

export async function loadInvoice(db: Knex, invoiceId: number): Promise<LoadedInvoice> {
  const invoice = (await db('invoices').where({ id: invoiceId }).first()) as InvoiceRow | undefined;
  if (!invoice) throw new AppError('invoice_not_found', `Invoice ${invoiceId} was not found.`, 404);
  const customer = invoice.customer_id ? await db('customers').where({ id: invoice.customer_id }).first('id', 'fullname', 'afm', 'email', 'address') : null;
  const lines = await db('invoice_lines').where({ invoice_id: invoiceId }).orderBy('id');
  return { invoice, customer: customer ?? null, lines };
}

/** A customer with a valid AFM is a business (2.1 / 5.1); anyone else a consumer (11.2 / 11.4). */
export function customerAfm(c: LoadedInvoice['customer']): string | null {
  if (!c?.afm) return null;
  const afm = normalizeAfm(c.afm);
  return isValidAfm(afm) ? afm : null;
}

export function toEinvoiceDocument(src: LoadedInvoice, settings: EinvoiceSettings, kind: 'invoice' | 'credit_note', correlatedMark?: string | null): EinvoiceDocument {
  const { invoice } = src;
  if (!settings.issuer_afm) throw new AppError('einvoice_not_configured', 'The issuer AFM is not set; save it with save_einvoice_settings (issuer_afm).', 422);
  if (!invoice.series || invoice.number === null || invoice.number === undefined) {
    throw new AppError('invoice_not_numbered', `Invoice ${invoice.id} has no series and number yet; only issued invoices can be transmitted.`, 409);
  }
  const afm = customerAfm(src.customer);
  const paid = invoice.status === 'paid';
  return {
    kind,
    issuer: { vatNumber: settings.issuer_afm, branch: settings.issuer_branch ?? 0 },
    counterpart: afm ? { vatNumber: afm } : null,
    series: String(invoice.series),
    number: String(invoice.number),
    issueDate: String(invoice.issue_date).slice(0, 10),
    currency: invoice.currency ?? 'EUR',
    correlatedMark: correlatedMark ?? null,
    paymentType: paid ? settings.payment_type_paid : settings.payment_type_unpaid,
    lines: src.lines.map((l) => ({
      description: l.description ?? '',
      quantity: l.quantity === null || l.quantity === undefined ? undefined : Number(l.quantity),
      netCents: Number(l.net_cents),
      vatCents: Number(l.vat_cents),
      vatRate: Number(l.vat_rate),
      vatExemptionCode: l.vat_exemption_code === null || l.vat_exemption_code === undefined || l.vat_exemption_code === '' ? null : Number(l.vat_exemption_code),
    })),
    expectedTotals: { netCents: Number(invoice.net_cents), vatCents: Number(invoice.vat_cents), totalCents: Number(invoice.total_cents) },
  };
}

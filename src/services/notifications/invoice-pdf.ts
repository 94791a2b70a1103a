/**
 * Gathers what an invoice PDF shows (billing settings as issuer, the subscriber, lines, the RF code and, once the
 * invoice was transmitted, the myDATA MARK, UID and QR URL) and renders it. Used by invoice_pdf and by e-mails
 * whose template attaches the invoice.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseJson } from '../../db/knex';
import { formatRf } from '../../domain/rf-code';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import { renderInvoicePdf } from '../../adapters/pdf/invoice-pdf';
import { branding } from './settings';

export async function invoicePdf(ctx: Pick<ServiceContext, 'db' | 'config'>, invoiceId: number, language?: 'el' | 'en') {
  const inv = await ctx.db('invoices').where({ id: invoiceId }).first();
  if (!inv) throw new AppError('invoice_not_found', `Invoice ${invoiceId} was not found.`, 404);
  const bs = (await ctx.db('billing_settings').orderBy('id').first()) ?? {};
  const c = inv.customer_id ? await ctx.db('customers').where({ id: inv.customer_id }).first() : null;
  const lines = await ctx.db('invoice_lines').where({ invoice_id: invoiceId }).orderBy('position').orderBy('id');
  const sub = await ctx.db('einvoice_submissions').where({ invoice_id: invoiceId, kind: 'invoice', status: 'submitted' }).whereNotNull('mark').orderBy('id', 'desc').first();
  const brand = await branding(ctx);
  let logo: Buffer | null = null;
  if (brand.logoUrl?.startsWith('/uploads/')) {
    const file = path.join(ctx.config.dataDir, brand.logoUrl.replace(/^\/+/, ''));
    if (file.startsWith(path.join(ctx.config.dataDir, 'uploads'))) logo = await fs.readFile(file).catch(() => null);
  }
  const custom = parseJson<Record<string, string>>(c?.custom_fields, {});
  const pdf = await renderInvoicePdf({
    issuer: {
      name: bs.company_name || brand.name,
      afm: bs.company_afm ?? null,
      doy: bs.company_doy ?? null,
      address: bs.company_address ?? null,
      city: bs.company_city ?? null,
      postalCode: bs.company_postal_code ?? null,
      phone: bs.company_phone ?? null,
      email: bs.company_email ?? null,
    },
    customer: c ? { name: c.fullname || c.username, afm: c.afm ?? null, doy: custom.doy ?? null, address: c.address ?? null, email: c.email ?? null } : null,
    series: String(inv.series),
    number: String(inv.number),
    issueDate: String(inv.issue_date).slice(0, 10),
    dueDate: String(inv.due_date).slice(0, 10),
    currency: inv.currency ?? 'EUR',
    status: inv.status,
    lines: lines.map((l) => ({
      description: l.description,
      quantity: Number(l.quantity),
      unitCents: Number(l.unit_price_cents),
      vatRate: Number(l.vat_rate),
      netCents: Number(l.net_cents),
      vatCents: Number(l.vat_cents),
      totalCents: Number(l.total_cents),
    })),
    netCents: Number(inv.net_cents),
    vatCents: Number(inv.vat_cents),
    totalCents: Number(inv.total_cents),
    paidCents: Number(inv.paid_cents ?? 0),
    rfCode: inv.rf_code ? formatRf(inv.rf_code) : null,
    mydata: sub ? { mark: String(sub.mark), uid: sub.uid ?? null, qrUrl: sub.qr_url ?? null } : inv.einvoice_mark ? { mark: String(inv.einvoice_mark), uid: null, qrUrl: null } : null,
    logo,
    language: language ?? brand.language,
  });
  return { filename: `invoice-${inv.series}-${inv.number}.pdf`, content: pdf };
}

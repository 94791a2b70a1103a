import { AppError } from '../../errors';
import type { EinvoiceDocument } from '../aade/invoices-doc';
import { incomeClassificationFor, resolveInvoiceType } from '../../domain/greek-tax';
import { formatCents } from '../aade/xml';

export interface ElorusMapping {
  /** Elorus tax id per VAT rate (%), from GET /v1.2/taxes/ of the organization. */
  taxIds: Record<string, string>;
  /** Elorus documenttype id per AADE type ("2.1", "11.2"). */
  documentTypes: Record<string, string>;
}

export interface ElorusCustomer {
  customId: string;
  name: string;
  vatNumber?: string | null;
  taxOffice?: string | null;
  email?: string | null;
  address?: { street?: string | null; postalCode?: string | null; city?: string | null } | null;
}

/** Elorus client_type: 1 domestic business, 4 private individual. */
export function elorusContactPayload(c: ElorusCustomer): Record<string, unknown> {
  const business = !!c.vatNumber;
  const payload: Record<string, unknown> = {
    custom_id: c.customId,
    is_client: true,
    client_type: business ? 1 : 4,
    company: c.name,
  };
  if (business) payload.vat_number = c.vatNumber;
  if (c.taxOffice) payload.tax_office = c.taxOffice;
  if (c.email) payload.email = [{ email: c.email, primary: true }];
  if (c.address?.postalCode && c.address.city) {
    payload.addresses = [{ ad_type: 'bill', address: c.address.street ?? '', city: c.address.city, zip: c.address.postalCode, country: 'GR' }];
  }
  return payload;
}

/**
 * The Elorus invoice for a neutral document. Tax-exclusive mode (`calculator_mode: initial`) so
 * the net per line is exactly ours; Elorus computes VAT from the tax id. The myDATA fields make
 * Elorus transmit the document itself when it is saved as issued (not draft).
 */
export function elorusInvoicePayload(doc: EinvoiceDocument, contactId: string, customId: string, mapping: ElorusMapping, paid: boolean): Record<string, unknown> {
  const type = resolveInvoiceType(doc);
  if (type !== '2.1' && type !== '11.2') {
    throw new AppError('einvoice_type_not_supported_by_provider', `Elorus submission supports invoices 2.1 and receipts 11.2 here; type ${type} must go through the mydata provider.`, 422);
  }
  const documenttype = mapping.documentTypes[type];
  if (!documenttype) throw new AppError('elorus_not_configured', `No Elorus document type is configured for myDATA type ${type}; set elorus_document_types in save_einvoice_settings.`, 422);
  const classification = incomeClassificationFor(type);
  let gross = 0;
  const items = doc.lines.map((l, i) => {
    const taxId = mapping.taxIds[String(l.vatRate)];
    if (!taxId) throw new AppError('elorus_not_configured', `Line ${i + 1}: no Elorus tax id is configured for VAT ${l.vatRate}%; set elorus_tax_ids in save_einvoice_settings.`, 422);
    gross += l.netCents + l.vatCents;
    const qty = l.quantity && Number.isInteger(l.quantity) && l.quantity > 0 && l.netCents % l.quantity === 0 ? l.quantity : 1;
    const item: Record<string, unknown> = {
      title: (l.description || `Line ${i + 1}`).slice(0, 300),
      quantity: String(qty),
      unit_value: formatCents(l.netCents / qty),
      taxes: [{ tax: taxId }],
      accounts: [{ mydata_classification: 'income', mydata_classification_category: classification.category, mydata_classification_type: classification.type, amount: formatCents(l.netCents) }],
    };
    if (l.vatRate === 0 && l.vatExemptionCode) item.vat_exemption_category = String(l.vatExemptionCode);
    return item;
  });
  // Elorus takes payment_method 1,2,3,4,6,7,8; "on credit" (5) is expressed as paid_on_receipt 0.
  const paidNow = paid && doc.paymentType !== 5;
  return {
    client: contactId,
    custom_id: customId,
    date: doc.issueDate,
    draft: false,
    documenttype,
    currency_code: (doc.currency ?? 'EUR').toUpperCase(),
    calculator_mode: 'initial',
    mydata_document_type: type,
    items,
    paid_on_receipt: paidNow ? formatCents(gross) : '0',
    ...(paidNow ? { payment_method: String(doc.paymentType) } : {}),
  };
}

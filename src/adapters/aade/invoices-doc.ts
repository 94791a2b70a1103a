import { AppError } from '../../errors';
import {
  checkCorrelatedMark,
  checkLineVat,
  checkPaymentType,
  exemptionCategoryFor,
  greekPartyAfm,
  incomeClassificationFor,
  needsCorrelatedMark,
  resolveInvoiceType,
  vatCategoryFor,
  type MyDataInvoiceType,
} from '../../domain/greek-tax';
import { escapeXml, formatCents } from './xml';

/*
 * The myDATA InvoicesDoc for a neutral document: element order, lexical forms and the XML itself. What the law
 * decides (document type, VAT category, exemptions, classification, parties) is src/domain/greek-tax.ts.
 */

/**
 * A neutral invoice, independent of the billing tables and of any provider. The service maps an
 * `invoices` row onto this; the myDATA and Elorus adapters both read it.
 */
export interface EinvoiceAddress {
  street?: string | null;
  number?: string | null;
  postalCode: string;
  city: string;
}

export interface EinvoiceParty {
  vatNumber: string;
  /** ISO 3166 alpha-2; only GR is supported today (foreign parties need 2.2/2.3 types). */
  country?: string;
  branch?: number;
  address?: EinvoiceAddress | null;
}

export interface EinvoiceLine {
  description: string;
  quantity?: number;
  netCents: number;
  vatCents: number;
  /** Percent, e.g. 24. 0 needs `vatExemptionCode` (AADE vatExemptionCategory 1..31). */
  vatRate: number;
  vatExemptionCode?: number | null;
}

export interface EinvoiceDocument {
  kind: 'invoice' | 'credit_note';
  issuer: EinvoiceParty;
  /** Present for a business customer (AFM): 2.1 / 5.1. Absent for a consumer: 11.2 / 11.4. */
  counterpart?: EinvoiceParty | null;
  series: string;
  number: string;
  issueDate: string;
  currency?: string;
  /** The MARK of the invoice a 5.1 credit note corrects. */
  correlatedMark?: string | null;
  /** AADE paymentMethodDetails/type 1..8; 5 = on credit, for a bill paid later by RF. */
  paymentType: number;
  paymentInfo?: string | null;
  lines: EinvoiceLine[];
  /** When given, the sums of the lines must equal these (guards a stale invoice header). */
  expectedTotals?: { netCents: number; vatCents: number; totalCents: number };
}

export interface BuiltInvoice {
  invoiceType: MyDataInvoiceType;
  xml: string;
  totals: { netCents: number; vatCents: number; grossCents: number };
}

function invalid(code: string, message: string): AppError {
  return new AppError(code, message, 422);
}

function partyXml(tag: string, party: EinvoiceParty, afm: string, withAddress: boolean): string {
  // AADE rejects name (and, for the issuer, address) for Greek parties: it already holds them by AFM.
  const a = withAddress ? party.address : null;
  const address = a && a.postalCode && a.city
    ? [
        '      <address>',
        a.street ? `        <street>${escapeXml(a.street.slice(0, 150))}</street>` : null,
        a.number ? `        <number>${escapeXml(a.number)}</number>` : null,
        `        <postalCode>${escapeXml(a.postalCode)}</postalCode>`,
        `        <city>${escapeXml(a.city.slice(0, 150))}</city>`,
        '      </address>',
      ].filter(Boolean).join('\n')
    : null;
  return [
    `    <${tag}>`,
    `      <vatNumber>${afm}</vatNumber>`,
    '      <country>GR</country>',
    `      <branch>${party.branch ?? 0}</branch>`,
    address,
    `    </${tag}>`,
  ].filter(Boolean).join('\n');
}

function classificationXml(indent: string, type: string, category: string, cents: number): string {
  return [
    `${indent}<incomeClassification>`,
    `${indent}  <icls:classificationType>${type}</icls:classificationType>`,
    `${indent}  <icls:classificationCategory>${category}</icls:classificationCategory>`,
    `${indent}  <icls:amount>${formatCents(cents)}</icls:amount>`,
    `${indent}</incomeClassification>`,
  ].join('\n');
}

function formatQuantity(q: number): string {
  if (!(q > 0) || !Number.isFinite(q)) throw invalid('invalid_einvoice_line', `Quantity ${q} must be greater than zero.`);
  return String(Math.round(q * 1000) / 1000);
}

/** Builds one `<invoice>` inside an InvoicesDoc, in XSD element order, with the summary derived from the lines. */
export function buildInvoicesDoc(doc: EinvoiceDocument): BuiltInvoice {
  const invoiceType = resolveInvoiceType(doc);
  const issuerAfm = greekPartyAfm('issuer', doc.issuer);
  const counterpartAfm = doc.counterpart ? greekPartyAfm('counterpart', doc.counterpart) : null;
  if (!doc.series || doc.series.length > 50) throw invalid('invalid_einvoice_series', 'The invoice series must be 1 to 50 characters.');
  if (!doc.number || String(doc.number).length > 50) throw invalid('invalid_einvoice_number', 'The invoice number must be 1 to 50 characters.');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(doc.issueDate)) throw invalid('invalid_einvoice_issue_date', `Issue date "${doc.issueDate}" must be YYYY-MM-DD.`);
  checkPaymentType(doc.paymentType);
  checkCorrelatedMark(invoiceType, doc.correlatedMark);
  if (!doc.lines.length) throw invalid('invalid_einvoice_lines', 'An e-invoice needs at least one line.');

  const cls = incomeClassificationFor(invoiceType);
  let netCents = 0;
  let vatCents = 0;
  const lineXml = doc.lines.map((line, i) => {
    const n = i + 1;
    const category = vatCategoryFor(line.vatRate);
    checkLineVat(n, line);
    const exemptionCode = exemptionCategoryFor(n, category, line.vatExemptionCode);
    const exemption = exemptionCode === null ? null : `      <vatExemptionCategory>${exemptionCode}</vatExemptionCategory>`;
    netCents += line.netCents;
    vatCents += line.vatCents;
    const descr = (line.description ?? '').trim();
    return [
      '    <invoiceDetails>',
      `      <lineNumber>${n}</lineNumber>`,
      descr ? `      <itemDescr>${escapeXml(descr.slice(0, 300))}</itemDescr>` : null,
      line.quantity !== undefined && line.quantity !== null ? `      <quantity>${formatQuantity(line.quantity)}</quantity>` : null,
      `      <netValue>${formatCents(line.netCents)}</netValue>`,
      `      <vatCategory>${category}</vatCategory>`,
      `      <vatAmount>${formatCents(line.vatCents)}</vatAmount>`,
      exemption,
      classificationXml('      ', cls.type, cls.category, line.netCents),
      '    </invoiceDetails>',
    ].filter(Boolean).join('\n');
  });
  const grossCents = netCents + vatCents;
  if (doc.expectedTotals) {
    const t = doc.expectedTotals;
    if (t.netCents !== netCents || t.vatCents !== vatCents || t.totalCents !== grossCents) {
      throw invalid('einvoice_totals_mismatch', `The invoice totals (net ${formatCents(t.netCents)}, VAT ${formatCents(t.vatCents)}, total ${formatCents(t.totalCents)}) differ from the sum of its lines (net ${formatCents(netCents)}, VAT ${formatCents(vatCents)}, total ${formatCents(grossCents)}).`);
    }
  }
  const currency = (doc.currency ?? 'EUR').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid('invalid_einvoice_currency', `Currency "${doc.currency}" is not an ISO 4217 code.`);

  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<InvoicesDoc xmlns="http://www.aade.gr/myDATA/invoice/v1.0" xmlns:icls="https://www.aade.gr/myDATA/incomeClassificaton/v1.0" xmlns:ecls="https://www.aade.gr/myDATA/expensesClassificaton/v1.0">',
    '  <invoice>',
    partyXml('issuer', doc.issuer, issuerAfm, false),
    doc.counterpart && counterpartAfm ? partyXml('counterpart', doc.counterpart, counterpartAfm, true) : null,
    '    <invoiceHeader>',
    `      <series>${escapeXml(doc.series)}</series>`,
    `      <aa>${escapeXml(String(doc.number))}</aa>`,
    `      <issueDate>${doc.issueDate}</issueDate>`,
    `      <invoiceType>${invoiceType}</invoiceType>`,
    `      <currency>${currency}</currency>`,
    needsCorrelatedMark(invoiceType) ? `      <correlatedInvoices>${doc.correlatedMark}</correlatedInvoices>` : null,
    '    </invoiceHeader>',
    '    <paymentMethods>',
    '      <paymentMethodDetails>',
    `        <type>${doc.paymentType}</type>`,
    `        <amount>${formatCents(grossCents)}</amount>`,
    doc.paymentInfo ? `        <paymentMethodInfo>${escapeXml(doc.paymentInfo)}</paymentMethodInfo>` : null,
    '      </paymentMethodDetails>',
    '    </paymentMethods>',
    ...lineXml,
    '    <invoiceSummary>',
    `      <totalNetValue>${formatCents(netCents)}</totalNetValue>`,
    `      <totalVatAmount>${formatCents(vatCents)}</totalVatAmount>`,
    '      <totalWithheldAmount>0.00</totalWithheldAmount>',
    '      <totalFeesAmount>0.00</totalFeesAmount>',
    '      <totalStampDutyAmount>0.00</totalStampDutyAmount>',
    '      <totalOtherTaxesAmount>0.00</totalOtherTaxesAmount>',
    '      <totalDeductionsAmount>0.00</totalDeductionsAmount>',
    `      <totalGrossValue>${formatCents(grossCents)}</totalGrossValue>`,
    // Every line shares one type+category, so the summary classification is the net total.
    classificationXml('      ', cls.type, cls.category, netCents),
    '    </invoiceSummary>',
    '  </invoice>',
    '</InvoicesDoc>',
    '',
  ].filter((l) => l !== null).join('\n');
  return { invoiceType, xml, totals: { netCents, vatCents, grossCents } };
}

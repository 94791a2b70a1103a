import { AppError } from '../../errors';
import { isValidAfm, normalizeAfm } from '../../domain/afm';
import { escapeXml, formatCents } from './xml';

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

export type MyDataInvoiceType = '2.1' | '11.2' | '5.1' | '11.4';

export interface BuiltInvoice {
  invoiceType: MyDataInvoiceType;
  xml: string;
  totals: { netCents: number; vatCents: number; grossCents: number };
}

/** AADE vatCategory by rate (%). 4% maps to category 6 (the reduced island rate), not 10. */
const VAT_CATEGORY: Record<number, number> = { 24: 1, 13: 2, 6: 3, 17: 4, 9: 5, 4: 6, 0: 7, 3: 9 };

/**
 * Income classification per type. An ISP sells services: category1_3, wholesale E3_561_001 to
 * professionals and retail E3_561_003 to private customers (firebed income-classifications config).
 */
const CLASSIFICATION: Record<MyDataInvoiceType, { type: string; category: string }> = {
  '2.1': { type: 'E3_561_001', category: 'category1_3' },
  '5.1': { type: 'E3_561_001', category: 'category1_3' },
  '11.2': { type: 'E3_561_003', category: 'category1_3' },
  '11.4': { type: 'E3_561_003', category: 'category1_3' },
};

export function vatCategoryFor(rate: number): number {
  const cat = VAT_CATEGORY[rate];
  if (cat === undefined) {
    throw new AppError('unsupported_vat_rate', `VAT rate ${rate}% has no myDATA VAT category; use one of ${Object.keys(VAT_CATEGORY).sort((a, b) => Number(b) - Number(a)).join(', ')}.`, 422);
  }
  return cat;
}

export function resolveInvoiceType(doc: Pick<EinvoiceDocument, 'kind' | 'counterpart'>): MyDataInvoiceType {
  const business = !!doc.counterpart;
  if (doc.kind === 'credit_note') return business ? '5.1' : '11.4';
  return business ? '2.1' : '11.2';
}

function invalid(code: string, message: string): AppError {
  return new AppError(code, message, 422);
}

function checkParty(role: 'issuer' | 'counterpart', party: EinvoiceParty): string {
  const country = (party.country ?? 'GR').toUpperCase();
  if (country !== 'GR') {
    throw invalid(`unsupported_${role}_country`, `The ${role} is in ${country}; only Greek parties (types 2.1/11.2/5.1/11.4) are supported.`);
  }
  const afm = normalizeAfm(party.vatNumber ?? '');
  if (!isValidAfm(afm)) {
    throw invalid(`invalid_${role}_afm`, `The ${role} VAT number "${party.vatNumber}" is not a valid Greek AFM (nine digits with a check digit).`);
  }
  return afm;
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
  const issuerAfm = checkParty('issuer', doc.issuer);
  const counterpartAfm = doc.counterpart ? checkParty('counterpart', doc.counterpart) : null;
  if (!doc.series || doc.series.length > 50) throw invalid('invalid_einvoice_series', 'The invoice series must be 1 to 50 characters.');
  if (!doc.number || String(doc.number).length > 50) throw invalid('invalid_einvoice_number', 'The invoice number must be 1 to 50 characters.');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(doc.issueDate)) throw invalid('invalid_einvoice_issue_date', `Issue date "${doc.issueDate}" must be YYYY-MM-DD.`);
  if (!Number.isInteger(doc.paymentType) || doc.paymentType < 1 || doc.paymentType > 8) {
    throw invalid('invalid_einvoice_payment_type', `Payment type ${doc.paymentType} is not an AADE payment method (1..8).`);
  }
  if (invoiceType === '5.1' && !/^\d{1,19}$/.test(doc.correlatedMark ?? '')) {
    throw invalid('missing_correlated_mark', 'A credit note to a business (5.1) must name the MARK of the invoice it corrects.');
  }
  if (!doc.lines.length) throw invalid('invalid_einvoice_lines', 'An e-invoice needs at least one line.');

  const cls = CLASSIFICATION[invoiceType];
  let netCents = 0;
  let vatCents = 0;
  const lineXml = doc.lines.map((line, i) => {
    const n = i + 1;
    if (!Number.isSafeInteger(line.netCents) || !Number.isSafeInteger(line.vatCents) || line.netCents < 0 || line.vatCents < 0) {
      throw invalid('invalid_einvoice_line', `Line ${n} has a negative or fractional amount; myDATA amounts are positive cents (issue a credit note instead of a negative line).`);
    }
    const category = vatCategoryFor(line.vatRate);
    // Rounding per line may differ from the header by a cent; more than that means a wrong rate.
    const expectedVat = Math.round((line.netCents * line.vatRate) / 100);
    if (Math.abs(expectedVat - line.vatCents) > 1) {
      throw invalid('invalid_einvoice_line', `Line ${n}: VAT ${formatCents(line.vatCents)} does not match ${line.vatRate}% of ${formatCents(line.netCents)}.`);
    }
    let exemption: string | null = null;
    if (category === 7) {
      const code = line.vatExemptionCode;
      if (!Number.isInteger(code) || (code as number) < 1 || (code as number) > 31) {
        throw invalid('missing_vat_exemption_code', `Line ${n} has 0% VAT and needs a VAT exemption code (AADE vatExemptionCategory 1..31).`);
      }
      exemption = `      <vatExemptionCategory>${code}</vatExemptionCategory>`;
    }
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
    invoiceType === '5.1' ? `      <correlatedInvoices>${doc.correlatedMark}</correlatedInvoices>` : null,
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

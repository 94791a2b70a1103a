import { DomainError } from '../errors';
import { isValidAfm, normalizeAfm } from './afm';
import { divRound, formatMoney } from './money';
import { MYDATA_VAT_CATEGORY } from './vat';

/**
 * What Greek tax law and AADE's code lists decide about an e-invoice, whatever carries it (myDATA XML, Elorus):
 * the document type, the VAT category of a rate, the exemption a 0% line must state, the income classification,
 * who may be a party. Pure: the adapters only turn the answers into their wire format.
 */

/**
 * AADE invoice types ispgate issues: 2.1 service invoice and 5.1 its credit note to a business (with an AFM);
 * 11.2 retail receipt for services and 11.4 its credit note to a consumer.
 */
export type MyDataInvoiceType = '2.1' | '11.2' | '5.1' | '11.4';

/** A business customer (one with an AFM) gets an invoice; a consumer a retail receipt. */
export function resolveInvoiceType(doc: { kind: 'invoice' | 'credit_note'; counterpart?: unknown }): MyDataInvoiceType {
  const business = !!doc.counterpart;
  if (doc.kind === 'credit_note') return business ? '5.1' : '11.4';
  return business ? '2.1' : '11.2';
}

/** A credit note to a business (5.1) must name the MARK of the invoice it corrects ("correlated invoice"). */
export function needsCorrelatedMark(type: MyDataInvoiceType): boolean {
  return type === '5.1';
}

export function checkCorrelatedMark(type: MyDataInvoiceType, mark: string | null | undefined): void {
  if (needsCorrelatedMark(type) && !/^\d{1,19}$/.test(mark ?? '')) {
    throw new DomainError('missing_correlated_mark', 'A credit note to a business (5.1) must name the MARK of the invoice it corrects.');
  }
}

/**
 * AADE vatCategory by rate (%), code list 1.7: the billing rates of src/domain/vat.ts, plus 3% (category 9, the
 * reduced rate of art. 21 par. 4 for some islands), which a document from elsewhere may carry.
 */
export const VAT_CATEGORY_BY_RATE: Readonly<Record<number, number>> = { ...MYDATA_VAT_CATEGORY, 3: 9 };
/** The category of an exempt (0%) line: it must also state why (vatExemptionCategory). */
export const EXEMPT_VAT_CATEGORY = 7;

export function vatCategoryFor(rate: number): number {
  const cat = VAT_CATEGORY_BY_RATE[rate];
  if (cat === undefined) {
    const known = Object.keys(VAT_CATEGORY_BY_RATE).sort((a, b) => Number(b) - Number(a)).join(', ');
    throw new DomainError('unsupported_vat_rate', `VAT rate ${rate}% has no myDATA VAT category; use one of ${known}.`);
  }
  return cat;
}

/**
 * The exemption reason an exempt line must carry (AADE vatExemptionCategory 1..31), or null for a taxed line.
 * `line` is the line's number, for the message.
 */
export function exemptionCategoryFor(line: number, vatCategory: number, code: number | null | undefined): number | null {
  if (vatCategory !== EXEMPT_VAT_CATEGORY) return null;
  if (!Number.isInteger(code) || (code as number) < 1 || (code as number) > 31) {
    throw new DomainError('missing_vat_exemption_code', `Line ${line} has 0% VAT and needs a VAT exemption code (AADE vatExemptionCategory 1..31).`);
  }
  return code as number;
}

/**
 * A line's VAT must be its rate of its net amount. Rounding per line may differ from a header computed on the
 * total by a cent; more than that means a wrong rate.
 */
export function checkLineVat(line: number, a: { netCents: number; vatCents: number; vatRate: number }): void {
  if (!Number.isSafeInteger(a.netCents) || !Number.isSafeInteger(a.vatCents) || a.netCents < 0 || a.vatCents < 0) {
    throw new DomainError('invalid_einvoice_line', `Line ${line} has a negative or fractional amount; myDATA amounts are positive cents (issue a credit note instead of a negative line).`);
  }
  const expected = divRound(a.netCents * a.vatRate, 100);
  if (Math.abs(expected - a.vatCents) > 1) {
    throw new DomainError('invalid_einvoice_line', `Line ${line}: VAT ${formatMoney(a.vatCents)} does not match ${a.vatRate}% of ${formatMoney(a.netCents)}.`);
  }
}

/**
 * Income classification per type. An ISP sells services: category1_3, wholesale E3_561_001 to professionals
 * and retail E3_561_003 to private customers.
 */
const INCOME_CLASSIFICATION: Record<MyDataInvoiceType, { type: string; category: string }> = {
  '2.1': { type: 'E3_561_001', category: 'category1_3' },
  '5.1': { type: 'E3_561_001', category: 'category1_3' },
  '11.2': { type: 'E3_561_003', category: 'category1_3' },
  '11.4': { type: 'E3_561_003', category: 'category1_3' },
};

export function incomeClassificationFor(type: MyDataInvoiceType): { type: string; category: string } {
  return INCOME_CLASSIFICATION[type];
}

/**
 * A party's AFM, checked. Only Greek parties are supported (foreign ones need types 2.2/2.3 and other rules).
 */
export function greekPartyAfm(role: 'issuer' | 'counterpart', party: { vatNumber: string; country?: string }): string {
  const country = (party.country ?? 'GR').toUpperCase();
  if (country !== 'GR') {
    throw new DomainError(`unsupported_${role}_country`, `The ${role} is in ${country}; only Greek parties (types 2.1/11.2/5.1/11.4) are supported.`);
  }
  const afm = normalizeAfm(party.vatNumber ?? '');
  if (!isValidAfm(afm)) {
    throw new DomainError(`invalid_${role}_afm`, `The ${role} VAT number "${party.vatNumber}" is not a valid Greek AFM (nine digits with a check digit).`);
  }
  return afm;
}

/** AADE paymentMethodDetails/type, code list 1..8 (5 = on credit, for a bill paid later by RF code). */
export function checkPaymentType(type: number): void {
  if (!Number.isInteger(type) || type < 1 || type > 8) {
    throw new DomainError('invalid_einvoice_payment_type', `Payment type ${type} is not an AADE payment method (1..8).`);
  }
}

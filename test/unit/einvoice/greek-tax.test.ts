import {
  checkCorrelatedMark,
  checkLineVat,
  checkPaymentType,
  exemptionCategoryFor,
  greekPartyAfm,
  incomeClassificationFor,
  resolveInvoiceType,
  vatCategoryFor,
  VAT_CATEGORY_BY_RATE,
} from '../../../src/domain/greek-tax';
import { VAT_RATES } from '../../../src/domain/vat';

const VALID_AFM = '090165560';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('Greek tax rules for e-invoices', () => {
  test.each([
    ['invoice', true, '2.1'],
    ['invoice', false, '11.2'],
    ['credit_note', true, '5.1'],
    ['credit_note', false, '11.4'],
  ] as const)('a %s to a business=%s is type %s', (kind, business, type) => {
    expect(resolveInvoiceType({ kind, counterpart: business ? { vatNumber: VALID_AFM } : null })).toBe(type);
  });

  test.each([
    [24, 1], [13, 2], [6, 3], [17, 4], [9, 5], [4, 6], [0, 7], [3, 9],
  ])('VAT %i%% is myDATA vatCategory %i', (rate, category) => {
    expect(vatCategoryFor(rate)).toBe(category);
  });

  test('every rate billing accepts has a VAT category; an unknown rate is refused naming the known ones', () => {
    for (const r of VAT_RATES) expect(VAT_CATEGORY_BY_RATE[r]).toBeDefined();
    expect(codeOf(() => vatCategoryFor(23))).toBe('unsupported_vat_rate');
    expect(() => vatCategoryFor(23)).toThrow(/24, 17, 13, 9, 6, 4, 3, 0/);
  });

  test('an exempt line must state a vatExemptionCategory 1..31; a taxed line carries none', () => {
    expect(exemptionCategoryFor(1, 7, 16)).toBe(16);
    expect(exemptionCategoryFor(1, 1, 16)).toBeNull();
    for (const bad of [null, undefined, 0, 32, 1.5]) expect(codeOf(() => exemptionCategoryFor(2, 7, bad))).toBe('missing_vat_exemption_code');
    expect(() => exemptionCategoryFor(2, 7, null)).toThrow(/Line 2/);
  });

  test('a line\'s VAT is its rate of the net within a cent of rounding; negative or fractional amounts are refused', () => {
    expect(() => checkLineVat(1, { netCents: 2000, vatCents: 480, vatRate: 24 })).not.toThrow();
    expect(() => checkLineVat(1, { netCents: 2000, vatCents: 481, vatRate: 24 })).not.toThrow();
    expect(codeOf(() => checkLineVat(1, { netCents: 2000, vatCents: 260, vatRate: 24 }))).toBe('invalid_einvoice_line');
    expect(() => checkLineVat(3, { netCents: 2000, vatCents: 260, vatRate: 24 })).toThrow('Line 3: VAT 2.60 does not match 24% of 20.00.');
    expect(codeOf(() => checkLineVat(1, { netCents: -100, vatCents: 0, vatRate: 0 }))).toBe('invalid_einvoice_line');
    expect(codeOf(() => checkLineVat(1, { netCents: 10.5, vatCents: 0, vatRate: 0 }))).toBe('invalid_einvoice_line');
  });

  test('income classification: wholesale to businesses, retail to consumers, services category', () => {
    expect(incomeClassificationFor('2.1')).toEqual({ type: 'E3_561_001', category: 'category1_3' });
    expect(incomeClassificationFor('5.1')).toEqual({ type: 'E3_561_001', category: 'category1_3' });
    expect(incomeClassificationFor('11.2')).toEqual({ type: 'E3_561_003', category: 'category1_3' });
    expect(incomeClassificationFor('11.4')).toEqual({ type: 'E3_561_003', category: 'category1_3' });
  });

  test('a business credit note names the invoice it corrects; a retail one need not', () => {
    expect(codeOf(() => checkCorrelatedMark('5.1', null))).toBe('missing_correlated_mark');
    expect(codeOf(() => checkCorrelatedMark('5.1', 'abc'))).toBe('missing_correlated_mark');
    expect(() => checkCorrelatedMark('5.1', '400001234567890')).not.toThrow();
    expect(() => checkCorrelatedMark('11.4', null)).not.toThrow();
  });

  test('parties are Greek with a valid AFM; the AFM comes back normalised', () => {
    expect(greekPartyAfm('issuer', { vatNumber: `EL${VALID_AFM}` })).toBe(VALID_AFM);
    expect(codeOf(() => greekPartyAfm('counterpart', { vatNumber: VALID_AFM, country: 'CY' }))).toBe('unsupported_counterpart_country');
    expect(codeOf(() => greekPartyAfm('issuer', { vatNumber: '123456789' }))).toBe('invalid_issuer_afm');
  });

  test('payment types are AADE\'s 1..8', () => {
    for (const t of [1, 5, 8]) expect(() => checkPaymentType(t)).not.toThrow();
    for (const t of [0, 9, 2.5]) expect(codeOf(() => checkPaymentType(t))).toBe('invalid_einvoice_payment_type');
  });
});

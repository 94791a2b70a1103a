import { buildInvoicesDoc } from '../../../src/adapters/aade/invoices-doc';
import { resolveInvoiceType } from '../../../src/domain/greek-tax';
import { invoicesDocXsdPath, validateInvoicesDoc, assertValidInvoicesDoc } from '../../../src/adapters/aade/xsd-validator';
import { hasXmllintBinary, xmllintSchema } from '../../fakes/xmllint-cli';
import { businessInvoice, consumerReceipt, severalRates, BUSINESS_AFM, ISSUER_AFM } from './fixtures';

const documents = {
  'consumer receipt 11.2': consumerReceipt(),
  'business invoice 2.1': businessInvoice(),
  'several VAT rates 2.1': severalRates(),
  'credit note 5.1': businessInvoice({ kind: 'credit_note', number: 'C1', correlatedMark: '400001234567890' }),
  'retail credit note 11.4': consumerReceipt({ kind: 'credit_note', number: 'C2' }),
};

describe('InvoicesDoc builder', () => {
  it('picks the document type from customer kind and credit flag', () => {
    expect(resolveInvoiceType({ kind: 'invoice', counterpart: null })).toBe('11.2');
    expect(resolveInvoiceType({ kind: 'invoice', counterpart: { vatNumber: BUSINESS_AFM } })).toBe('2.1');
    expect(resolveInvoiceType({ kind: 'credit_note', counterpart: { vatNumber: BUSINESS_AFM } })).toBe('5.1');
    expect(resolveInvoiceType({ kind: 'credit_note' })).toBe('11.4');
  });

  it.each(Object.entries(documents))('%s validates in-process against both vendored XSD versions', async (_name, doc) => {
    const { xml } = buildInvoicesDoc(doc);
    for (const v of ['2.0.1', '1.0.12'] as const) {
      const r = await validateInvoicesDoc(xml, v);
      expect(r.errors).toEqual([]);
      expect(r.valid).toBe(true);
    }
  });

  // CI must have libxml2-utils: there a missing binary fails instead of skipping.
  const cli = hasXmllintBinary() || process.env.CI ? it.each(Object.entries(documents)) : it.skip.each(Object.entries(documents));
  cli('%s validates with the xmllint binary against the vendored XSD', async (_name, doc) => {
    const { xml } = buildInvoicesDoc(doc);
    for (const v of ['2.0.1', '1.0.12'] as const) {
      const r = await xmllintSchema(xml, invoicesDocXsdPath(v));
      expect(r.output).toContain('- validates');
      expect(r.valid).toBe(true);
    }
  });

  it('writes a retail receipt without counterpart, with retail classification and summary from the lines', () => {
    const { xml, invoiceType, totals } = buildInvoicesDoc(consumerReceipt());
    expect(invoiceType).toBe('11.2');
    expect(xml).not.toContain('<counterpart>');
    expect(xml).toContain(`<vatNumber>${ISSUER_AFM}</vatNumber>`);
    expect(xml).toContain('<icls:classificationType>E3_561_003</icls:classificationType>');
    expect(xml).toContain('<totalGrossValue>24.80</totalGrossValue>');
    expect(xml).toContain('<type>5</type>');
    expect(xml).toContain('<amount>24.80</amount>');
    expect(totals).toEqual({ netCents: 2000, vatCents: 480, grossCents: 2480 });
    expect(xml).toContain('FTTH 100Mbps — January 2026 &lt;home&gt; &amp; &quot;family&quot;');
  });

  it('writes a B2B invoice with counterpart (no name, AADE refuses it for GR) and wholesale classification', () => {
    const { xml, invoiceType } = buildInvoicesDoc(businessInvoice());
    expect(invoiceType).toBe('2.1');
    expect(xml).toMatch(/<counterpart>\s*<vatNumber>090165560<\/vatNumber>\s*<country>GR<\/country>\s*<branch>0<\/branch>\s*<address>/);
    expect(xml).not.toMatch(/<name>/);
    expect(xml).toContain('<icls:classificationType>E3_561_001</icls:classificationType>');
    expect(xml).toContain('<paymentMethodInfo>RF18539007547034</paymentMethodInfo>');
  });

  it('maps each VAT rate to its category and sums several rates', () => {
    const { xml, totals } = buildInvoicesDoc(severalRates());
    const cats = [...xml.matchAll(/<vatCategory>(\d+)<\/vatCategory>/g)].map((m) => m[1]);
    expect(cats).toEqual(['1', '4', '2', '7', '3']);
    expect(xml).toContain('<vatExemptionCategory>14</vatExemptionCategory>');
    expect(totals).toEqual({ netCents: 7733, vatCents: 1264, grossCents: 8997 });
    expect(xml).toContain('<totalNetValue>77.33</totalNetValue>');
    expect(xml).toContain('<totalVatAmount>12.64</totalVatAmount>');
    expect(xml).toContain('<totalGrossValue>89.97</totalGrossValue>');
    expect(xml).toContain('<quantity>2</quantity>');
  });

  it('correlates a 5.1 credit note with the original MARK', () => {
    const { xml, invoiceType } = buildInvoicesDoc(documents['credit note 5.1']);
    expect(invoiceType).toBe('5.1');
    expect(xml).toContain('<correlatedInvoices>400001234567890</correlatedInvoices>');
  });

  it.each([
    ['a wrong issuer check digit', consumerReceipt({ issuer: { vatNumber: '094014202' } }), 'invalid_issuer_afm'],
    ['a wrong counterpart check digit', businessInvoice({ counterpart: { vatNumber: '090165561' } }), 'invalid_counterpart_afm'],
    ['0% VAT without exemption code', consumerReceipt({ lines: [{ description: 'x', netCents: 100, vatCents: 0, vatRate: 0 }] }), 'missing_vat_exemption_code'],
    ['an unknown VAT rate', consumerReceipt({ lines: [{ description: 'x', netCents: 100, vatCents: 20, vatRate: 20 }] }), 'unsupported_vat_rate'],
    ['VAT not matching the rate', consumerReceipt({ lines: [{ description: 'x', netCents: 1000, vatCents: 100, vatRate: 24 }] }), 'invalid_einvoice_line'],
    ['a negative line', consumerReceipt({ lines: [{ description: 'x', netCents: -100, vatCents: -24, vatRate: 24 }] }), 'invalid_einvoice_line'],
    ['fractional cents', consumerReceipt({ lines: [{ description: 'x', netCents: 10.5, vatCents: 2, vatRate: 24 }] }), 'invalid_einvoice_line'],
    ['no lines', consumerReceipt({ lines: [] }), 'invalid_einvoice_lines'],
    ['totals differing from lines', consumerReceipt({ expectedTotals: { netCents: 2000, vatCents: 480, totalCents: 2500 } }), 'einvoice_totals_mismatch'],
    ['a 5.1 without MARK', businessInvoice({ kind: 'credit_note' }), 'missing_correlated_mark'],
    ['a bad payment type', consumerReceipt({ paymentType: 9 }), 'invalid_einvoice_payment_type'],
    ['a foreign counterpart', businessInvoice({ counterpart: { vatNumber: BUSINESS_AFM, country: 'DE' } }), 'unsupported_counterpart_country'],
    ['a bad issue date', consumerReceipt({ issueDate: '15/01/2026' }), 'invalid_einvoice_issue_date'],
  ])('refuses %s', (_name, doc, code) => {
    expect(() => buildInvoicesDoc(doc)).toThrow(expect.objectContaining({ code }));
  });

  it('the in-process validator rejects what the XSD forbids, with the reason', async () => {
    const bad = buildInvoicesDoc(consumerReceipt()).xml.replace('<invoiceType>11.2', '<invoiceType>2.9');
    const r = await validateInvoicesDoc(bad);
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toContain("The value '2.9' is not an element of the set");
    await expect(assertValidInvoicesDoc(bad)).rejects.toMatchObject({ code: 'einvoice_xsd_invalid', status: 422 });
    const misordered = buildInvoicesDoc(consumerReceipt()).xml.replace(/(<netValue>[^<]*<\/netValue>)(\s*)(<vatCategory>[^<]*<\/vatCategory>)/, '$3$2$1');
    expect((await validateInvoicesDoc(misordered)).valid).toBe(false);
  });
});

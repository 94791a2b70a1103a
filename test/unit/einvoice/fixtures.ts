import type { EinvoiceDocument } from '../../../src/adapters/aade/invoices-doc';

export const ISSUER_AFM = '094014201';
export const BUSINESS_AFM = '090165560';

export function consumerReceipt(over: Partial<EinvoiceDocument> = {}): EinvoiceDocument {
  return {
    kind: 'invoice',
    issuer: { vatNumber: ISSUER_AFM },
    series: 'APY',
    number: '5001',
    issueDate: '2026-01-15',
    paymentType: 5,
    lines: [{ description: 'FTTH 100Mbps — January 2026 <home> & "family"', quantity: 1, netCents: 2000, vatCents: 480, vatRate: 24 }],
    ...over,
  };
}

export function businessInvoice(over: Partial<EinvoiceDocument> = {}): EinvoiceDocument {
  return {
    kind: 'invoice',
    issuer: { vatNumber: ISSUER_AFM },
    counterpart: { vatNumber: BUSINESS_AFM, address: { street: 'Ermou', number: '10', postalCode: '10563', city: 'ATHINA' } },
    series: 'A',
    number: '101',
    issueDate: '2026-01-15',
    paymentType: 6,
    paymentInfo: 'RF18539007547034',
    lines: [{ description: 'FTTH 100Mbps monthly subscription', quantity: 1, netCents: 3000, vatCents: 720, vatRate: 24 }],
    ...over,
  };
}

export function severalRates(over: Partial<EinvoiceDocument> = {}): EinvoiceDocument {
  return businessInvoice({
    number: '102',
    lines: [
      { description: 'Internet 24%', quantity: 1, netCents: 3000, vatCents: 720, vatRate: 24 },
      { description: 'Island rate 17%', quantity: 2, netCents: 1999, vatCents: 340, vatRate: 17 },
      { description: 'Reduced 13%', netCents: 1000, vatCents: 130, vatRate: 13 },
      { description: 'Exempt line', netCents: 500, vatCents: 0, vatRate: 0, vatExemptionCode: 14 },
      { description: 'Super-reduced 6%', netCents: 1234, vatCents: 74, vatRate: 6 },
    ],
    ...over,
  });
}

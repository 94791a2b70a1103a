import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRequestedDoc, parseResponseDoc } from '../../../src/adapters/aade/response-doc';

const sample = (f: string) => readFileSync(path.join(__dirname, 'samples', f), 'utf8');

describe('ResponseDoc parsing', () => {
  it('reads MARK, UID and QR URL of a success, keeping the MARK a string', () => {
    const [r] = parseResponseDoc(sample('sample-response-success.xml'));
    expect(r).toMatchObject({ index: 1, statusCode: 'Success', invoiceMark: '400001234567890', invoiceUid: '6F825B9B74717280D1F9A38252D0B65604C6D162', errors: [] });
    expect(r.qrUrl).toMatch(/^https:\/\/mydataapidev\.aade\.gr\/TimologioQR\/QRInfo\?q=/);
  });

  it.each(['sample-response-error.xml', 'sample-response-error-xsd-order.xml'])('reads errors whatever the element order (%s)', (file) => {
    const [r] = parseResponseDoc(sample(file));
    expect(r.statusCode).toBe('ValidationError');
    expect(r.invoiceMark).toBeUndefined();
    expect(r.errors).toEqual([
      { code: '402', message: 'At least one payment method detail must be of POS type' },
      { code: '407', message: "Payment Methods total amount must be equal to or less than initial invoice's total value" },
    ]);
  });

  it('reads a cancellation mark', () => {
    expect(parseResponseDoc(sample('sample-response-cancel.xml'))[0]).toMatchObject({ statusCode: 'Success', cancellationMark: '400001234599399' });
  });

  it('answers one entry per invoice, by index', () => {
    const xml = '<ResponseDoc><response><index>1</index><invoiceMark>1</invoiceMark><statusCode>Success</statusCode></response><response><index>2</index><statusCode>TechnicalError</statusCode><errors><error><message>m</message><code>-1</code></error></errors></response></ResponseDoc>';
    const rs = parseResponseDoc(xml);
    expect(rs.map((r) => [r.index, r.statusCode])).toEqual([[1, 'Success'], [2, 'TechnicalError']]);
    expect(rs[1].errors).toEqual([{ code: '-1', message: 'm' }]);
  });

  it.each([
    ['not XML', '{"statusCode":401}', 'malformed_xml'],
    ['another root', '<html><body>gateway</body></html>', 'mydata_bad_reply'],
    ['no statusCode', '<ResponseDoc><response><index>1</index></response></ResponseDoc>', 'mydata_bad_reply'],
  ])('refuses %s', (_n, xml, code) => {
    expect(() => parseResponseDoc(xml)).toThrow(expect.objectContaining({ code }));
  });

  it('reads transmitted documents, cancellations and the continuation token of a RequestedDoc', () => {
    const xml = `<RequestedDoc xmlns="http://www.aade.gr/myDATA/invoice/v1.0"><continuationToken><nextPartitionKey>pk</nextPartitionKey><nextRowKey>rk</nextRowKey></continuationToken>
      <invoicesDoc><invoice><uid>ABC</uid><mark>400000000000001</mark><issuer><vatNumber>094014201</vatNumber><country>GR</country><branch>0</branch></issuer>
      <invoiceHeader><series>A</series><aa>7</aa><issueDate>2026-01-15</issueDate><invoiceType>2.1</invoiceType></invoiceHeader>
      <invoiceSummary><totalGrossValue>37.2</totalGrossValue></invoiceSummary></invoice></invoicesDoc>
      <cancelledInvoicesDoc><cancelledInvoice><invoiceMark>400000000000001</invoiceMark><cancellationMark>400000000000009</cancellationMark><cancellationDate>2026-01-16</cancellationDate></cancelledInvoice></cancelledInvoicesDoc></RequestedDoc>`;
    const doc = parseRequestedDoc(xml);
    expect(doc.invoices).toEqual([{ uid: 'ABC', mark: '400000000000001', cancelledByMark: undefined, issuerVat: '094014201', counterpartVat: undefined, series: 'A', aa: '7', issueDate: '2026-01-15', invoiceType: '2.1', totalGrossCents: 3720 }]);
    expect(doc.cancelled).toEqual([{ invoiceMark: '400000000000001', cancellationMark: '400000000000009', cancellationDate: '2026-01-16' }]);
    expect(doc.continuation).toEqual({ nextPartitionKey: 'pk', nextRowKey: 'rk' });
  });
});

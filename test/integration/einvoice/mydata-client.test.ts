import { buildInvoicesDoc } from '../../../src/adapters/aade/invoices-doc';
import { MyDataClient } from '../../../src/adapters/aade/mydata-client';
import { FakeMyDataServer } from '../../fakes/mydata-server';
import { businessInvoice, consumerReceipt, severalRates, ISSUER_AFM } from '../../unit/einvoice/fixtures';

describe('myDATA client against the fake myDATA server', () => {
  let fake: FakeMyDataServer;
  let client: MyDataClient;

  beforeEach(async () => {
    fake = await new FakeMyDataServer({ accountAfm: ISSUER_AFM }).start();
    client = new MyDataClient({ baseUrl: fake.baseUrl, userId: fake.userId, subscriptionKey: fake.subscriptionKey, timeoutMs: 10_000 });
  });
  afterEach(() => fake.stop());

  it('sends an InvoicesDoc with both auth headers and text/xml, and reads MARK, UID and QR URL', async () => {
    const { xml } = buildInvoicesDoc(businessInvoice());
    const [r] = await client.sendInvoices(xml);
    expect(r).toMatchObject({ index: 1, statusCode: 'Success', errors: [] });
    expect(r.invoiceMark).toBe(fake.invoices[0].mark);
    expect(r.invoiceUid).toMatch(/^[0-9A-F]{40}$/);
    expect(r.qrUrl).toContain('TimologioQR');
    const req = fake.requests[0];
    expect(req).toMatchObject({ method: 'POST', path: '/SendInvoices', body: xml });
    expect(req.headers['aade-user-id']).toBe(fake.userId);
    expect(req.headers['ocp-apim-subscription-key']).toBe(fake.subscriptionKey);
    expect(req.headers['content-type']).toMatch(/^text\/xml/);
  });

  it('sends consumer receipts and several-rate invoices the fake accepts', async () => {
    for (const doc of [consumerReceipt(), severalRates()]) {
      const [r] = await client.sendInvoices(buildInvoicesDoc(doc).xml);
      expect(r.statusCode).toBe('Success');
    }
    expect(fake.invoices.map((i) => i.invoiceType)).toEqual(['11.2', '2.1']);
  });

  it('a wrong subscription key is mydata_unauthorized and nothing is stored', async () => {
    const bad = new MyDataClient({ baseUrl: fake.baseUrl, userId: fake.userId, subscriptionKey: 'wrong' });
    await expect(bad.sendInvoices(buildInvoicesDoc(consumerReceipt()).xml)).rejects.toMatchObject({ code: 'mydata_unauthorized', extra: { outcome: 'not_sent' } });
    expect(fake.invoices).toHaveLength(0);
  });

  it('the fake refuses an XSD-invalid document with XMLSyntaxError', async () => {
    const bad = buildInvoicesDoc(consumerReceipt()).xml.replace('<vatCategory>1<', '<vatCategory>99<');
    const [r] = await client.sendInvoices(bad);
    expect(r.statusCode).toBe('XMLSyntaxError');
    expect(r.errors[0].message).toContain('vatCategory');
    expect(fake.invoices).toHaveLength(0);
  });

  it('answers ValidationError for a duplicate and for an issuer that is not the account, in both element orders', async () => {
    const xml = buildInvoicesDoc(consumerReceipt()).xml;
    await client.sendInvoices(xml);
    const [dup] = await client.sendInvoices(xml);
    expect(dup.statusCode).toBe('ValidationError');
    expect(dup.errors[0].message).toContain('already been transmitted');

    const xsdOrder = await new FakeMyDataServer({ accountAfm: '094019245', errorOrder: 'xsd' }).start();
    try {
      const c2 = new MyDataClient({ baseUrl: xsdOrder.baseUrl, userId: xsdOrder.userId, subscriptionKey: xsdOrder.subscriptionKey });
      const [r] = await c2.sendInvoices(xml);
      expect(r.statusCode).toBe('ValidationError');
      expect(r.errors[0].message).toContain(`Issuer VAT number ${ISSUER_AFM}`);
    } finally {
      await xsdOrder.stop();
    }
  });

  it('TechnicalError is reported as such', async () => {
    fake.failNextWithTechnicalError();
    const [r] = await client.sendInvoices(buildInvoicesDoc(consumerReceipt()).xml);
    expect(r.statusCode).toBe('TechnicalError');
    expect(fake.invoices).toHaveLength(0);
  });

  it('a lost reply is mydata_unreachable with outcome unknown, and RequestTransmittedDocs finds the MARK', async () => {
    fake.dropNextReply();
    const doc = consumerReceipt();
    await expect(client.sendInvoices(buildInvoicesDoc(doc).xml)).rejects.toMatchObject({ code: 'mydata_unreachable', extra: { outcome: 'unknown' } });
    expect(fake.invoices).toHaveLength(1);
    const found = await client.findTransmitted({ issuerVat: ISSUER_AFM, series: doc.series, aa: doc.number, invoiceType: '11.2', issueDate: doc.issueDate });
    expect(found).toMatchObject({ mark: fake.invoices[0].mark, uid: fake.invoices[0].uid, totalGrossCents: 2480 });
    const q = fake.requests.find((r) => r.path === '/RequestTransmittedDocs')!;
    expect(q.query).toMatchObject({ mark: '0', dateFrom: '15/01/2026', dateTo: '15/01/2026' });
  });

  it('findTransmitted follows the continuation token and answers null when absent', async () => {
    const paged = await new FakeMyDataServer({ accountAfm: ISSUER_AFM, pageSize: 1 }).start();
    try {
      const c = new MyDataClient({ baseUrl: paged.baseUrl, userId: paged.userId, subscriptionKey: paged.subscriptionKey });
      for (const n of ['1', '2', '3']) await c.sendInvoices(buildInvoicesDoc(consumerReceipt({ number: n })).xml);
      const found = await c.findTransmitted({ issuerVat: ISSUER_AFM, series: 'APY', aa: '3', invoiceType: '11.2', issueDate: '2026-01-15' });
      expect(found?.mark).toBe(paged.invoices[2].mark);
      expect(paged.requests.filter((r) => r.path === '/RequestTransmittedDocs')).toHaveLength(3);
      expect(await c.findTransmitted({ issuerVat: ISSUER_AFM, series: 'APY', aa: '4', invoiceType: '11.2', issueDate: '2026-01-15' })).toBeNull();
    } finally {
      await paged.stop();
    }
  });

  it('cancels a MARK with an empty-body POST and reads the cancellation mark; a second cancel is a ValidationError', async () => {
    const [sent] = await client.sendInvoices(buildInvoicesDoc(consumerReceipt()).xml);
    const r = await client.cancelInvoice(sent.invoiceMark!);
    expect(r.statusCode).toBe('Success');
    expect(r.cancellationMark).toBe(fake.invoices[0].cancelledByMark);
    const req = fake.requests.find((x) => x.path === '/CancelInvoice')!;
    expect(req).toMatchObject({ method: 'POST', body: '', query: { mark: sent.invoiceMark } });
    const again = await client.cancelInvoice(sent.invoiceMark!);
    expect(again.statusCode).toBe('ValidationError');
    await expect(client.cancelInvoice('12ab')).rejects.toMatchObject({ code: 'invalid_mark' });
  });

  it('an HTTP 5xx leaves the outcome unknown; a refused connection is not_sent', async () => {
    fake.failNextWithHttp(503);
    await expect(client.sendInvoices(buildInvoicesDoc(consumerReceipt()).xml)).rejects.toMatchObject({ code: 'mydata_unavailable', extra: { outcome: 'unknown' } });
    const url = fake.baseUrl;
    await fake.stop();
    const dead = new MyDataClient({ baseUrl: url, userId: 'u', subscriptionKey: 'k' });
    await expect(dead.sendInvoices('<x/>')).rejects.toMatchObject({ code: 'mydata_unreachable', extra: { outcome: 'not_sent' } });
    fake = await new FakeMyDataServer({ accountAfm: ISSUER_AFM }).start();
  });

  it('refuses to build without credentials', () => {
    expect(() => new MyDataClient({ baseUrl: fake.baseUrl, userId: '', subscriptionKey: 'k' })).toThrow(expect.objectContaining({ code: 'mydata_not_configured' }));
  });
});

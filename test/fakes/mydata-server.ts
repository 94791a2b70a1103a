/**
 * A fake AADE myDATA ERP endpoint on loopback. As strict as the real one where it matters to us:
 * - the aade-user-id / Ocp-Apim-Subscription-Key pair (401 with an APIM-style JSON body otherwise);
 * - each posted InvoicesDoc validated by the real `xmllint --schema` against the vendored XSD
 *   (XMLSyntaxError when it fails, as myDATA does);
 * - AADE's business rules the XSD cannot express: issuer = account AFM, summary = sum of lines,
 *   payments = gross, counterpart only on B2B types, exemption category on 0% VAT, duplicates,
 *   correlated MARK of a credit note must exist;
 * - ResponseDoc replies with statusCode after errors *or* before (the live order), chosen per fake.
 * Error codes in ValidationError replies are illustrative; clients must not branch on them.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { invoicesDocXsdPath, MyDataXsdVersion } from '../../src/adapters/aade/xsd-validator';
import { xmllintSchema } from './xmllint-cli';

export interface StoredInvoice {
  uid: string;
  mark: string;
  invoiceXml: string;
  issuerVat: string;
  counterpartVat?: string;
  series: string;
  aa: string;
  issueDate: string;
  invoiceType: string;
  grossCents: number;
  cancelledByMark?: string;
  cancellationDate?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type SendBehaviour =
  | { kind: 'technical' }
  | { kind: 'drop' }
  | { kind: 'http'; status: number }
  | { kind: 'hold'; received: () => void; gate: Promise<void> };

export interface FakeMyDataOptions {
  userId?: string;
  subscriptionKey?: string;
  /** The AFM the credentials belong to; the issuer of every document must be it. */
  accountAfm: string;
  xsdVersion?: MyDataXsdVersion;
  /** Put <statusCode> before <errors>, as the live service does (default), or in XSD order. */
  errorOrder?: 'wire' | 'xsd';
  pageSize?: number;
}

const INV_NS = 'http://www.aade.gr/myDATA/invoice/v1.0';
const ICLS_NS = 'https://www.aade.gr/myDATA/incomeClassificaton/v1.0';
const ECLS_NS = 'https://www.aade.gr/myDATA/expensesClassificaton/v1.0';

function cents(v: unknown): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(v ?? '').trim());
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : NaN;
}

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function ddmmyyyyToIso(s: string | undefined): string | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s ?? '');
  return m ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
}

export class FakeMyDataServer {
  readonly userId: string;
  readonly subscriptionKey: string;
  readonly invoices: StoredInvoice[] = [];
  readonly requests: RecordedRequest[] = [];
  private server?: http.Server;
  private nextMark = 400001234567890n;
  private behaviours: SendBehaviour[] = [];
  private parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (n) => ['invoiceDetails', 'paymentMethodDetails', 'correlatedInvoices'].includes(n) });
  baseUrl = '';

  constructor(private readonly opts: FakeMyDataOptions) {
    this.userId = opts.userId ?? 'fake-user';
    this.subscriptionKey = opts.subscriptionKey ?? 'fake-subscription-key-0123456789';
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(err));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Next SendInvoices answers TechnicalError without storing. */
  failNextWithTechnicalError(): void {
    this.behaviours.push({ kind: 'technical' });
  }

  /** Next SendInvoices is stored (MARK issued) and then the connection is cut before any reply. */
  dropNextReply(): void {
    this.behaviours.push({ kind: 'drop' });
  }

  failNextWithHttp(status: number): void {
    this.behaviours.push({ kind: 'http', status });
  }

  /** Next SendInvoices waits until `release()`; `received` resolves when it has arrived. */
  holdNextSend(): { received: Promise<void>; release: () => void } {
    let received!: () => void;
    let release!: () => void;
    const receivedP = new Promise<void>((r) => (received = r));
    const gate = new Promise<void>((r) => (release = r));
    this.behaviours.push({ kind: 'hold', received, gate });
    return { received: receivedP, release };
  }

  sendCount(): number {
    return this.requests.filter((r) => r.path === '/SendInvoices').length;
  }

  private reply(res: http.ServerResponse, status: number, body: string, type = 'application/xml; charset=utf-8'): void {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  }

  private responseXml(items: { index?: number; statusCode: string; fields?: [string, string][]; errors?: { message: string; code: string }[] }[]): string {
    const body = items.map((it) => {
      const parts: string[] = [];
      if (it.index !== undefined) parts.push(`<index>${it.index}</index>`);
      const errs = it.errors?.length
        ? `<errors>${it.errors.map((e) => `<error><message>${e.message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</message><code>${e.code}</code></error>`).join('')}</errors>`
        : '';
      for (const [k, v] of it.fields ?? []) parts.push(`<${k}>${v.replace(/&/g, '&amp;')}</${k}>`);
      const status = `<statusCode>${it.statusCode}</statusCode>`;
      parts.push(...((this.opts.errorOrder ?? 'wire') === 'wire' ? [status, errs] : [errs, status]));
      return `  <response>${parts.join('')}</response>`;
    });
    return `<?xml version="1.0" encoding="utf-8"?>\n<ResponseDoc xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n${body.join('\n')}\n</ResponseDoc>`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    this.requests.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers, body });

    if (req.headers['aade-user-id'] !== this.userId || req.headers['ocp-apim-subscription-key'] !== this.subscriptionKey) {
      return this.reply(res, 401, JSON.stringify({ statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' }), 'application/json');
    }
    if (url.pathname === '/SendInvoices' && req.method === 'POST') return this.sendInvoices(req, res, body);
    if (url.pathname === '/CancelInvoice' && req.method === 'POST') return this.cancelInvoice(res, query, body);
    if (url.pathname === '/RequestTransmittedDocs' && req.method === 'GET') return this.requestTransmitted(res, query);
    return this.reply(res, 404, JSON.stringify({ statusCode: 404, message: 'Resource not found' }), 'application/json');
  }

  private async sendInvoices(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const behaviour = this.behaviours.shift();
    if (behaviour?.kind === 'hold') {
      behaviour.received();
      await behaviour.gate;
    }
    if (!/^(text|application)\/xml/.test(String(req.headers['content-type'] ?? ''))) {
      return this.reply(res, 415, JSON.stringify({ statusCode: 415, message: 'Unsupported Media Type' }), 'application/json');
    }
    if (behaviour?.kind === 'http') return this.reply(res, behaviour.status, '');
    if (behaviour?.kind === 'technical') {
      return this.reply(res, 200, this.responseXml([{ index: 1, statusCode: 'TechnicalError', errors: [{ message: 'An internal error occurred. Please try again later.', code: '-1' }] }]));
    }
    const xsd = await xmllintSchema(body, invoicesDocXsdPath(this.opts.xsdVersion ?? '2.0.1'));
    if (!xsd.valid) {
      const first = xsd.output.split('\n').find((l) => /error/i.test(l)) ?? 'XML Syntax Validation Error';
      return this.reply(res, 200, this.responseXml([{ index: 1, statusCode: 'XMLSyntaxError', errors: [{ message: first.replace(/^-:\d+:\s*/, ''), code: '101' }] }]));
    }
    const invoiceXmls = [...body.matchAll(/<(\w+:)?invoice>([\s\S]*?)<\/\1?invoice>/g)].map((m) => m[2]);
    const parsed = this.parser.parse(body) as { InvoicesDoc: { invoice: unknown } };
    const invoices = asList(parsed.InvoicesDoc.invoice as Record<string, any> | Record<string, any>[]);
    const results = invoices.map((inv, i) => this.acceptInvoice(inv, invoiceXmls[i] ?? '', i + 1));
    if (behaviour?.kind === 'drop') {
      // The document is booked with a MARK, but the client never learns it.
      req.socket.destroy();
      return;
    }
    return this.reply(res, 200, this.responseXml(results));
  }

  private acceptInvoice(inv: Record<string, any>, invoiceXml: string, index: number) {
    const errors: { message: string; code: string }[] = [];
    const header = inv.invoiceHeader ?? {};
    const type = String(header.invoiceType);
    const issuer = inv.issuer ?? {};
    const counterpart = inv.counterpart;
    if (String(issuer.vatNumber) !== this.opts.accountAfm) errors.push({ message: `Issuer VAT number ${issuer.vatNumber} does not belong to the user ${this.userId}`, code: '102' });
    if (String(issuer.country) === 'GR' && (issuer.name !== undefined || issuer.address !== undefined)) errors.push({ message: 'Issuer name and address are not accepted for a Greek issuer', code: '220' });
    const retail = type.startsWith('11.');
    if (retail && counterpart) errors.push({ message: `Counterpart is not accepted for invoice type ${type}`, code: '221' });
    if (!retail && !counterpart) errors.push({ message: `Counterpart is mandatory for invoice type ${type}`, code: '222' });
    if (counterpart && String(counterpart.country) === 'GR' && counterpart.name !== undefined) errors.push({ message: 'Counterpart name is not accepted for a Greek counterpart', code: '223' });
    let net = 0;
    let vat = 0;
    for (const line of asList(inv.invoiceDetails)) {
      net += cents(line.netValue);
      vat += cents(line.vatAmount);
      if (String(line.vatCategory) === '7' && line.vatExemptionCategory === undefined) errors.push({ message: `Line ${line.lineNumber}: vatExemptionCategory is mandatory for vatCategory 7`, code: '230' });
      const cls = asList(line.incomeClassification);
      const clsSum = cls.reduce((s: number, c: any) => s + cents(c.amount), 0);
      if (clsSum !== cents(line.netValue)) errors.push({ message: `Line ${line.lineNumber}: income classification amounts do not equal the net value`, code: '231' });
    }
    const s = inv.invoiceSummary ?? {};
    const gross = cents(s.totalGrossValue);
    if (cents(s.totalNetValue) !== net || cents(s.totalVatAmount) !== vat) errors.push({ message: 'Invoice summary totals do not match the sum of the invoice details', code: '203' });
    const others = ['totalWithheldAmount', 'totalFeesAmount', 'totalStampDutyAmount', 'totalOtherTaxesAmount'].reduce((a, k) => a + cents(s[k]), 0) - cents(s.totalDeductionsAmount);
    if (gross !== net + vat + others) errors.push({ message: 'totalGrossValue does not equal net + VAT + other amounts', code: '204' });
    const paid = asList(inv.paymentMethods?.paymentMethodDetails).reduce((a: number, p: any) => a + cents(p.amount), 0);
    if (inv.paymentMethods && paid !== gross) errors.push({ message: 'Payment Methods total amount must be equal to the invoice total value', code: '407' });
    for (const mark of asList(header.correlatedInvoices)) {
      if (!this.invoices.some((x) => x.mark === String(mark))) errors.push({ message: `Correlated invoice mark ${mark} was not found`, code: '314' });
    }
    if (type === '5.1' && !asList(header.correlatedInvoices).length) errors.push({ message: 'correlatedInvoices is mandatory for invoice type 5.1', code: '313' });
    // AADE's uid: SHA-1 over issuer-date-branch-type-series-aa (unverified formula, used here only to detect duplicates).
    const uid = createHash('sha1').update(`${issuer.vatNumber}-${header.issueDate}-${issuer.branch}-${type}-${header.series}-${header.aa}`).digest('hex').toUpperCase();
    const dup = this.invoices.find((x) => x.uid === uid && !x.cancelledByMark);
    if (dup) errors.push({ message: `Invoice with the same uid has already been transmitted (mark ${dup.mark})`, code: '228' });
    if (errors.length) return { index, statusCode: 'ValidationError', errors };

    const mark = String(this.nextMark++);
    this.invoices.push({
      uid, mark, invoiceXml,
      issuerVat: String(issuer.vatNumber), counterpartVat: counterpart ? String(counterpart.vatNumber) : undefined,
      series: String(header.series), aa: String(header.aa), issueDate: String(header.issueDate), invoiceType: type, grossCents: gross,
    });
    const fields: [string, string][] = [['invoiceUid', uid], ['invoiceMark', mark], ['qrUrl', `${this.baseUrl}TimologioQR/QRInfo?q=${uid.slice(0, 16)}`]];
    return { index, statusCode: 'Success', fields };
  }

  private cancelInvoice(res: http.ServerResponse, query: Record<string, string>, body: string): void {
    if (body.trim() !== '') return this.reply(res, 400, JSON.stringify({ statusCode: 400, message: 'CancelInvoice takes no body' }), 'application/json');
    const inv = this.invoices.find((x) => x.mark === query.mark);
    if (!query.mark || !inv) return this.reply(res, 200, this.responseXml([{ statusCode: 'ValidationError', errors: [{ message: `Invoice with mark ${query.mark ?? ''} was not found`, code: '315' }] }]));
    if (inv.cancelledByMark) return this.reply(res, 200, this.responseXml([{ statusCode: 'ValidationError', errors: [{ message: `Invoice with mark ${inv.mark} is already cancelled`, code: '316' }] }]));
    inv.cancelledByMark = String(this.nextMark++);
    inv.cancellationDate = new Date().toISOString().slice(0, 10);
    return this.reply(res, 200, this.responseXml([{ statusCode: 'Success', fields: [['cancellationMark', inv.cancelledByMark]] }]));
  }

  private requestTransmitted(res: http.ServerResponse, query: Record<string, string>): void {
    if (query.mark === undefined || !/^\d+$/.test(query.mark)) {
      return this.reply(res, 400, JSON.stringify({ statusCode: 400, message: 'The mark parameter is required' }), 'application/json');
    }
    const from = ddmmyyyyToIso(query.dateFrom);
    const to = ddmmyyyyToIso(query.dateTo);
    if ((query.dateFrom && !from) || (query.dateTo && !to)) {
      return this.reply(res, 400, JSON.stringify({ statusCode: 400, message: 'Dates must be dd/MM/yyyy' }), 'application/json');
    }
    const matching = this.invoices.filter((x) => BigInt(x.mark) > BigInt(query.mark) && (!from || x.issueDate >= from) && (!to || x.issueDate <= to));
    const pageSize = this.opts.pageSize ?? 100;
    const offset = query.nextRowKey ? Number(query.nextRowKey) : 0;
    const page = matching.slice(offset, offset + pageSize);
    const more = offset + pageSize < matching.length;
    const token = more ? `<continuationToken><nextPartitionKey>p</nextPartitionKey><nextRowKey>${offset + pageSize}</nextRowKey></continuationToken>` : '';
    const invoices = page.map((x) => `<invoice><uid>${x.uid}</uid><mark>${x.mark}</mark>${x.cancelledByMark ? `<cancelledByMark>${x.cancelledByMark}</cancelledByMark>` : ''}${x.invoiceXml}</invoice>`).join('');
    const cancelled = page.filter((x) => x.cancelledByMark).map((x) => `<cancelledInvoice><invoiceMark>${x.mark}</invoiceMark><cancellationMark>${x.cancelledByMark}</cancellationMark><cancellationDate>${x.cancellationDate}</cancellationDate></cancelledInvoice>`).join('');
    const xml = `<?xml version="1.0" encoding="utf-8"?><RequestedDoc xmlns="${INV_NS}" xmlns:icls="${ICLS_NS}" xmlns:ecls="${ECLS_NS}">${token}<invoicesDoc>${invoices}</invoicesDoc>${cancelled ? `<cancelledInvoicesDoc>${cancelled}</cancelledInvoicesDoc>` : ''}</RequestedDoc>`;
    return this.reply(res, 200, xml);
  }
}

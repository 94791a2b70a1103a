import { AppError } from '../../errors';
import { MyDataResponse, RequestedDoc, TransmittedInvoice, parseRequestedDoc, parseResponseDoc } from './response-doc';
import { httpExchange, TransportError, type HttpAnswer } from '../http';

export interface MyDataClientOptions {
  /** ERP channel base: production https://mydatapi.aade.gr/myDATA/, development https://mydataapidev.aade.gr/ */
  baseUrl: string;
  userId: string;
  subscriptionKey: string;
  /** Only when acting for another entity (accountant / representative). */
  entityVatNumber?: string;
  timeoutMs?: number;
}

/**
 * Whether a failed call may still have reached myDATA. `not_sent` is safe to resend; `unknown`
 * means the document may hold a MARK already, so the caller must ask RequestTransmittedDocs first.
 */
export type TransmissionOutcome = 'not_sent' | 'unknown';

export interface TransmittedQuery {
  mark?: string;
  dateFrom?: string;
  dateTo?: string;
  receiverVatNumber?: string;
  invType?: string;
  maxMark?: string;
  nextPartitionKey?: string;
  nextRowKey?: string;
}

function transportError(err: TransportError, what: string): AppError {
  const { code, outcome } = err;
  const hint = outcome === 'unknown'
    ? ' The request may have reached AADE; the next attempt checks RequestTransmittedDocs before resending.'
    : '';
  return new AppError('mydata_unreachable', `myDATA did not answer ${what} (${code}).${hint}`, 502, { extra: { outcome }, cause: err.cause });
}

/** dd/MM/yyyy, the only date format the myDATA GET endpoints take. */
export function myDataDate(isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

export class MyDataClient {
  private readonly base: string;

  constructor(private readonly opts: MyDataClientOptions) {
    if (!opts.baseUrl) throw new AppError('mydata_not_configured', 'MYDATA_BASE_URL is not set.', 500);
    if (!opts.userId || !opts.subscriptionKey) {
      throw new AppError('mydata_not_configured', 'The myDATA aade-user-id and subscription key are not configured; save them with save_einvoice_settings.', 422);
    }
    this.base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { 'aade-user-id': this.opts.userId, 'Ocp-Apim-Subscription-Key': this.opts.subscriptionKey, Accept: 'application/xml', ...extra };
  }

  private async call(method: 'GET' | 'POST', endpoint: string, query: Record<string, string | undefined>, body: string | undefined, what: string): Promise<string> {
    const url = new URL(endpoint, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    if (this.opts.entityVatNumber) url.searchParams.set('entityVatNumber', this.opts.entityVatNumber);
    let res: HttpAnswer;
    try {
      res = await httpExchange(url, {
        method,
        headers: this.headers(body !== undefined ? { 'Content-Type': 'text/xml; charset=utf-8' } : {}),
        body,
        timeoutMs: this.opts.timeoutMs ?? 30_000,
      });
    } catch (err) {
      if (err instanceof TransportError) throw transportError(err, what);
      throw err;
    }
    const payload = res.text;
    if (res.status === 401 || res.status === 403) {
      throw new AppError('mydata_unauthorized', 'myDATA refused the aade-user-id / Ocp-Apim-Subscription-Key pair; check the e-invoicing settings for this environment.', 502, { extra: { outcome: 'not_sent' } });
    }
    if (res.status === 429) {
      throw new AppError('mydata_rate_limited', 'myDATA is rate limiting this account; retry in a minute.', 503, { extra: { outcome: 'not_sent' } });
    }
    if (res.status >= 500) {
      throw new AppError('mydata_unavailable', `myDATA answered HTTP ${res.status} to ${what}; the outcome is unknown and will be checked before any resend.`, 502, { extra: { outcome: 'unknown' } });
    }
    if (res.status >= 400) {
      throw new AppError('mydata_http_error', `myDATA answered HTTP ${res.status} to ${what}.`, 502, { extra: { outcome: 'not_sent' } });
    }
    return payload;
  }

  /** POST SendInvoices with one InvoicesDoc; one response per <invoice>, by 1-based index. */
  async sendInvoices(invoicesDocXml: string): Promise<MyDataResponse[]> {
    return parseResponseDoc(await this.call('POST', 'SendInvoices', {}, invoicesDocXml, 'SendInvoices'));
  }

  /** POST CancelInvoice?mark=…, empty body. */
  async cancelInvoice(mark: string): Promise<MyDataResponse> {
    if (!/^\d{1,19}$/.test(mark)) throw new AppError('invalid_mark', `"${mark}" is not a myDATA MARK.`, 422);
    const responses = parseResponseDoc(await this.call('POST', 'CancelInvoice', { mark }, '', 'CancelInvoice'));
    if (!responses[0]) throw new AppError('mydata_bad_reply', 'myDATA answered CancelInvoice with an empty ResponseDoc.', 502);
    return responses[0];
  }

  async requestTransmittedDocs(q: TransmittedQuery): Promise<RequestedDoc> {
    const xml = await this.call('GET', 'RequestTransmittedDocs', { mark: '0', ...q } as Record<string, string | undefined>, undefined, 'RequestTransmittedDocs');
    return parseRequestedDoc(xml);
  }

  /**
   * Looks for a document this account already transmitted (lost-reply recovery). Matched on what
   * identifies an invoice to AADE: issuer, series, number, type and issue date.
   */
  async findTransmitted(match: { issuerVat: string; series: string; aa: string; invoiceType: string; issueDate: string }, maxPages = 20): Promise<(TransmittedInvoice & { cancellationMark?: string }) | null> {
    const day = myDataDate(match.issueDate);
    let q: TransmittedQuery = { mark: '0', dateFrom: day, dateTo: day };
    for (let page = 0; page < maxPages; page++) {
      const doc = await this.requestTransmittedDocs(q);
      const hit = doc.invoices.find((i) =>
        i.series === match.series && i.aa === match.aa && i.invoiceType === match.invoiceType
        && (!i.issuerVat || i.issuerVat === match.issuerVat));
      if (hit) {
        const cancelled = doc.cancelled.find((c) => c.invoiceMark === hit.mark);
        return { ...hit, cancellationMark: hit.cancelledByMark ?? cancelled?.cancellationMark };
      }
      if (!doc.continuation) return null;
      q = { ...q, ...doc.continuation };
    }
    throw new AppError('mydata_recovery_incomplete', `RequestTransmittedDocs returned more than ${maxPages} pages for ${match.issueDate}; the invoice could not be confirmed. Retry later.`, 502);
  }
}

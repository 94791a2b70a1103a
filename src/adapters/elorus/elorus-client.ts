import { AppError } from '../../errors';
import { httpExchange, TransportError, type HttpAnswer } from '../http';

/**
 * Elorus REST API v1.2 (https://api.elorus.com/v1.2/). Every call carries `Authorization: Token <key>`
 * and `X-Elorus-Organization`; `X-Elorus-Demo` pins calls to a demo organization (the sandbox).
 * Decimals travel as strings, dates as YYYY-mm-dd.
 */
export interface ElorusClientOptions {
  baseUrl: string;
  apiKey: string;
  organizationId: string;
  demo?: boolean;
  timeoutMs?: number;
}

export interface ElorusContact {
  id: string;
  custom_id?: string | null;
  company?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  vat_number?: string | null;
  client_type?: number | string | null;
  [k: string]: unknown;
}

export interface ElorusInvoice {
  id: string;
  custom_id?: string | null;
  number?: string | null;
  sequence_flat?: string | null;
  draft?: boolean;
  total?: string;
  mydata_document_type?: string | null;
  mydata_uid?: string | null;
  mydata_latest_mark?: string | number | null;
  mydata_latest_cancel_mark?: string | number | null;
  mydata_qr_url?: string | null;
  /** sent / not_sent / wont_send / not_applicable */
  mydata_submission_status?: string | null;
  mydata_submission_channel?: string | null;
  is_void?: boolean;
  [k: string]: unknown;
}

/** A cash receipt ("είσπραξη"): money received from a contact, allocated to invoices. */
export interface ElorusCashReceipt {
  id: string;
  custom_id?: string | null;
  contact?: string;
  date?: string;
  amount?: string;
  invoice_payments?: Array<{ invoice: string; amount: string }>;
  [k: string]: unknown;
}

interface Page<T> { count: number; next?: string | null; results: T[] }

export class ElorusClient {
  private readonly root: string;

  constructor(private readonly opts: ElorusClientOptions) {
    if (!opts.baseUrl) throw new AppError('elorus_not_configured', 'ELORUS_BASE_URL is not set.', 500);
    if (!opts.apiKey || !opts.organizationId) {
      throw new AppError('elorus_not_configured', 'The Elorus API key and organization id are not configured; save them with save_einvoice_settings.', 422);
    }
    this.root = opts.baseUrl.replace(/\/+$/, '').replace(/\/v1\.\d$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown, query: Record<string, string> = {}): Promise<T> {
    const url = new URL(`${this.root}/v1.2/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      Authorization: `Token ${this.opts.apiKey}`,
      'X-Elorus-Organization': this.opts.organizationId,
      Accept: 'application/json',
    };
    if (this.opts.demo) headers['X-Elorus-Demo'] = 'true';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: HttpAnswer;
    try {
      res = await httpExchange(url, { method, headers, body: body !== undefined ? JSON.stringify(body) : undefined, timeoutMs: this.opts.timeoutMs ?? 30_000 });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      throw new AppError('elorus_unreachable', `Elorus did not answer ${method} ${path} (${err.code}).`, 502, { extra: { outcome: err.outcome }, cause: err.cause });
    }
    const text = res.text;
    let json: unknown = undefined;
    try { json = text ? JSON.parse(text) : undefined; } catch { /* non-JSON error pages are reported by status below */ }
    if (res.status === 401 || res.status === 403) {
      throw new AppError('elorus_unauthorized', `Elorus refused the API key or organization (HTTP ${res.status}); check the Elorus settings and the user's permissions.`, 502, { extra: { outcome: 'not_sent' } });
    }
    if (res.status === 429) throw new AppError('elorus_rate_limited', 'Elorus is throttling this user (60 calls a minute, 1000 a day); retry later.', 503, { extra: { outcome: 'not_sent' } });
    if (res.status >= 500) throw new AppError('elorus_unavailable', `Elorus answered HTTP ${res.status} to ${method} ${path}.`, 502, { extra: { outcome: 'unknown' } });
    if (res.status >= 400) {
      throw new AppError('elorus_rejected', `Elorus rejected ${method} ${path}: ${summarise(json) || `HTTP ${res.status}`}`, 422, { extra: { outcome: 'not_sent', elorus_errors: json } });
    }
    return json as T;
  }

  async findContact(by: { vatNumber?: string; customId?: string }): Promise<ElorusContact | null> {
    if (by.vatNumber) {
      const page = await this.call<Page<ElorusContact>>('GET', 'contacts/', undefined, { search: by.vatNumber, search_fields: 'vat_number' });
      const hit = page.results.find((c) => c.vat_number === by.vatNumber);
      if (hit) return hit;
    }
    if (by.customId) {
      const page = await this.call<Page<ElorusContact>>('GET', 'contacts/', undefined, { custom_id: by.customId });
      return page.results.find((c) => c.custom_id === by.customId) ?? null;
    }
    return null;
  }

  createContact(contact: Record<string, unknown>): Promise<ElorusContact> {
    return this.call<ElorusContact>('POST', 'contacts/', contact);
  }

  /** A partial update: fields an accountant added at Elorus and we do not send stay as they are. */
  updateContact(id: string, contact: Record<string, unknown>): Promise<ElorusContact> {
    return this.call<ElorusContact>('PATCH', `contacts/${encodeURIComponent(id)}/`, contact);
  }

  /** The cash receipts allocated to one invoice (at most 250, more than any invoice gets). */
  async cashReceiptsForInvoice(invoiceId: string): Promise<ElorusCashReceipt[]> {
    const page = await this.call<Page<ElorusCashReceipt>>('GET', 'cashreceipts/', undefined, { invoice: invoiceId, page_size: '250' });
    return page.results;
  }

  createCashReceipt(receipt: Record<string, unknown>): Promise<ElorusCashReceipt> {
    return this.call<ElorusCashReceipt>('POST', 'cashreceipts/', receipt);
  }

  async findInvoiceByCustomId(customId: string): Promise<ElorusInvoice | null> {
    const page = await this.call<Page<ElorusInvoice>>('GET', 'invoices/', undefined, { custom_id: customId });
    return page.results.find((i) => i.custom_id === customId) ?? null;
  }

  createInvoice(invoice: Record<string, unknown>): Promise<ElorusInvoice> {
    return this.call<ElorusInvoice>('POST', 'invoices/', invoice);
  }

  getInvoice(id: string): Promise<ElorusInvoice> {
    return this.call<ElorusInvoice>('GET', `invoices/${encodeURIComponent(id)}/`);
  }

  voidInvoice(id: string): Promise<ElorusInvoice> {
    return this.call<ElorusInvoice>('PUT', `invoices/${encodeURIComponent(id)}/void/`, {});
  }
}

function summarise(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  return Object.entries(json as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ')
    .slice(0, 500);
}

/**
 * A fake Elorus API v1.2 on loopback: token + organization headers (401/403 like the real API),
 * JSON only, paginated lists, field errors with 400, and myDATA transmission on save of an issued
 * invoice (MARK, UID, QR URL, mydata_submission_status). `holdMyData()` makes the next invoice come
 * back 201 without a MARK (myDATA unreachable on Elorus' side) until `releaseMyData()`.
 *
 * Contacts can be read, replaced (`PUT`) and updated (`PATCH /contacts/{id}/`); cash receipts (`/cashreceipts/`) are money received
 * from a contact and allocated to invoices (`invoice_payments`), listed by `?invoice=`. Like Elorus, the fake refuses
 * a second record with a `custom_id` already in use, and an allocation beyond what the invoice still owes.
 * `dropNextCashReceiptReply()` records the next receipt and cuts the connection before the 201.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const DOC_TYPES_ALLOWED = ['1.1', '1.2', '1.3', '1.4', '1.6', '2.1', '2.2', '2.3', '2.4', '6.1', '6.2', '11.1', '11.2', '11.3', '11.5'];

function cents(v: unknown): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(v ?? ''));
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : NaN;
}
const money = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

export class FakeElorusServer {
  readonly apiKey = 'elorus-test-key-abcdef';
  readonly organizationId = '1234567890';
  readonly taxes = [{ id: '101', title: 'ΦΠΑ 24%', percentage: 24 }, { id: '102', title: 'ΦΠΑ 13%', percentage: 13 }, { id: '103', title: 'ΦΠΑ 0%', percentage: 0 }];
  readonly documentTypes = [{ id: '9001', title: 'Τιμολόγιο παροχής υπηρεσιών', mydata: '2.1' }, { id: '9002', title: 'Απόδειξη παροχής υπηρεσιών', mydata: '11.2' }];
  readonly contacts: Record<string, any>[] = [];
  readonly invoices: Record<string, any>[] = [];
  readonly cashReceipts: Record<string, any>[] = [];
  readonly requests: { method: string; path: string; query: Record<string, string>; headers: http.IncomingHttpHeaders; body: any }[] = [];
  baseUrl = '';
  private server?: http.Server;
  private nextId = 500;
  private nextMark = 400009900000001n;
  private myDataHeld = false;
  private dropNext = false;
  private dropNextReceipt = false;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (raw += c));
      req.on('end', () => this.handle(req, res, raw));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  holdMyData(): void { this.myDataHeld = true; }

  dropNextCashReceiptReply(): void { this.dropNextReceipt = true; }

  /** The next invoice is created (and transmitted) but the connection is cut before the 201. */
  dropNextReply(): void { this.dropNext = true; }

  /** myDATA became reachable again for Elorus: pending issued invoices get their MARK. */
  releaseMyData(): void {
    this.myDataHeld = false;
    for (const inv of this.invoices) if (inv.mydata_submission_status === 'not_sent' && !inv.draft) this.transmit(inv);
  }

  private transmit(inv: Record<string, any>): void {
    inv.mydata_latest_mark = String(this.nextMark++);
    inv.mydata_uid = createHash('sha1').update(`${inv.id}-${inv.date}`).digest('hex').toUpperCase();
    inv.mydata_qr_url = `https://mydataapidev.aade.gr/TimologioQR/QRInfo?q=${inv.mydata_uid.slice(0, 12)}`;
    inv.mydata_submission_status = 'sent';
    inv.mydata_submission_channel = 'elorus';
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private page(res: http.ServerResponse, list: unknown[]): void {
    this.send(res, 200, { count: list.length, next: null, previous: null, results: list });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams.entries());
    let body: any;
    if (raw) {
      if (!/^application\/json/.test(String(req.headers['content-type'] ?? ''))) return this.send(res, 415, { detail: `Unsupported media type "${req.headers['content-type']}" in request.` });
      try { body = JSON.parse(raw); } catch { return this.send(res, 400, { detail: 'JSON parse error' }); }
    }
    this.requests.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers, body });
    if (req.headers.authorization !== `Token ${this.apiKey}`) return this.send(res, 401, { detail: 'Invalid token.' });
    if (req.headers['x-elorus-organization'] !== this.organizationId) return this.send(res, 403, { detail: 'You do not have permission to perform this action.' });
    const p = url.pathname;
    const m = req.method;
    if (p === '/v1.2/contacts/' && m === 'GET') {
      return this.page(res, this.contacts.filter((c) =>
        (!query.custom_id || c.custom_id === query.custom_id)
        && (!query.search || (query.search_fields === 'vat_number' ? String(c.vat_number ?? '').includes(query.search) : JSON.stringify(c).includes(query.search)))));
    }
    if (p === '/v1.2/contacts/' && m === 'POST') {
      if (body.client_type !== undefined && ![1, 2, 3, 4].includes(Number(body.client_type))) return this.send(res, 400, { client_type: ['"' + body.client_type + '" is not a valid choice.'] });
      const badEmail = this.emailErrors(body);
      if (badEmail) return this.send(res, 400, badEmail);
      for (const a of body.addresses ?? []) {
        const missing = ['address', 'city', 'zip', 'country'].filter((k) => a[k] === undefined);
        if (missing.length) return this.send(res, 400, { addresses: [Object.fromEntries(missing.map((k) => [k, ['This field is required.']]))] });
      }
      if (body.custom_id && this.contacts.some((c) => c.custom_id === body.custom_id)) return this.send(res, 400, { custom_id: ['contact with this custom id already exists.'] });
      const contact = { ...body, id: String(this.nextId++) };
      this.contacts.push(contact);
      return this.send(res, 201, contact);
    }
    const contactOne = /^\/v1\.2\/contacts\/(\w+)\/$/.exec(p);
    if (contactOne) {
      const c = this.contacts.find((x) => x.id === contactOne[1]);
      if (!c) return this.send(res, 404, { detail: 'Not found.' });
      if (m === 'GET') return this.send(res, 200, c);
      if (m === 'PUT' || m === 'PATCH') {
        if (body.custom_id && this.contacts.some((x) => x !== c && x.custom_id === body.custom_id)) return this.send(res, 400, { custom_id: ['contact with this custom id already exists.'] });
        if (body.client_type !== undefined && ![1, 2, 3, 4].includes(Number(body.client_type))) return this.send(res, 400, { client_type: ['"' + body.client_type + '" is not a valid choice.'] });
        const badEmail = this.emailErrors(body);
        if (badEmail) return this.send(res, 400, badEmail);
        if (m === 'PUT') for (const k of Object.keys(c)) if (k !== 'id') delete c[k];
        Object.assign(c, body, { id: c.id });
        return this.send(res, 200, c);
      }
    }
    if (p === '/v1.2/cashreceipts/' && m === 'GET') {
      return this.page(res, this.cashReceipts.filter((r) => (!query.invoice || (r.invoice_payments ?? []).some((ip: any) => ip.invoice === query.invoice)) && (!query.contact || r.contact === query.contact)));
    }
    if (p === '/v1.2/cashreceipts/' && m === 'POST') return this.createCashReceipt(req, res, body);
    if (p === '/v1.2/invoices/' && m === 'GET') return this.page(res, this.invoices.filter((i) => !query.custom_id || i.custom_id === query.custom_id));
    if (p === '/v1.2/invoices/' && m === 'POST') return this.createInvoice(req, res, body, query);
    const one = /^\/v1\.2\/invoices\/(\w+)\/(void\/)?$/.exec(p);
    if (one) {
      const inv = this.invoices.find((i) => i.id === one[1]);
      if (!inv) return this.send(res, 404, { detail: 'Not found.' });
      if (!one[2] && m === 'GET') return this.send(res, 200, inv);
      if (one[2] && m === 'PUT') {
        inv.is_void = true;
        if (inv.mydata_latest_mark) inv.mydata_latest_cancel_mark = String(this.nextMark++);
        return this.send(res, 200, inv);
      }
    }
    return this.send(res, 404, { detail: 'Not found.' });
  }

  private emailErrors(body: any): Record<string, unknown> | null {
    const list = Array.isArray(body?.email) ? body.email : [];
    const errs = list.map((e: any) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(e?.email ?? '')) ? {} : { email: ['Enter a valid email address.'] }));
    return errs.some((e: object) => Object.keys(e).length) ? { email: errs } : null;
  }

  private createCashReceipt(req: http.IncomingMessage, res: http.ServerResponse, b: any): void {
    const errors: Record<string, unknown> = {};
    if (!this.contacts.some((c) => c.id === b.contact)) errors.contact = [`Invalid pk "${b.contact}" - object does not exist.`];
    if (!b.date || !/^\d{4}-\d{2}-\d{2}$/.test(b.date)) errors.date = ['Date has wrong format. Use one of these formats instead: YYYY-MM-DD.'];
    const amount = cents(b.amount);
    if (Number.isNaN(amount) || amount <= 0) errors.amount = ['A valid number is required.'];
    if (b.payment_method !== undefined && !['1', '2', '3', '4', '6', '7', '8'].includes(String(b.payment_method))) errors.payment_method = ['Not a valid choice.'];
    if (b.custom_id && this.cashReceipts.some((r) => r.custom_id === b.custom_id)) errors.custom_id = ['cash receipt with this custom id already exists.'];
    const allocations = (b.invoice_payments ?? []).map((ip: any) => {
      const inv = this.invoices.find((i) => i.id === ip.invoice);
      if (!inv) return { invoice: [`Invalid pk "${ip.invoice}" - object does not exist.`] };
      const paid = this.cashReceipts.flatMap((r) => r.invoice_payments ?? []).filter((x: any) => x.invoice === inv.id).reduce((s: number, x: any) => s + cents(x.amount), 0)
        + (cents(inv.paid_on_receipt ?? '0') || 0);
      if (paid + cents(ip.amount) > cents(inv.total)) return { amount: [`The amount exceeds the invoice's outstanding balance of ${money(cents(inv.total) - paid)}.`] };
      return {};
    });
    if (allocations.some((e: object) => Object.keys(e).length)) errors.invoice_payments = allocations;
    if (Object.keys(errors).length) return this.send(res, 400, errors);
    const receipt = { ...b, id: String(this.nextId++) };
    this.cashReceipts.push(receipt);
    if (this.dropNextReceipt) {
      this.dropNextReceipt = false;
      req.socket.destroy();
      return;
    }
    return this.send(res, 201, receipt);
  }

  private createInvoice(req: http.IncomingMessage, res: http.ServerResponse, b: any, query: Record<string, string>): void {
    const errors: Record<string, unknown> = {};
    if (!b.date || !/^\d{4}-\d{2}-\d{2}$/.test(b.date)) errors.date = ['Date has wrong format. Use one of these formats instead: YYYY-MM-DD.'];
    if (!this.contacts.some((c) => c.id === b.client)) errors.client = [`Invalid pk "${b.client}" - object does not exist.`];
    if (b.documenttype !== undefined && !this.documentTypes.some((d) => d.id === b.documenttype)) errors.documenttype = [`Invalid pk "${b.documenttype}" - object does not exist.`];
    if (b.mydata_document_type !== undefined && !DOC_TYPES_ALLOWED.includes(b.mydata_document_type)) errors.mydata_document_type = [`"${b.mydata_document_type}" is not a valid choice.`];
    if (!['initial', 'total', undefined].includes(b.calculator_mode)) errors.calculator_mode = ['Not a valid choice.'];
    if (b.payment_method !== undefined && !['1', '2', '3', '4', '6', '7', '8'].includes(String(b.payment_method))) errors.payment_method = ['Not a valid choice.'];
    if (!Array.isArray(b.items) || !b.items.length) errors.items = ['This field is required.'];
    let net = 0;
    let vat = 0;
    const itemErrors = (b.items ?? []).map((it: any) => {
      const e: Record<string, string[]> = {};
      const valueField = b.calculator_mode === 'total' ? 'unit_total' : 'unit_value';
      const unit = cents(it[valueField]);
      const qty = Number(it.quantity ?? '1');
      if (Number.isNaN(unit)) e[valueField] = ['A valid number is required.'];
      const taxes = (it.taxes ?? []).map((t: any) => this.taxes.find((x) => x.id === String(t.tax)));
      if (taxes.some((t: unknown) => !t)) e.taxes = ['Invalid tax.'];
      const lineNet = Math.round(unit * qty);
      const rate = taxes[0]?.percentage ?? 0;
      if (rate === 0 && !it.vat_exemption_category && b.mydata_document_type) e.vat_exemption_category = ['Required for myDATA when no VAT applies.'];
      const accSum = (it.accounts ?? []).reduce((s: number, a: any) => s + cents(a.amount), 0);
      if (b.mydata_document_type && accSum !== lineNet) e.accounts = ['Classification amounts must equal the line net value.'];
      net += lineNet;
      vat += Math.round((lineNet * rate) / 100);
      return e;
    });
    if (itemErrors.some((e: object) => Object.keys(e).length)) errors.items = itemErrors;
    if (Object.keys(errors).length) return this.send(res, 400, errors);
    const inv: Record<string, any> = {
      ...b, id: String(this.nextId++), number: String(this.invoices.length + 1), sequence_flat: b.mydata_document_type === '11.2' ? 'ΑΠΥ' : 'ΤΠΥ',
      net: money(net), total: money(net + vat), is_void: false,
      mydata_uid: null, mydata_latest_mark: null, mydata_latest_cancel_mark: null, mydata_qr_url: null,
      mydata_submission_status: b.mydata_document_type ? 'not_sent' : 'not_applicable', mydata_submission_channel: null,
    };
    this.invoices.push(inv);
    if (!b.draft && b.mydata_document_type && query.skip_mydata !== '1' && !this.myDataHeld) this.transmit(inv);
    if (this.dropNext) {
      this.dropNext = false;
      req.socket.destroy();
      return;
    }
    return this.send(res, 201, inv);
  }
}

import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { basicAuth, bearer, FakeServer, jsonBody, send, type RecordedRequest } from './fake-server';

/**
 * Viva Wallet: Basic MerchantID:APIKey for recurring charges and the webhook key, OAuth client credentials for
 * the checkout API that re-reads transactions. Initial transactions registered with `addInitial` decide the
 * outcome of charges made against them.
 */
export class VivaFake extends FakeServer {
  readonly charges: { transactionId: string; amount: number; initial: string; merchantTrns: string }[] = [];
  readonly transactions = new Map<string, { statusId: string; amount: number; merchantTrns: string; customerTrns: string; orderCode: number }>();
  private readonly initials = new Map<string, 'ok' | 'decline'>();
  private readonly tokens = new Set<string>();
  readonly webhookKey = randomBytes(20).toString('hex').toUpperCase();

  constructor(
    readonly merchantId = 'a1b2c3d4-0000-4000-8000-000000000001',
    readonly apiKey = 'viva-api-key',
    readonly clientId = 'viva-client.apps.vivapayments.com',
    readonly clientSecret = 'viva-client-secret',
  ) {
    super();
  }

  addInitial(outcome: 'ok' | 'decline' = 'ok'): string {
    const id = randomUUID();
    this.initials.set(id, outcome);
    return id;
  }

  private merchantOk(req: RecordedRequest): boolean {
    const c = basicAuth(req);
    return !!c && c[0] === this.merchantId && c[1] === this.apiKey;
  }

  protected handle(req: RecordedRequest, res: ServerResponse): void {
    const path = req.path.split('?')[0];
    if (req.method === 'POST' && path === '/connect/token') {
      const c = basicAuth(req);
      if (!c || c[0] !== this.clientId || c[1] !== this.clientSecret) return send(res, 400, { error: 'invalid_client' });
      if (new URLSearchParams(req.body).get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
      const token = randomBytes(24).toString('base64url');
      this.tokens.add(token);
      return send(res, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer', scope: 'urn:viva:payments:core:api:redirectcheckout' });
    }
    if (req.method === 'GET' && path === '/api/messages/config/token') {
      if (!this.merchantOk(req)) return send(res, 401, undefined);
      return send(res, 200, { Key: this.webhookKey });
    }
    let m = /^\/api\/transactions\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && m) {
      if (!this.merchantOk(req)) return send(res, 401, undefined);
      return this.recurring(decodeURIComponent(m[1]), req, res);
    }
    m = /^\/checkout\/v2\/transactions\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const t = bearer(req);
      if (!t || !this.tokens.has(t)) return send(res, 401, undefined);
      const tx = this.transactions.get(decodeURIComponent(m[1]));
      if (!tx) return send(res, 404, { message: 'Transaction not found' });
      return send(res, 200, { ...tx, amount: tx.amount / 100, currencyCode: '978', insDate: new Date().toISOString() });
    }
    send(res, 404, { message: 'Not found' });
  }

  private recurring(initial: string, req: RecordedRequest, res: ServerResponse): void {
    const b = jsonBody(req);
    if (!b || !Number.isInteger(b.amount) || b.amount <= 0) {
      return send(res, 400, { ErrorCode: 400, ErrorText: 'Invalid amount', Success: false, TimeStamp: new Date().toISOString() });
    }
    const outcome = this.initials.get(initial);
    if (!outcome) return send(res, 404, { ErrorCode: 404, ErrorText: 'Initial transaction not found', Success: false });
    const id = randomUUID();
    const statusId = outcome === 'ok' ? 'F' : 'E';
    this.transactions.set(id, { statusId, amount: b.amount, merchantTrns: b.merchantTrns ?? '', customerTrns: b.customerTrns ?? '', orderCode: Date.now() });
    if (outcome === 'ok') {
      this.charges.push({ transactionId: id, amount: b.amount, initial, merchantTrns: b.merchantTrns });
      return send(res, 200, {
        Emv: null, Amount: b.amount / 100, StatusId: 'F', RedirectUrl: null, CurrencyCode: '978', TransactionId: id,
        ReferenceNumber: 838982, AuthorizationId: '838982', ErrorCode: 0, ErrorText: null, TimeStamp: new Date().toISOString(), EventId: 0, Success: true,
      });
    }
    return send(res, 200, { Amount: b.amount / 100, StatusId: 'E', TransactionId: id, ErrorCode: 10051, ErrorText: 'Insufficient funds', EventId: 10051, Success: false });
  }

  /** The POST Viva makes to our webhook URL (no signature: the receiver re-reads the transaction). */
  webhook(transactionId: string, eventTypeId = 1796, overrides: Record<string, unknown> = {}): { body: string; headers: Record<string, string> } {
    const tx = this.transactions.get(transactionId);
    const body = JSON.stringify({
      Url: 'https://isp.example/webhooks/viva',
      EventData: { StatusId: tx?.statusId ?? 'F', TransactionId: transactionId, Amount: (tx?.amount ?? 0) / 100, CurrencyCode: '978', MerchantTrns: tx?.merchantTrns ?? '', ...overrides },
      Created: new Date().toISOString(), CorrelationId: randomUUID(), EventTypeId: eventTypeId, Delay: null, MessageId: randomUUID(), RecipientId: this.merchantId, MessageTypeId: 512,
    });
    return { body, headers: { 'Content-Type': 'application/json' } };
  }
}

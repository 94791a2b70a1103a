import { AppError } from '../../errors';
import { authFailed, gatewayRequest, invalidSignature, joinUrl, majorToCents, parseJsonBody, unexpected, ClientCredentials } from './http';
import type { ChargeRequest, ChargeResult, PaymentGateway, WebhookEvent, WebhookInput } from './types';

export interface VivaConfig {
  /** VIVA_BASE_URL: the legacy host (recurring charges, webhook key), e.g. https://demo.vivapayments.com */
  baseUrl: string;
  /** the checkout API host (demo-api…); defaults to baseUrl, which is what a single fake serves */
  apiBaseUrl?: string;
  /** the OAuth host (demo-accounts…); defaults to baseUrl */
  accountsBaseUrl?: string;
  merchantId: string;
  apiKey: string;
  clientId: string;
  clientSecret: string;
  sourceCode?: string | null;
  timeoutMs?: number;
}

const EVENT_PAYMENT_CREATED = 1796;
const EVENT_TRANSACTION_FAILED = 1798;

/**
 * Viva Wallet: a recurring charge of the customer's initial transaction (Basic MerchantID:APIKey).
 * Viva documents no idempotency header, so this gateway is never retried blindly after an unknown outcome.
 * Viva webhooks carry no signature: the scheme is to re-read the transaction from Viva by id with our own
 * credentials and trust only what Viva says there, never the posted body.
 */
export class VivaGateway implements PaymentGateway {
  readonly name = 'viva' as const;
  readonly idempotentRetries = false;
  private oauth: ClientCredentials | null = null;

  constructor(private readonly cfg: VivaConfig) {}

  private basic(): string {
    return `Basic ${Buffer.from(`${this.cfg.merchantId}:${this.cfg.apiKey}`).toString('base64')}`;
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    if (!/^[0-9a-fA-F-]{8,64}$/.test(req.methodRef)) {
      throw new AppError('invalid_payment_method', 'The Viva saved method must be the id of the initial transaction (a UUID).', 422);
    }
    const res = await gatewayRequest('viva', joinUrl(this.cfg.baseUrl, `/api/transactions/${encodeURIComponent(req.methodRef)}`), {
      method: 'POST',
      headers: { Authorization: this.basic(), 'Content-Type': 'application/json' },
      body: JSON.stringify({
        amount: req.amountCents,
        installments: 1,
        customerTrns: req.description,
        merchantTrns: req.invoiceRef,
        sourceCode: this.cfg.sourceCode ?? undefined,
        tipAmount: 0,
      }),
      timeoutMs: this.cfg.timeoutMs,
    });
    if (res.status === 401 || res.status === 403) throw authFailed('viva');
    const b = res.body ?? {};
    if (res.status === 200 && b.Success === true) {
      return {
        status: b.StatusId === 'F' ? 'succeeded' : b.StatusId === 'A' ? 'pending' : 'declined',
        gatewayRef: b.TransactionId ?? null,
        amountCents: majorToCents(b.Amount) ?? req.amountCents,
        declineCode: b.StatusId === 'F' || b.StatusId === 'A' ? null : `status_${b.StatusId}`,
        message: b.ErrorText ?? null,
      };
    }
    if ((res.status === 200 || res.status === 400) && b.Success === false && b.ErrorCode) {
      return {
        status: 'declined',
        gatewayRef: b.TransactionId ?? null,
        amountCents: req.amountCents,
        declineCode: String(b.ErrorCode),
        message: b.ErrorText ?? 'Viva declined the charge.',
      };
    }
    throw unexpected('viva', res, b.ErrorText ?? b.message);
  }

  private async accessToken(): Promise<string> {
    this.oauth ??= new ClientCredentials('viva', joinUrl(this.cfg.accountsBaseUrl ?? this.cfg.baseUrl, '/connect/token'), this.cfg.clientId, this.cfg.clientSecret, {
      timeoutMs: this.cfg.timeoutMs,
      rejectStatuses: [400, 401],
      refreshMarginMs: 30_000,
    });
    return this.oauth.get();
  }

  /** The key our webhook URL must echo on GET so that Viva accepts the URL. */
  async webhookKey(): Promise<string> {
    const res = await gatewayRequest('viva', joinUrl(this.cfg.baseUrl, '/api/messages/config/token'), {
      method: 'GET',
      headers: { Authorization: this.basic() },
      timeoutMs: this.cfg.timeoutMs,
    });
    if (res.status === 401 || res.status === 403) throw authFailed('viva');
    if (res.status !== 200 || typeof res.body?.Key !== 'string') throw unexpected('viva', res);
    return res.body.Key;
  }

  async parseWebhook(input: WebhookInput): Promise<WebhookEvent> {
    const evt = parseJsonBody('viva', input.rawBody);
    const typeId = Number(evt?.EventTypeId);
    const txId = evt?.EventData?.TransactionId;
    const base = { gateway: 'viva' as const, eventId: String(evt?.MessageId ?? txId ?? ''), type: String(typeId) };
    if (typeId !== EVENT_PAYMENT_CREATED && typeId !== EVENT_TRANSACTION_FAILED) {
      return { ...base, outcome: 'ignored', gatewayRef: null, invoiceRef: null, amountCents: null };
    }
    if (typeof txId !== 'string' || !/^[0-9a-fA-F-]{8,64}$/.test(txId)) throw invalidSignature('viva', 'the event names no transaction');
    const res = await gatewayRequest('viva', joinUrl(this.cfg.apiBaseUrl ?? this.cfg.baseUrl, `/checkout/v2/transactions/${encodeURIComponent(txId)}`), {
      method: 'GET',
      headers: { Authorization: `Bearer ${await this.accessToken()}` },
      timeoutMs: this.cfg.timeoutMs,
    });
    if (res.status === 404) throw invalidSignature('viva', 'Viva does not know the transaction the event names');
    if (res.status === 401) throw authFailed('viva');
    if (res.status !== 200) throw unexpected('viva', res);
    const tx = res.body ?? {};
    const statusId = String(tx.statusId ?? '');
    return {
      ...base,
      outcome: statusId === 'F' ? 'succeeded' : statusId === 'A' ? 'pending' : 'failed',
      gatewayRef: txId,
      invoiceRef: tx.merchantTrns ?? null,
      amountCents: majorToCents(tx.amount),
    };
  }
}

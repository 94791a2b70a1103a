import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors';
import { authFailed, gatewayRequest, invalidSignature, joinUrl, parseJsonBody, unexpected } from './http';
import { header, type ChargeRequest, type ChargeResult, type PaymentGateway, type WebhookEvent, type WebhookInput } from './types';

export interface RevolutConfig {
  /** REVOLUT_BASE_URL, e.g. https://sandbox-merchant.revolut.com (with or without /api) */
  baseUrl: string;
  secretKey: string;
  webhookSecret?: string | null;
  apiVersion?: string;
  toleranceMs?: number;
  timeoutMs?: number;
}

export const REVOLUT_API_VERSION = '2024-09-01';

/**
 * Revolut Merchant: create an order for the invoice, then pay it with the customer's saved card as a
 * merchant-initiated payment. Revolut documents no idempotency header, so an unknown outcome is settled by the
 * webhook (or a read of the order), never by paying again.
 */
export class RevolutGateway implements PaymentGateway {
  readonly name = 'revolut' as const;
  readonly idempotentRetries = false;
  private readonly base: string;

  constructor(private readonly cfg: RevolutConfig) {
    this.base = cfg.baseUrl.replace(/\/+$/, '').replace(/\/api$/, '');
  }

  private headers(): Record<string, string> {
    return {
      Authorization: `Bearer ${this.cfg.secretKey}`,
      'Content-Type': 'application/json',
      'Revolut-Api-Version': this.cfg.apiVersion ?? REVOLUT_API_VERSION,
    };
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const created = await gatewayRequest('revolut', joinUrl(this.base, '/api/orders'), {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({
        amount: req.amountCents,
        currency: req.currency.toUpperCase(),
        ...(req.customerRef ? { customer: { id: req.customerRef } } : {}),
        merchant_order_data: { reference: req.invoiceRef },
        description: req.description,
      }),
      timeoutMs: this.cfg.timeoutMs,
    });
    if (created.status === 401) throw authFailed('revolut');
    if (created.status !== 201 && created.status !== 200) throw unexpected('revolut', created, created.body?.message);
    const orderId = String(created.body.id);

    let paid;
    try {
      paid = await gatewayRequest('revolut', joinUrl(this.base, `/api/orders/${encodeURIComponent(orderId)}/payments`), {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({ saved_payment_method: { type: 'card', id: req.methodRef, initiator: 'merchant' } }),
        timeoutMs: this.cfg.timeoutMs,
      });
    } catch (e) {
      // The order exists; keep its id so the webhook for it can still be matched to this attempt.
      if (e instanceof AppError) throw new AppError(e.code, e.message, e.status, { extra: { gateway_ref: orderId }, cause: e });
      throw e;
    }
    if (paid.status === 401) throw authFailed('revolut');
    const p = paid.body ?? {};
    if (paid.status === 200 || paid.status === 201) {
      const state = String(p.state ?? '');
      const status = state === 'completed' || state === 'captured' ? 'succeeded' : state === 'declined' || state === 'failed' || state === 'cancelled' ? 'declined' : 'pending';
      return {
        status,
        gatewayRef: orderId,
        amountCents: req.amountCents,
        declineCode: status === 'declined' ? String(p.decline_reason ?? state) : null,
        message: status === 'declined' ? `Revolut ${state} the payment${p.decline_reason ? ` (${p.decline_reason})` : ''}.` : null,
      };
    }
    if (paid.status === 422 || paid.status === 400) {
      return { status: 'declined', gatewayRef: orderId, amountCents: req.amountCents, declineCode: String(p.code ?? 'rejected'), message: p.message ?? 'Revolut refused the payment.' };
    }
    throw unexpected('revolut', paid, p.message);
  }

  async parseWebhook(input: WebhookInput): Promise<WebhookEvent> {
    if (!this.cfg.webhookSecret) throw invalidSignature('revolut', 'no webhook signing secret is configured');
    const ts = header(input.headers, 'revolut-request-timestamp');
    const sig = header(input.headers, 'revolut-signature');
    if (!ts || !/^\d+$/.test(ts) || !sig) throw invalidSignature('revolut', 'the Revolut-Signature or Revolut-Request-Timestamp header is missing');
    const expected = createHmac('sha256', this.cfg.webhookSecret).update(`v1.${ts}.`).update(input.rawBody).digest();
    const ok = sig.split(',').some((part) => {
      const m = /^\s*v1=([0-9a-f]+)\s*$/i.exec(part);
      if (!m) return false;
      const got = Buffer.from(m[1], 'hex');
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
    if (!ok) throw invalidSignature('revolut', 'the signature does not match');
    const now = (input.now ?? new Date()).getTime();
    if (Math.abs(now - Number(ts)) > (this.cfg.toleranceMs ?? 5 * 60_000)) throw invalidSignature('revolut', 'the timestamp is more than 5 minutes off');

    const evt = parseJsonBody('revolut', input.rawBody);
    const type = String(evt?.event ?? '');
    const base = {
      gateway: 'revolut' as const,
      eventId: `${type}:${evt?.order_id ?? ''}`,
      type,
      gatewayRef: evt?.order_id ? String(evt.order_id) : null,
      invoiceRef: evt?.merchant_order_ext_ref ?? null,
      amountCents: null,
    };
    if (type === 'ORDER_COMPLETED') return { ...base, outcome: 'succeeded' };
    if (type === 'ORDER_PAYMENT_DECLINED' || type === 'ORDER_PAYMENT_FAILED' || type === 'ORDER_CANCELLED') return { ...base, outcome: 'failed' };
    if (type === 'ORDER_AUTHORISED') return { ...base, outcome: 'pending' };
    return { ...base, outcome: 'ignored' };
  }
}

export function revolutSignatureHeaders(secret: string, rawBody: string | Buffer, ts = Date.now()): Record<string, string> {
  const sig = createHmac('sha256', secret).update(`v1.${ts}.`).update(rawBody).digest('hex');
  return { 'Revolut-Request-Timestamp': String(ts), 'Revolut-Signature': `v1=${sig}` };
}

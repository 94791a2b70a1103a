import { createHmac } from 'node:crypto';
import type Stripe from 'stripe';
import { AppError } from '../../errors';
import { authFailed, gatewayRequest, invalidSignature, joinUrl, parseJsonBody, unexpected } from './http';
import { header, type ChargeRequest, type ChargeResult, type PaymentGateway, type WebhookEvent, type WebhookInput } from './types';

export interface StripeConfig {
  baseUrl: string;
  secretKey: string;
  webhookSecret?: string | null;
  /** seconds; Stripe's own libraries default to 300 */
  toleranceSec?: number;
  timeoutMs?: number;
}

/** The SDK is loaded when the first Stripe gateway is made, not at start (it is ~160 files the server need not hold). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stripeSdk = (): typeof Stripe => require('stripe') as typeof Stripe;

/** Stripe: PaymentIntent confirmed off-session on a saved card, deduplicated by the Idempotency-Key header. */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe' as const;
  readonly idempotentRetries = true;
  private readonly base: string;
  /** The official SDK, pointed at STRIPE_BASE_URL (a sandbox or the test fake), no retries of its own. */
  private readonly sdk: Stripe;

  constructor(private readonly cfg: StripeConfig) {
    // STRIPE_BASE_URL may be given with or without the /v1 suffix the docs show.
    this.base = cfg.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    const u = new URL(this.base);
    this.sdk = new (stripeSdk())(cfg.secretKey || 'sk_unset', {
      host: u.hostname,
      port: u.port || (u.protocol === 'http:' ? 80 : 443),
      protocol: u.protocol === 'http:' ? 'http' : 'https',
      maxNetworkRetries: 0,
      timeout: cfg.timeoutMs ?? 20_000,
      telemetry: false,
    });
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const form = new URLSearchParams({
      amount: String(req.amountCents),
      currency: req.currency.toLowerCase(),
      payment_method: req.methodRef,
      off_session: 'true',
      confirm: 'true',
      description: req.description,
      'metadata[invoice_ref]': req.invoiceRef,
    });
    if (req.customerRef) form.set('customer', req.customerRef);
    const res = await gatewayRequest('stripe', joinUrl(this.base, '/v1/payment_intents'), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${this.cfg.secretKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': req.idempotencyKey,
      },
      body: form.toString(),
      timeoutMs: this.cfg.timeoutMs,
    });
    const replayed = res.headers.get('idempotent-replayed') === 'true';
    if (res.status === 200) {
      const pi = res.body;
      const status = pi.status === 'succeeded' ? 'succeeded' : pi.status === 'requires_payment_method' || pi.status === 'canceled' ? 'declined' : 'pending';
      return {
        status,
        gatewayRef: pi.id,
        amountCents: pi.amount_received || pi.amount,
        declineCode: pi.last_payment_error?.decline_code ?? pi.last_payment_error?.code ?? null,
        message: pi.last_payment_error?.message ?? null,
        replayed,
      };
    }
    const err = res.body?.error ?? {};
    if (res.status === 402 || err.type === 'card_error') {
      return {
        status: 'declined',
        gatewayRef: err.payment_intent?.id ?? null,
        amountCents: req.amountCents,
        declineCode: err.decline_code ?? err.code ?? 'card_declined',
        message: err.message ?? 'The card was declined.',
        replayed,
      };
    }
    if (res.status === 401) throw authFailed('stripe');
    if (err.type === 'idempotency_error') {
      throw new AppError('idempotency_key_reused', 'This idempotency key was already used for a different payment; use a new key.', 409);
    }
    throw unexpected('stripe', res, err.message);
  }

  async parseWebhook(input: WebhookInput): Promise<WebhookEvent> {
    if (!this.cfg.webhookSecret) throw invalidSignature('stripe', 'no webhook signing secret is configured');
    const sigHeader = header(input.headers, 'stripe-signature');
    if (!sigHeader) throw invalidSignature('stripe', 'the Stripe-Signature header is missing');
    // Signature and timestamp are checked by Stripe's own SDK, on the raw bytes.
    try {
      this.sdk.webhooks.constructEvent(input.rawBody, sigHeader, this.cfg.webhookSecret, this.cfg.toleranceSec ?? 300, undefined, (input.now ?? new Date()).getTime());
    } catch (e) {
      if (e instanceof stripeSdk().errors.StripeSignatureVerificationError) {
        const m = String(e.message);
        throw invalidSignature('stripe', /tolerance/i.test(m) ? 'the timestamp is outside the tolerance (replayed event?)' : /Unable to extract|No signatures found with expected scheme/i.test(m) ? 'the Stripe-Signature header is malformed' : 'the signature does not match');
      }
      throw e;
    }
    const evt = parseJsonBody('stripe', input.rawBody);
    const obj = evt?.data?.object ?? {};
    const base = {
      gateway: 'stripe' as const,
      eventId: String(evt.id ?? ''),
      type: String(evt.type ?? ''),
      gatewayRef: obj.object === 'payment_intent' ? String(obj.id) : null,
      invoiceRef: obj.metadata?.invoice_ref ?? null,
    };
    switch (evt.type) {
      case 'payment_intent.succeeded':
        return { ...base, outcome: 'succeeded', amountCents: obj.amount_received ?? obj.amount ?? null };
      case 'payment_intent.payment_failed':
        return { ...base, outcome: 'failed', amountCents: obj.amount ?? null, message: obj.last_payment_error?.message ?? null };
      case 'payment_intent.processing':
        return { ...base, outcome: 'pending', amountCents: obj.amount ?? null };
      default:
        return { ...base, outcome: 'ignored', amountCents: null };
    }
  }
}

/** The header Stripe sends, for fakes and tests: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">. */
export function stripeSignatureHeader(secret: string, rawBody: string | Buffer, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex')}`;
}

import { formatMoney } from '../../domain/money';
import { authFailed, gatewayRequest, invalidSignature, joinUrl, majorToCents, parseJsonBody, unexpected, ClientCredentials } from './http';
import { header, type ChargeRequest, type ChargeResult, type PaymentGateway, type WebhookEvent, type WebhookInput } from './types';

export interface PaypalConfig {
  /** PAYPAL_BASE_URL, e.g. https://api-m.sandbox.paypal.com */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  webhookId?: string | null;
  timeoutMs?: number;
}

/**
 * PayPal Orders v2 with a vaulted payment source: one create-order call with intent CAPTURE charges the saved
 * method. PayPal-Request-Id makes it idempotent (PayPal keeps the key for 6 hours and answers 200 with the same
 * order). Webhooks are verified by asking PayPal (verify-webhook-signature), which spares us the cert chain.
 */
export class PaypalGateway implements PaymentGateway {
  readonly name = 'paypal' as const;
  readonly idempotentRetries = true;
  private oauth: ClientCredentials | null = null;

  constructor(private readonly cfg: PaypalConfig) {}

  private async accessToken(): Promise<string> {
    this.oauth ??= new ClientCredentials('paypal', joinUrl(this.cfg.baseUrl, '/v1/oauth2/token'), this.cfg.clientId, this.cfg.clientSecret, {
      timeoutMs: this.cfg.timeoutMs,
      rejectStatuses: [401],
      refreshMarginMs: 60_000,
    });
    return this.oauth.get();
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    // A vault id of the PayPal wallet is prefixed "paypal:"; a bare id is a vaulted card.
    const wallet = req.methodRef.startsWith('paypal:');
    const vaultId = wallet ? req.methodRef.slice('paypal:'.length) : req.methodRef;
    const paymentSource = wallet
      ? { paypal: { vault_id: vaultId } }
      : { card: { vault_id: vaultId, stored_credential: { payment_initiator: 'MERCHANT', payment_type: 'UNSCHEDULED', usage: 'SUBSEQUENT' } } };
    const res = await gatewayRequest('paypal', joinUrl(this.cfg.baseUrl, '/v2/checkout/orders'), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await this.accessToken()}`,
        'Content-Type': 'application/json',
        'PayPal-Request-Id': req.idempotencyKey,
        Prefer: 'return=representation',
      },
      body: JSON.stringify({
        intent: 'CAPTURE',
        purchase_units: [
          {
            reference_id: req.invoiceRef,
            invoice_id: req.invoiceRef,
            description: req.description.slice(0, 127),
            amount: { currency_code: req.currency.toUpperCase(), value: formatMoney(req.amountCents) },
          },
        ],
        payment_source: paymentSource,
      }),
      timeoutMs: this.cfg.timeoutMs,
    });
    if (res.status === 401) {
      this.oauth?.forget();
      throw authFailed('paypal');
    }
    const b = res.body ?? {};
    if (res.status === 201 || res.status === 200) {
      const capture = b.purchase_units?.[0]?.payments?.captures?.[0];
      const cs = String(capture?.status ?? b.status ?? '');
      const status = cs === 'COMPLETED' ? 'succeeded' : cs === 'DECLINED' || cs === 'FAILED' ? 'declined' : 'pending';
      return {
        status,
        gatewayRef: b.id ?? null,
        amountCents: majorToCents(capture?.amount?.value) ?? req.amountCents,
        declineCode: status === 'declined' ? String(capture?.status_details?.reason ?? cs) : null,
        message: status === 'declined' ? 'PayPal declined the payment.' : null,
        replayed: res.status === 200,
      };
    }
    if (res.status === 422) {
      const issue = b.details?.[0]?.issue ?? b.name ?? 'UNPROCESSABLE_ENTITY';
      return { status: 'declined', gatewayRef: null, amountCents: req.amountCents, declineCode: String(issue), message: b.details?.[0]?.description ?? b.message ?? 'PayPal refused the payment.' };
    }
    throw unexpected('paypal', res, b.message);
  }

  async parseWebhook(input: WebhookInput): Promise<WebhookEvent> {
    if (!this.cfg.webhookId) throw invalidSignature('paypal', 'no webhook id is configured');
    const h = (n: string) => header(input.headers, n);
    const needed = ['paypal-auth-algo', 'paypal-cert-url', 'paypal-transmission-id', 'paypal-transmission-sig', 'paypal-transmission-time'];
    if (needed.some((n) => !h(n))) throw invalidSignature('paypal', 'PayPal transmission headers are missing');
    const evt = parseJsonBody('paypal', input.rawBody);
    const res = await gatewayRequest('paypal', joinUrl(this.cfg.baseUrl, '/v1/notifications/verify-webhook-signature'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${await this.accessToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth_algo: h('paypal-auth-algo'),
        cert_url: h('paypal-cert-url'),
        transmission_id: h('paypal-transmission-id'),
        transmission_sig: h('paypal-transmission-sig'),
        transmission_time: h('paypal-transmission-time'),
        webhook_id: this.cfg.webhookId,
        webhook_event: evt,
      }),
      timeoutMs: this.cfg.timeoutMs,
    });
    if (res.status === 401) throw authFailed('paypal');
    if (res.status !== 200) throw unexpected('paypal', res);
    if (res.body?.verification_status !== 'SUCCESS') throw invalidSignature('paypal', 'PayPal did not verify the signature');

    const r = evt?.resource ?? {};
    const type = String(evt?.event_type ?? '');
    const base = {
      gateway: 'paypal' as const,
      eventId: String(evt?.id ?? ''),
      type,
      gatewayRef: r.supplementary_data?.related_ids?.order_id ?? (type.startsWith('CHECKOUT.ORDER') ? r.id : null) ?? null,
      invoiceRef: r.invoice_id ?? r.purchase_units?.[0]?.invoice_id ?? null,
      amountCents: majorToCents(r.amount?.value),
    };
    if (type === 'PAYMENT.CAPTURE.COMPLETED') return { ...base, outcome: 'succeeded' };
    if (type === 'PAYMENT.CAPTURE.DENIED') return { ...base, outcome: 'failed' };
    if (type === 'PAYMENT.CAPTURE.PENDING') return { ...base, outcome: 'pending' };
    return { ...base, outcome: 'ignored' };
  }
}

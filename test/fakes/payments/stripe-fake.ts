import { createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FakeServer, send, type RecordedRequest } from './fake-server';

interface Stored { fingerprint: string; status: number; body: unknown }

/**
 * Stripe, as strict as the real API on what we use: Bearer secret key, form encoding, the Idempotency-Key store
 * (replay with Idempotent-Replayed: true, 400 idempotency_error on reuse with other parameters) and outcomes
 * driven by Stripe's documented test payment methods.
 */
export class StripeFake extends FakeServer {
  readonly charges: { id: string; amount: number; paymentMethod: string; invoiceRef: string }[] = [];
  private readonly idempotency = new Map<string, Stored>();
  readonly intents = new Map<string, any>();

  constructor(readonly secretKey = 'sk_test_fake', readonly webhookSecret = 'whsec_test_secret') {
    super();
  }

  protected handle(req: RecordedRequest, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return send(res, 401, { error: { type: 'authentication_error', message: 'Invalid API Key provided.' } });
    }
    if (req.method === 'POST' && req.path === '/v1/payment_intents') return this.createIntent(req, res);
    return send(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.path}).` } });
  }

  private createIntent(req: RecordedRequest, res: ServerResponse): void {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return send(res, 400, { error: { type: 'invalid_request_error', message: 'Invalid request: body must be form-encoded.' } });
    }
    const key = req.headers['idempotency-key'] as string | undefined;
    const params = new URLSearchParams(req.body);
    const fingerprint = [...params.entries()].sort().map(([k, v]) => `${k}=${v}`).join('&');
    if (key) {
      const prior = this.idempotency.get(key);
      if (prior) {
        if (prior.fingerprint !== fingerprint) {
          return send(res, 400, {
            error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with.` },
          });
        }
        return send(res, prior.status, prior.body, { 'Idempotent-Replayed': 'true' });
      }
    }
    const [status, body] = this.process(params);
    if (key) this.idempotency.set(key, { fingerprint, status, body });
    send(res, status, body);
  }

  private process(p: URLSearchParams): [number, unknown] {
    const amount = Number(p.get('amount'));
    const invalid = (param: string, message: string): [number, unknown] => [400, { error: { type: 'invalid_request_error', param, message } }];
    if (!/^\d+$/.test(p.get('amount') ?? '') || amount < 50) return invalid('amount', 'Amount must be at least €0.50 eur');
    if (!/^[a-z]{3}$/.test(p.get('currency') ?? '')) return invalid('currency', 'Invalid currency');
    const pm = p.get('payment_method');
    if (!pm) return invalid('payment_method', 'Missing required param: payment_method.');
    if (p.get('confirm') !== 'true' || p.get('off_session') !== 'true') return invalid('confirm', 'This test fake only serves confirmed off-session intents.');
    const id = `pi_${randomBytes(12).toString('hex')}`;
    const intent: any = {
      id, object: 'payment_intent', amount, amount_received: 0, currency: p.get('currency'), customer: p.get('customer'),
      payment_method: pm, status: 'requires_payment_method', description: p.get('description'),
      metadata: { invoice_ref: p.get('metadata[invoice_ref]') }, last_payment_error: null, livemode: false, created: Math.floor(Date.now() / 1000),
    };
    const decline = (code: string, decline_code: string, message: string): [number, unknown] => {
      intent.last_payment_error = { type: 'card_error', code, decline_code, message };
      this.intents.set(id, intent);
      return [402, { error: { type: 'card_error', code, decline_code, message, payment_intent: intent, payment_method: { id: pm } } }];
    };
    switch (pm) {
      case 'pm_card_visa':
        intent.status = 'succeeded';
        intent.amount_received = amount;
        intent.latest_charge = `ch_${randomBytes(8).toString('hex')}`;
        this.intents.set(id, intent);
        this.charges.push({ id, amount, paymentMethod: pm, invoiceRef: intent.metadata.invoice_ref });
        return [200, intent];
      case 'pm_card_processing':
        intent.status = 'processing';
        this.intents.set(id, intent);
        return [200, intent];
      case 'pm_card_chargeDeclinedInsufficientFunds':
        return decline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.');
      case 'pm_card_chargeDeclined':
        return decline('card_declined', 'generic_decline', 'Your card was declined.');
      case 'pm_card_authenticationRequired':
        return decline('authentication_required', 'authentication_required', 'Your card was declined. This transaction requires authentication.');
      default:
        return [400, { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${pm}'` } }];
    }
  }

  /** A webhook as Stripe would deliver it for an intent this fake created (or any object given). */
  webhook(type: string, object: unknown, opts: { secret?: string; t?: number } = {}): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify({ id: `evt_${randomBytes(10).toString('hex')}`, object: 'event', api_version: '2024-06-20', created: Math.floor(Date.now() / 1000), type, data: { object }, livemode: false });
    return { body, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': this.sign(opts.secret ?? this.webhookSecret, body, opts.t) } };
  }

  /**
   * Stripe's scheme, computed here and not by the adapter's code (a shared bug would pass both sides):
   * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>`.
   */
  sign(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
    const v1 = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
    return `t=${t},v1=${v1}`;
  }
}

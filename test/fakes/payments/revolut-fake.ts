import { createHmac, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FakeServer, jsonBody, send, type RecordedRequest } from './fake-server';

/**
 * Revolut Merchant API: Bearer secret key, the Revolut-Api-Version header required on /api/orders, orders paid
 * once with a merchant-initiated saved card. Saved methods registered with `addMethod` decide the outcome.
 */
export class RevolutFake extends FakeServer {
  readonly charges: { orderId: string; amount: number; reference: string }[] = [];
  readonly orders = new Map<string, { id: string; state: string; amount: number; currency: string; reference: string }>();
  private readonly methods = new Map<string, 'ok' | 'decline'>();

  constructor(readonly secretKey = 'sk_revolut_fake', readonly webhookSecret = 'wsk_r59a4HfWVAKycbCaNO1RvgCJec02gRd8') {
    super();
  }

  addMethod(outcome: 'ok' | 'decline' = 'ok'): string {
    const id = randomUUID();
    this.methods.set(id, outcome);
    return id;
  }

  protected handle(req: RecordedRequest, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) return send(res, 401, { code: 'unauthorized', message: 'Authentication failed', timestamp: Date.now() });
    if (!req.headers['revolut-api-version']) return send(res, 400, { code: 'missing_api_version', message: "Header 'Revolut-Api-Version' is required", timestamp: Date.now() });
    const path = req.path.split('?')[0];
    if (req.method === 'POST' && path === '/api/orders') {
      const b = jsonBody(req);
      if (!b || !Number.isInteger(b.amount) || b.amount <= 0 || !/^[A-Z]{3}$/.test(b.currency ?? '')) {
        return send(res, 400, { code: 'validation', message: 'amount must be a positive integer in minor units and currency ISO 4217', timestamp: Date.now() });
      }
      const id = randomUUID();
      const order = { id, state: 'pending', amount: b.amount, currency: b.currency, reference: b.merchant_order_data?.reference ?? '' };
      this.orders.set(id, order);
      return send(res, 201, { id, token: randomUUID(), type: 'payment', state: 'pending', created_at: new Date().toISOString(), amount: b.amount, currency: b.currency, outstanding_amount: b.amount, capture_mode: 'automatic' });
    }
    let m = /^\/api\/orders\/([^/]+)\/payments$/.exec(path);
    if (req.method === 'POST' && m) {
      const order = this.orders.get(m[1]);
      if (!order) return send(res, 404, { code: 'not_found', message: 'Order not found', timestamp: Date.now() });
      if (order.state !== 'pending') return send(res, 422, { code: 'order_not_payable', message: `Order is ${order.state}`, timestamp: Date.now() });
      const spm = jsonBody(req)?.saved_payment_method;
      if (!spm || spm.initiator !== 'merchant' || !spm.id) return send(res, 400, { code: 'validation', message: 'saved_payment_method with initiator merchant is required', timestamp: Date.now() });
      const outcome = this.methods.get(spm.id);
      if (!outcome) return send(res, 404, { code: 'not_found', message: 'Payment method not found', timestamp: Date.now() });
      if (outcome === 'ok') {
        order.state = 'completed';
        this.charges.push({ orderId: order.id, amount: order.amount, reference: order.reference });
        return send(res, 200, { id: randomUUID(), order_id: order.id, state: 'completed', payment_method: { type: 'card', id: spm.id } });
      }
      order.state = 'failed';
      return send(res, 200, { id: randomUUID(), order_id: order.id, state: 'declined', decline_reason: 'insufficient_funds', payment_method: { type: 'card', id: spm.id } });
    }
    m = /^\/api\/orders\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const order = this.orders.get(m[1]);
      return order ? send(res, 200, order) : send(res, 404, { code: 'not_found', message: 'Order not found', timestamp: Date.now() });
    }
    send(res, 404, { code: 'not_found', message: 'Not found', timestamp: Date.now() });
  }

  webhook(event: string, orderId: string, opts: { secret?: string; ts?: number } = {}): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify({ event, order_id: orderId, merchant_order_ext_ref: this.orders.get(orderId)?.reference ?? null });
    return { body, headers: { 'Content-Type': 'application/json', ...this.sign(opts.secret ?? this.webhookSecret, body, opts.ts) } };
  }

  /**
   * Revolut's scheme, computed here and not by the adapter's code: the payload to sign is
   * `v1.<Revolut-Request-Timestamp in ms>.<raw body>`, HMAC-SHA256 with the webhook's signing secret, sent hex as
   * `Revolut-Signature: v1=<hex>`.
   */
  sign(secret: string, body: string, ts = Date.now()): Record<string, string> {
    const sig = createHmac('sha256', secret).update(`v1.${ts}.${body}`, 'utf8').digest('hex');
    return { 'Revolut-Request-Timestamp': String(ts), 'Revolut-Signature': `v1=${sig}` };
  }
}

import { createSign, createVerify, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { basicAuth, bearer, FakeServer, jsonBody, send, type RecordedRequest } from './fake-server';

/**
 * PayPal: OAuth client credentials, Orders v2 with a vaulted source that captures in one call,
 * PayPal-Request-Id required and replayed (200 with the same order), and webhooks signed SHA256withRSA over
 * "transmission_id|transmission_time|webhook_id|crc32(body)" exactly as PayPal signs them, checked by the
 * verify-webhook-signature endpoint.
 */
export class PaypalFake extends FakeServer {
  readonly charges: { orderId: string; amount: string; invoiceId: string }[] = [];
  private readonly replays = new Map<string, unknown>();
  private readonly tokens = new Set<string>();
  private readonly vault = new Map<string, 'ok' | 'decline'>();
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  constructor(readonly clientId = 'paypal-client', readonly clientSecret = 'paypal-secret', readonly webhookId = 'WH-FAKE-1') {
    super();
  }

  addVault(outcome: 'ok' | 'decline' = 'ok'): string {
    const id = randomBytes(4).toString('hex');
    this.vault.set(id, outcome);
    return id;
  }

  protected handle(req: RecordedRequest, res: ServerResponse): void {
    const path = req.path.split('?')[0];
    if (req.method === 'POST' && path === '/v1/oauth2/token') {
      const c = basicAuth(req);
      if (!c || c[0] !== this.clientId || c[1] !== this.clientSecret) return send(res, 401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
      const token = `A21AA${randomBytes(16).toString('hex')}`;
      this.tokens.add(token);
      return send(res, 200, { scope: 'https://uri.paypal.com/services/payments', access_token: token, token_type: 'Bearer', app_id: 'APP-FAKE', expires_in: 32400, nonce: randomUUID() });
    }
    const t = bearer(req);
    if (!t || !this.tokens.has(t)) return send(res, 401, { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to invalid authentication credentials or a missing Authorization header.', details: [] });
    if (req.method === 'POST' && path === '/v2/checkout/orders') return this.createOrder(req, res);
    if (req.method === 'POST' && path === '/v1/notifications/verify-webhook-signature') return this.verify(req, res);
    send(res, 404, { name: 'RESOURCE_NOT_FOUND', message: 'The specified resource does not exist.' });
  }

  private createOrder(req: RecordedRequest, res: ServerResponse): void {
    const requestId = req.headers['paypal-request-id'] as string | undefined;
    const b = jsonBody(req);
    const bad = (issue: string, description: string) =>
      send(res, 400, { name: 'INVALID_REQUEST', message: 'Request is not well-formed, syntactically incorrect, or violates schema.', debug_id: randomBytes(6).toString('hex'), details: [{ issue, description }] });
    if (!b) return bad('MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
    if (b.payment_source && !requestId) return bad('PAYPAL_REQUEST_ID_REQUIRED', 'A PayPal-Request-Id is required if you are trying to process payment for an Order.');
    if (requestId && this.replays.has(requestId)) return send(res, 200, this.replays.get(requestId));
    const pu = b.purchase_units?.[0];
    if (b.intent !== 'CAPTURE' || !pu || !/^\d+\.\d{2}$/.test(pu.amount?.value ?? '') || !/^[A-Z]{3}$/.test(pu.amount?.currency_code ?? '')) {
      return bad('INVALID_PARAMETER_VALUE', 'intent CAPTURE and purchase_units[0].amount {currency_code, value "0.00"} are required.');
    }
    const vaultId = b.payment_source?.card?.vault_id ?? b.payment_source?.paypal?.vault_id;
    const outcome = this.vault.get(vaultId);
    if (!outcome) return bad('INVALID_RESOURCE_ID', 'Specified resource ID does not exist.');
    if (outcome === 'decline') {
      return send(res, 422, {
        name: 'UNPROCESSABLE_ENTITY', message: 'The requested action could not be performed, semantically incorrect, or failed business validation.',
        debug_id: randomBytes(6).toString('hex'), details: [{ issue: 'INSTRUMENT_DECLINED', description: 'The instrument presented was either declined by the processor or bank, or it can\'t be used for this payment.' }],
      });
    }
    const orderId = randomBytes(8).toString('hex').toUpperCase();
    const captureId = randomBytes(8).toString('hex').toUpperCase();
    const order = {
      id: orderId, intent: 'CAPTURE', status: 'COMPLETED',
      purchase_units: [{ reference_id: pu.reference_id, invoice_id: pu.invoice_id, amount: pu.amount, payments: { captures: [{ id: captureId, status: 'COMPLETED', amount: pu.amount, invoice_id: pu.invoice_id, final_capture: true }] } }],
    };
    this.charges.push({ orderId, amount: pu.amount.value, invoiceId: pu.invoice_id });
    if (requestId) this.replays.set(requestId, order);
    send(res, 201, order);
  }

  private verify(req: RecordedRequest, res: ServerResponse): void {
    const b = jsonBody(req);
    if (!b?.webhook_event || !b.transmission_sig) return send(res, 400, { name: 'VALIDATION_ERROR', message: 'Invalid request - see details', details: [] });
    let ok = false;
    try {
      const signed = `${b.transmission_id}|${b.transmission_time}|${b.webhook_id}|${crc32(JSON.stringify(b.webhook_event))}`;
      ok = b.auth_algo === 'SHA256withRSA' && b.webhook_id === this.webhookId &&
        createVerify('RSA-SHA256').update(signed).verify(this.keys.publicKey, b.transmission_sig, 'base64');
    } catch {
      ok = false;
    }
    send(res, 200, { verification_status: ok ? 'SUCCESS' : 'FAILURE' });
  }

  webhook(eventType: string, resource: Record<string, unknown>): { body: string; headers: Record<string, string> } {
    const event = { id: `WH-${randomBytes(8).toString('hex').toUpperCase()}`, event_version: '1.0', create_time: new Date().toISOString(), resource_type: 'capture', event_type: eventType, resource };
    const body = JSON.stringify(event);
    const transmissionId = randomUUID();
    const time = new Date().toISOString();
    const sig = createSign('RSA-SHA256').update(`${transmissionId}|${time}|${this.webhookId}|${crc32(body)}`).sign(this.keys.privateKey, 'base64');
    return {
      body,
      headers: {
        'Content-Type': 'application/json', 'PAYPAL-AUTH-ALGO': 'SHA256withRSA', 'PAYPAL-CERT-URL': `${this.url}/v1/notifications/certs/CERT-FAKE`,
        'PAYPAL-TRANSMISSION-ID': transmissionId, 'PAYPAL-TRANSMISSION-SIG': sig, 'PAYPAL-TRANSMISSION-TIME': time,
      },
    };
  }

  captureResource(orderId: string, invoiceId: string, value: string, status = 'COMPLETED'): Record<string, unknown> {
    return { id: randomBytes(8).toString('hex').toUpperCase(), status, amount: { currency_code: 'EUR', value }, invoice_id: invoiceId, supplementary_data: { related_ids: { order_id: orderId } } };
  }
}

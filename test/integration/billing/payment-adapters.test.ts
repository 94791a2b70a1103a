import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { PaypalGateway, RevolutGateway, StripeGateway, VivaGateway, createGateway, type ChargeRequest } from '../../../src/adapters/payments';
import { revolutSignatureHeaders } from '../../../src/adapters/payments/revolut';
import { stripeSignatureHeader } from '../../../src/adapters/payments/stripe';
import { PaypalFake, RevolutFake, StripeFake, VivaFake } from '../../fakes/payments';

const req = (over: Partial<ChargeRequest> = {}): ChargeRequest => ({
  idempotencyKey: `key-${Math.random().toString(36).slice(2)}`,
  invoiceRef: 'A-000042',
  amountCents: 2999,
  currency: 'EUR',
  methodRef: 'pm_card_visa',
  customerRef: 'cus_123',
  description: 'Invoice A-000042',
  ...over,
});

const asWebhook = (w: { body: string; headers: Record<string, string> }) => ({
  rawBody: Buffer.from(w.body),
  headers: Object.fromEntries(Object.entries(w.headers).map(([k, v]) => [k.toLowerCase(), v])),
});

/** A loopback port with nothing listening: the connection is refused, as with a gateway outage. */
async function deadUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('Stripe', () => {
  const fake = new StripeFake();
  let gw: StripeGateway;
  beforeAll(async () => {
    await fake.start();
    gw = new StripeGateway({ baseUrl: `${fake.url}/v1`, secretKey: fake.secretKey, webhookSecret: fake.webhookSecret });
  });
  afterAll(() => fake.stop());

  test('signature matches the spec test vector', () => {
    const payload = '{"id":"evt_test_1","object":"event","type":"payment_intent.succeeded"}';
    expect(stripeSignatureHeader('whsec_test_secret', payload, 1700000000)).toBe('t=1700000000,v1=871acfe933554b446cc41d791076dd56a10c0553cc61aafbeb881d0082b45043');
  });

  test('success: one PaymentIntent, form-encoded, off-session, with the Idempotency-Key', async () => {
    const r = req();
    const res = await gw.charge(r);
    expect(res).toMatchObject({ status: 'succeeded', amountCents: 2999, replayed: false });
    expect(res.gatewayRef).toMatch(/^pi_/);
    const sent = fake.requests.at(-1)!;
    expect(sent.headers['idempotency-key']).toBe(r.idempotencyKey);
    expect(new URLSearchParams(sent.body).get('metadata[invoice_ref]')).toBe('A-000042');
    expect(new URLSearchParams(sent.body).get('amount')).toBe('2999');
    expect(fake.charges.filter((c) => c.id === res.gatewayRef)).toHaveLength(1);
  });

  test('decline is a result with the decline code, not an exception', async () => {
    const res = await gw.charge(req({ methodRef: 'pm_card_chargeDeclinedInsufficientFunds' }));
    expect(res).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds' });
    expect(res.gatewayRef).toMatch(/^pi_/);
  });

  test('lost response, then a retry with the same key: replayed, charged once', async () => {
    const before = fake.charges.length;
    const r = req();
    fake.dropNext('after');
    await expect(gw.charge(r)).rejects.toMatchObject({ code: 'payment_gateway_unreachable', status: 502 });
    const retry = await gw.charge(r);
    expect(retry).toMatchObject({ status: 'succeeded', replayed: true });
    expect(fake.charges.length).toBe(before + 1);
  });

  test('same key with other parameters is refused', async () => {
    const r = req();
    await gw.charge(r);
    await expect(gw.charge({ ...r, amountCents: 5000 })).rejects.toMatchObject({ code: 'idempotency_key_reused', status: 409 });
  });

  test('network failure and wrong key are AppErrors', async () => {
    const dead = new StripeGateway({ baseUrl: await deadUrl(), secretKey: 'x' });
    await expect(dead.charge(req())).rejects.toMatchObject({ code: 'payment_gateway_unreachable' });
    const wrong = new StripeGateway({ baseUrl: fake.url, secretKey: 'sk_wrong' });
    await expect(wrong.charge(req())).rejects.toMatchObject({ code: 'payment_gateway_auth_failed' });
  });

  test('webhook: a genuine event is parsed, a forged or stale one refused', async () => {
    const ok = await gw.charge(req());
    const pi = fake.intents.get(ok.gatewayRef!);
    const evt = await gw.parseWebhook(asWebhook(fake.webhook('payment_intent.succeeded', pi)));
    expect(evt).toMatchObject({ gateway: 'stripe', outcome: 'succeeded', gatewayRef: ok.gatewayRef, invoiceRef: 'A-000042', amountCents: 2999 });

    await expect(gw.parseWebhook(asWebhook(fake.webhook('payment_intent.succeeded', pi, { secret: 'whsec_forged' })))).rejects.toMatchObject({ code: 'invalid_webhook_signature', status: 401 });
    const tampered = fake.webhook('payment_intent.succeeded', pi);
    await expect(gw.parseWebhook(asWebhook({ ...tampered, body: tampered.body.replace('2999', '1') }))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    await expect(gw.parseWebhook(asWebhook(fake.webhook('payment_intent.succeeded', pi, { t: 1700000000 })))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    await expect(gw.parseWebhook({ headers: {}, rawBody: Buffer.from('{}') })).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
  });
});

describe('Viva Wallet', () => {
  const fake = new VivaFake();
  let gw: VivaGateway;
  beforeAll(async () => {
    await fake.start();
    gw = new VivaGateway({ baseUrl: fake.url, merchantId: fake.merchantId, apiKey: fake.apiKey, clientId: fake.clientId, clientSecret: fake.clientSecret, sourceCode: '1234' });
  });
  afterAll(() => fake.stop());

  test('success: recurring charge of the initial transaction, amount in cents out, major units back', async () => {
    const initial = fake.addInitial('ok');
    const res = await gw.charge(req({ methodRef: initial }));
    expect(res).toMatchObject({ status: 'succeeded', amountCents: 2999 });
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe(`/api/transactions/${initial}`);
    expect(JSON.parse(sent.body)).toMatchObject({ amount: 2999, merchantTrns: 'A-000042', installments: 1, sourceCode: '1234' });
    expect(fake.charges.map((c) => c.transactionId)).toContain(res.gatewayRef);
  });

  test('decline', async () => {
    const res = await gw.charge(req({ methodRef: fake.addInitial('decline') }));
    expect(res).toMatchObject({ status: 'declined', declineCode: '10051', message: 'Insufficient funds' });
  });

  test('network failure, bad credentials, bad method id', async () => {
    const dead = new VivaGateway({ baseUrl: await deadUrl(), merchantId: 'm', apiKey: 'k', clientId: 'c', clientSecret: 's' });
    await expect(dead.charge(req({ methodRef: fake.addInitial() }))).rejects.toMatchObject({ code: 'payment_gateway_unreachable' });
    const wrong = new VivaGateway({ baseUrl: fake.url, merchantId: fake.merchantId, apiKey: 'nope', clientId: 'c', clientSecret: 's' });
    await expect(wrong.charge(req({ methodRef: fake.addInitial() }))).rejects.toMatchObject({ code: 'payment_gateway_auth_failed' });
    await expect(gw.charge(req({ methodRef: 'pm_card_visa' }))).rejects.toMatchObject({ code: 'invalid_payment_method' });
  });

  test('no gateway idempotency: the adapter says so, so the service never re-sends an unknown outcome', () => {
    expect(gw.idempotentRetries).toBe(false);
  });

  test('webhook key for the GET verification', async () => {
    expect(await gw.webhookKey()).toBe(fake.webhookKey);
  });

  test('webhook: trusted only after re-reading the transaction from Viva', async () => {
    const ok = await gw.charge(req({ methodRef: fake.addInitial('ok') }));
    const evt = await gw.parseWebhook(asWebhook(fake.webhook(ok.gatewayRef!, 1796)));
    expect(evt).toMatchObject({ gateway: 'viva', outcome: 'succeeded', gatewayRef: ok.gatewayRef, invoiceRef: 'A-000042', amountCents: 2999 });
    const forged = fake.webhook('00000000-0000-4000-8000-00000000dead', 1796);
    await expect(gw.parseWebhook(asWebhook(forged))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    // A real transaction id with a lying body: the outcome comes from Viva, not from the post.
    const declined = await gw.charge(req({ methodRef: fake.addInitial('decline') }));
    const lie = await gw.parseWebhook(asWebhook(fake.webhook(declined.gatewayRef!, 1796, { StatusId: 'F' })));
    expect(lie.outcome).toBe('failed');
  });
});

describe('Revolut', () => {
  const fake = new RevolutFake();
  let gw: RevolutGateway;
  beforeAll(async () => {
    await fake.start();
    gw = new RevolutGateway({ baseUrl: `${fake.url}/api`, secretKey: fake.secretKey, webhookSecret: fake.webhookSecret });
  });
  afterAll(() => fake.stop());

  test('signature: HMAC-SHA256 over "v1.<timestamp>.<body>" as the spec describes', () => {
    const payload = '{"event":"ORDER_COMPLETED","order_id":"x"}';
    const expected = createHmac('sha256', 'wsk_r59a4HfWVAKycbCaNO1RvgCJec02gRd8').update(`v1.1683650202360.${payload}`).digest('hex');
    expect(revolutSignatureHeaders('wsk_r59a4HfWVAKycbCaNO1RvgCJec02gRd8', payload, 1683650202360)).toEqual({
      'Revolut-Request-Timestamp': '1683650202360',
      'Revolut-Signature': `v1=${expected}`,
    });
  });

  test('success: order then merchant-initiated payment with the saved card', async () => {
    const res = await gw.charge(req({ methodRef: fake.addMethod('ok') }));
    expect(res).toMatchObject({ status: 'succeeded', amountCents: 2999 });
    const [create, pay] = fake.requests.slice(-2);
    expect(create.headers['revolut-api-version']).toBe('2024-09-01');
    expect(JSON.parse(create.body)).toMatchObject({ amount: 2999, currency: 'EUR', merchant_order_data: { reference: 'A-000042' } });
    expect(JSON.parse(pay.body)).toMatchObject({ saved_payment_method: { type: 'card', initiator: 'merchant' } });
    expect(fake.charges.filter((c) => c.orderId === res.gatewayRef)).toHaveLength(1);
  });

  test('decline', async () => {
    const res = await gw.charge(req({ methodRef: fake.addMethod('decline') }));
    expect(res).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds' });
  });

  test('network failure before the order, and a lost payment answer that keeps the order id', async () => {
    fake.dropNext('before');
    await expect(gw.charge(req({ methodRef: fake.addMethod() }))).rejects.toMatchObject({ code: 'payment_gateway_unreachable' });
    const charges = fake.charges.length;
    fake.dropNext('pass');
    fake.dropNext('after');
    const err = await gw.charge(req({ methodRef: fake.addMethod() })).catch((e) => e);
    expect(err).toMatchObject({ code: 'payment_gateway_unreachable' });
    // the gateway did charge; the order id lets the webhook settle this attempt instead of a second charge
    expect(fake.charges.length).toBe(charges + 1);
    expect(err.extra.gateway_ref).toBe(fake.charges.at(-1)!.orderId);
    const wrong = new RevolutGateway({ baseUrl: fake.url, secretKey: 'sk_wrong' });
    await expect(wrong.charge(req({ methodRef: fake.addMethod() }))).rejects.toMatchObject({ code: 'payment_gateway_auth_failed' });
  });

  test('webhook: genuine accepted, forged, stale and tampered refused', async () => {
    const ok = await gw.charge(req({ methodRef: fake.addMethod('ok') }));
    expect(await gw.parseWebhook(asWebhook(fake.webhook('ORDER_COMPLETED', ok.gatewayRef!)))).toMatchObject({ outcome: 'succeeded', gatewayRef: ok.gatewayRef, invoiceRef: 'A-000042' });
    await expect(gw.parseWebhook(asWebhook(fake.webhook('ORDER_COMPLETED', ok.gatewayRef!, { secret: 'wsk_forged' })))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    await expect(gw.parseWebhook(asWebhook(fake.webhook('ORDER_COMPLETED', ok.gatewayRef!, { ts: 1683650202360 })))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    const w = fake.webhook('ORDER_PAYMENT_DECLINED', ok.gatewayRef!);
    await expect(gw.parseWebhook(asWebhook({ ...w, body: w.body.replace('DECLINED', 'COMPLETE') }))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
  });
});

describe('PayPal', () => {
  const fake = new PaypalFake();
  let gw: PaypalGateway;
  beforeAll(async () => {
    await fake.start();
    gw = new PaypalGateway({ baseUrl: fake.url, clientId: fake.clientId, clientSecret: fake.clientSecret, webhookId: fake.webhookId });
  });
  afterAll(() => fake.stop());

  test('success: vaulted card captured in one call with PayPal-Request-Id', async () => {
    const r = req({ methodRef: fake.addVault('ok') });
    const res = await gw.charge(r);
    expect(res).toMatchObject({ status: 'succeeded', amountCents: 2999, replayed: false });
    const sent = fake.requests.at(-1)!;
    expect(sent.headers['paypal-request-id']).toBe(r.idempotencyKey);
    expect(JSON.parse(sent.body).purchase_units[0]).toMatchObject({ invoice_id: 'A-000042', amount: { currency_code: 'EUR', value: '29.99' } });
  });

  test('decline (422 INSTRUMENT_DECLINED)', async () => {
    expect(await gw.charge(req({ methodRef: fake.addVault('decline') }))).toMatchObject({ status: 'declined', declineCode: 'INSTRUMENT_DECLINED' });
  });

  test('lost response, retry with the same PayPal-Request-Id: same order, charged once', async () => {
    const r = req({ methodRef: fake.addVault('ok') });
    const before = fake.charges.length;
    fake.dropNext('after');
    await expect(gw.charge(r)).rejects.toMatchObject({ code: 'payment_gateway_unreachable' });
    const retry = await gw.charge(r);
    expect(retry).toMatchObject({ status: 'succeeded', replayed: true });
    expect(fake.charges.length).toBe(before + 1);
    expect(retry.gatewayRef).toBe(fake.charges.at(-1)!.orderId);
  });

  test('network failure and bad credentials', async () => {
    const dead = new PaypalGateway({ baseUrl: await deadUrl(), clientId: 'a', clientSecret: 'b' });
    await expect(dead.charge(req({ methodRef: 'x' }))).rejects.toMatchObject({ code: 'payment_gateway_unreachable' });
    const wrong = new PaypalGateway({ baseUrl: fake.url, clientId: fake.clientId, clientSecret: 'nope' });
    await expect(wrong.charge(req({ methodRef: fake.addVault() }))).rejects.toMatchObject({ code: 'payment_gateway_auth_failed' });
  });

  test('webhook: RSA-signed event verified by PayPal; forged and tampered refused', async () => {
    const ok = await gw.charge(req({ methodRef: fake.addVault('ok') }));
    const w = fake.webhook('PAYMENT.CAPTURE.COMPLETED', fake.captureResource(ok.gatewayRef!, 'A-000042', '29.99'));
    expect(await gw.parseWebhook(asWebhook(w))).toMatchObject({ gateway: 'paypal', outcome: 'succeeded', gatewayRef: ok.gatewayRef, invoiceRef: 'A-000042', amountCents: 2999 });
    await expect(gw.parseWebhook(asWebhook({ ...w, body: w.body.replace('29.99', '99.99') }))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    await expect(gw.parseWebhook(asWebhook({ ...w, headers: { ...w.headers, 'PAYPAL-TRANSMISSION-SIG': Buffer.from('forged').toString('base64') } }))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    const { 'PAYPAL-TRANSMISSION-SIG': _drop, ...noSig } = w.headers;
    await expect(gw.parseWebhook(asWebhook({ ...w, headers: noSig }))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
  });
});

test('createGateway refuses missing credentials and unknown gateways', () => {
  const urls = { stripe: 'http://127.0.0.1:1', viva: 'http://127.0.0.1:1', revolut: 'http://127.0.0.1:1', paypal: 'http://127.0.0.1:1' };
  expect(() => createGateway('stripe', {}, urls)).toThrow(expect.objectContaining({ code: 'gateway_not_configured' }));
  expect(() => createGateway('nope' as never, {}, urls)).toThrow(expect.objectContaining({ code: 'invalid_gateway' }));
  expect(createGateway('paypal', { client_id: 'a', client_secret: 'b' }, urls).name).toBe('paypal');
});

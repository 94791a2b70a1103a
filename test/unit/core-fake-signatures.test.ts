import { RevolutGateway } from '../../src/adapters/payments/revolut';
import { StripeGateway } from '../../src/adapters/payments/stripe';
import { RevolutFake, StripeFake } from '../fakes/payments';

/** As an HTTP server hands headers over: lower-case names. */
const asReceived = (w: { body: string; headers: Record<string, string> }) => ({ headers: Object.fromEntries(Object.entries(w.headers).map(([k, v]) => [k.toLowerCase(), v])), rawBody: Buffer.from(w.body) });

// The fakes sign with their own code (node:crypto), so a bug in an adapter's scheme cannot pass on both sides.
test('the Stripe fake signs as the spec’s test vector says, and the official SDK in the adapter accepts it', async () => {
  const fake = new StripeFake();
  const payload = '{"id":"evt_test_1","object":"event","type":"payment_intent.succeeded"}';
  expect(fake.sign('whsec_test_secret', payload, 1700000000)).toBe('t=1700000000,v1=871acfe933554b446cc41d791076dd56a10c0553cc61aafbeb881d0082b45043');
  const gw = new StripeGateway({ baseUrl: 'http://127.0.0.1:9/v1', secretKey: 'sk_test_fake', webhookSecret: fake.webhookSecret });
  const w = fake.webhook('payment_intent.succeeded', { object: 'payment_intent', id: 'pi_1', amount: 100, amount_received: 100, metadata: { invoice_ref: 'A-1' } });
  await expect(gw.parseWebhook(asReceived(w))).resolves.toMatchObject({ outcome: 'succeeded', gatewayRef: 'pi_1' });
  const stale = fake.webhook('payment_intent.succeeded', { object: 'payment_intent', id: 'pi_1' }, { t: 1700000000 });
  await expect(gw.parseWebhook(asReceived(stale))).rejects.toMatchObject({ code: 'invalid_webhook_signature', message: expect.stringMatching(/tolerance/) });
  await expect(gw.parseWebhook({ headers: { 'stripe-signature': 'garbage' }, rawBody: Buffer.from(w.body) })).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
});

test('the Revolut fake signs "v1.<ms>.<body>" itself; the adapter accepts it and refuses another secret', async () => {
  const fake = new RevolutFake();
  const gw = new RevolutGateway({ baseUrl: 'http://127.0.0.1:9/api', secretKey: 'sk', webhookSecret: fake.webhookSecret });
  const w = fake.webhook('ORDER_COMPLETED', 'o-1');
  await expect(gw.parseWebhook(asReceived(w))).resolves.toMatchObject({ outcome: 'succeeded', gatewayRef: 'o-1' });
  const forged = fake.webhook('ORDER_COMPLETED', 'o-1', { secret: 'wsk_other' });
  await expect(gw.parseWebhook(asReceived(forged))).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
});

import { AppError } from '../../errors';
import { PaypalGateway, type PaypalConfig } from './paypal';
import { RevolutGateway, type RevolutConfig } from './revolut';
import { StripeGateway, type StripeConfig } from './stripe';
import type { GatewayName, PaymentGateway } from './types';
import { VivaGateway, type VivaConfig } from './viva';

export * from './types';
export { StripeGateway, VivaGateway, RevolutGateway, PaypalGateway };
export type { StripeConfig, VivaConfig, RevolutConfig, PaypalConfig };

/** Base URLs come from the configuration (STRIPE_BASE_URL …) so sandboxes and tests can point elsewhere. */
export interface GatewayBaseUrls {
  stripe: string;
  viva: string;
  revolut: string;
  paypal: string;
}

/** Credentials as stored (decrypted) in the billing settings, keyed by gateway; field names are snake_case. */
export type GatewayCredentials = Record<string, string | undefined>;

function need(gateway: GatewayName, creds: GatewayCredentials, ...keys: string[]): void {
  const missing = keys.filter((k) => !creds[k]);
  if (missing.length) {
    throw new AppError('gateway_not_configured', `The ${gateway} gateway is missing ${missing.join(', ')} in the billing settings.`, 422);
  }
}

export function createGateway(name: GatewayName, creds: GatewayCredentials | undefined, urls: GatewayBaseUrls, opts: { timeoutMs?: number } = {}): PaymentGateway {
  const c = creds ?? {};
  switch (name) {
    case 'stripe':
      need(name, c, 'secret_key');
      return new StripeGateway({ baseUrl: urls.stripe, secretKey: c.secret_key!, webhookSecret: c.webhook_secret, timeoutMs: opts.timeoutMs });
    case 'viva':
      need(name, c, 'merchant_id', 'api_key', 'client_id', 'client_secret');
      return new VivaGateway({
        baseUrl: urls.viva,
        apiBaseUrl: c.api_base_url,
        accountsBaseUrl: c.accounts_base_url,
        merchantId: c.merchant_id!,
        apiKey: c.api_key!,
        clientId: c.client_id!,
        clientSecret: c.client_secret!,
        sourceCode: c.source_code,
        timeoutMs: opts.timeoutMs,
      });
    case 'revolut':
      need(name, c, 'secret_key');
      return new RevolutGateway({ baseUrl: urls.revolut, secretKey: c.secret_key!, webhookSecret: c.webhook_secret, timeoutMs: opts.timeoutMs });
    case 'paypal':
      need(name, c, 'client_id', 'client_secret');
      return new PaypalGateway({ baseUrl: urls.paypal, clientId: c.client_id!, clientSecret: c.client_secret!, webhookId: c.webhook_id, timeoutMs: opts.timeoutMs });
    default:
      throw new AppError('invalid_gateway', `Unknown gateway "${String(name)}"; use stripe, viva, revolut or paypal.`, 422);
  }
}

/** Which credential fields each gateway takes, for validating save_billing_settings. */
export const GATEWAY_CREDENTIAL_FIELDS: Record<GatewayName, readonly string[]> = {
  stripe: ['secret_key', 'webhook_secret'],
  viva: ['merchant_id', 'api_key', 'client_id', 'client_secret', 'source_code', 'api_base_url', 'accounts_base_url'],
  revolut: ['secret_key', 'webhook_secret'],
  paypal: ['client_id', 'client_secret', 'webhook_id'],
};

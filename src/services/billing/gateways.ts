import { createGateway, type GatewayName, type PaymentGateway } from '../../adapters/payments';
import type { ServiceContext } from '../context';
import { loadSettings, openGateways } from './settings';

let factoryOverride: ((name: GatewayName) => PaymentGateway) | null = null;

/** Lets a test put a gateway that fails on purpose in front of the service; never set in production. */
export function setGatewayFactoryForTests(fn: ((name: GatewayName) => PaymentGateway) | null): void {
  factoryOverride = fn;
}

/** The adapter for a gateway with the tenant's decrypted credentials and the base URLs from the config. */
export async function gatewayFor(ctx: ServiceContext, name: GatewayName): Promise<PaymentGateway> {
  if (factoryOverride) return factoryOverride(name);
  const settings = await loadSettings(ctx.db);
  const creds = openGateways(ctx, settings)[name] ?? {};
  const c = ctx.config;
  return createGateway(
    name,
    name === 'viva' ? { accounts_base_url: c.VIVA_ACCOUNTS_URL, api_base_url: c.VIVA_API_URL, ...creds } : creds,
    { stripe: c.STRIPE_BASE_URL, viva: c.VIVA_BASE_URL, revolut: c.REVOLUT_BASE_URL, paypal: c.PAYPAL_BASE_URL },
  );
}

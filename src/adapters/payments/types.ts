/**
 * One small interface over the card gateways. An adapter charges a saved payment method for one invoice and
 * reads the gateway's webhooks; it never touches the database. Declines are results, not exceptions: the
 * billing service records them as failed payments. Transport and credential problems are AppErrors.
 */
export type GatewayName = 'stripe' | 'viva' | 'revolut' | 'paypal';
export const GATEWAY_NAMES: readonly GatewayName[] = ['stripe', 'viva', 'revolut', 'paypal'];

export interface ChargeRequest {
  /** Our idempotency key; sent as the gateway's own idempotency header where it has one. */
  idempotencyKey: string;
  /** Invoice number as the customer and the gateway's dashboard see it, e.g. "A-000042". */
  invoiceRef: string;
  amountCents: number;
  currency: string;
  /** Gateway customer id (Stripe cus_…, Revolut customer id); optional where the saved method implies it. */
  customerRef?: string | null;
  /** The saved method: Stripe pm_…, Viva initial transaction id, Revolut saved method id, PayPal vault id. */
  methodRef: string;
  description: string;
}

export type ChargeStatus = 'succeeded' | 'pending' | 'declined';

export interface ChargeResult {
  status: ChargeStatus;
  /** The gateway's id for this payment (PaymentIntent, transaction, order), used to match webhooks. */
  gatewayRef: string | null;
  amountCents: number;
  declineCode?: string | null;
  message?: string | null;
  /** true when the gateway answered from its idempotency store instead of charging again */
  replayed?: boolean;
}

export interface WebhookInput {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  now?: Date;
}

export interface WebhookEvent {
  gateway: GatewayName;
  eventId: string;
  type: string;
  outcome: 'succeeded' | 'failed' | 'pending' | 'ignored';
  gatewayRef: string | null;
  invoiceRef: string | null;
  amountCents: number | null;
  message?: string | null;
}

export interface PaymentGateway {
  readonly name: GatewayName;
  /**
   * Whether the gateway itself deduplicates a repeated request (Stripe Idempotency-Key, PayPal-Request-Id).
   * Without it a charge whose outcome is unknown must not be re-sent; it waits for the webhook instead.
   */
  readonly idempotentRetries: boolean;
  charge(req: ChargeRequest): Promise<ChargeResult>;
  /** Verifies the webhook by the gateway's own scheme and parses it; throws `invalid_webhook_signature`. */
  parseWebhook(input: WebhookInput): Promise<WebhookEvent>;
}

export function header(h: WebhookInput['headers'], name: string): string | undefined {
  const v = h[name.toLowerCase()] ?? h[name];
  return Array.isArray(v) ? v[0] : v;
}

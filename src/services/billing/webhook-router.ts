import { Router } from 'express';
import type { WebhookRouterDeps } from '../../gateway/hooks';

/** Placeholder until the payment gateway webhooks land. */
export function paymentWebhooksRouter(_deps: WebhookRouterDeps): Router {
  return Router();
}

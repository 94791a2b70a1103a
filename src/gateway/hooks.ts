import type { Request } from 'express';
import type { ActionContext } from './action';

/**
 * What routers outside process.php (payment gateway webhooks) get: a system context for the tenant the
 * request's Host resolves to. They authenticate the caller themselves (gateway signatures).
 */
export interface WebhookRouterDeps {
  contextFor(req: Request): Promise<ActionContext>;
}

import { Router, type Request, type Response } from 'express';
import type { GatewayName } from '../adapters/payments';
import { VivaGateway } from '../adapters/payments';
import { AppError, isAppError } from '../errors';
import type { WebhookRouterDeps } from './hooks';
import { gatewayFor } from '../services/billing/gateways';
import { isGateway, settleWebhook } from '../services/billing/payments';

function fail(res: Response, e: AppError): void {
  res.status(e.status).json({ ok: false, error: e.code, message: e.message });
}

/**
 * Gateway webhooks at /webhooks/<gateway>. The core mounts this behind express.raw(), so req.body is the exact
 * bytes the gateway signed. A refused signature answers 401 and changes nothing; a settled event answers 200 so
 * the gateway stops retrying, including for events about payments we do not know.
 */
export function paymentWebhooksRouter(deps: WebhookRouterDeps): Router {
  const router = Router();

  // Viva verifies a webhook URL by GETting it and expecting {"Key": "<merchant key>"} back.
  router.get('/viva', async (req: Request, res: Response) => {
    try {
      const ctx = await deps.contextFor(req);
      const gw = await gatewayFor(ctx, 'viva');
      if (!(gw instanceof VivaGateway)) throw new AppError('gateway_not_configured', 'Viva is not configured.', 404);
      res.json({ Key: await gw.webhookKey() });
    } catch (e) {
      fail(res, isAppError(e) ? e : new AppError('internal_error', 'The webhook key could not be fetched.', 500));
    }
  });

  router.post('/:gateway', async (req: Request, res: Response) => {
    const name = String(req.params.gateway);
    if (!isGateway(name)) return fail(res, new AppError('not_found', `No webhook endpoint for "${name}".`, 404));
    let ctx;
    try {
      ctx = await deps.contextFor(req);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from('');
      const gw = await gatewayFor(ctx, name as GatewayName);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
      const evt = await gw.parseWebhook({ headers, rawBody: raw });
      const out = await settleWebhook(ctx, evt);
      res.json({ ok: true, data: { received: true, ...out } });
    } catch (e) {
      if (isAppError(e)) {
        ctx?.log.warn('gateway webhook refused', { gateway: name, code: e.code });
        return fail(res, e);
      }
      ctx?.log.error('gateway webhook failed', { gateway: name, err: (e as Error)?.stack ?? String(e) });
      fail(res, new AppError('internal_error', 'The webhook could not be processed; it will be retried by the gateway.', 500));
    }
  });

  return router;
}

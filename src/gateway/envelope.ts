import type { Response } from 'express';
import { AppError } from '../errors';

export interface PageMeta {
  current_page: number;
  per_page: number;
  total: number;
  last_page: number;
}

/** A list action's result: answered as `{"ok":true,"data":[…],"meta":{current_page,per_page,total,last_page}}`. */
export class Page<T = unknown> {
  constructor(
    readonly items: T[],
    readonly meta: PageMeta,
  ) {}

  static of<T>(items: T[], page: number, perPage: number, total: number): Page<T> {
    return new Page(items, { current_page: page, per_page: perPage, total, last_page: Math.max(1, Math.ceil(total / perPage)) });
  }
}

export function sendOk(res: Response, data: unknown, extra?: Record<string, unknown>) {
  if (data instanceof Page) {
    res.status(200).json({ ok: true, data: data.items, meta: data.meta, ...(extra ?? {}) });
    return;
  }
  res.status(200).json({ ok: true, data: data === undefined ? null : data, ...(extra ?? {}) });
}

/**
 * Legacy panels and PHP scripts expect HTTP 200 for application errors; only credentials (401), rate limits
 * (429), an unreachable database (503, so load balancers and retries see it) and unexpected failures (500)
 * change the status. HTTP_ERRORS=strict answers every error's own status.
 */
export function httpStatusFor(err: AppError, strict: boolean): number {
  if (strict) return err.status;
  if (err.status === 401 || err.status === 429 || err.code === 'internal_error' || err.code === 'service_unavailable') return err.status;
  return 200;
}

export function sendError(res: Response, err: AppError, strict: boolean, requestId?: string) {
  const body: Record<string, unknown> = { ok: false, error: err.code, message: err.message };
  if (err.details) body.details = err.details;
  if (err.extra) Object.assign(body, err.extra);
  if (err.code === 'internal_error' && requestId) body.request_id = requestId;
  res.status(httpStatusFor(err, strict)).json(body);
}

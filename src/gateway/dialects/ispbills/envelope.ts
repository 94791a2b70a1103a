/**
 * ISPBills' reply shapes: `{"data": …}`, lists with `meta {current_page, per_page, total, last_page}`, and errors as
 * `{"error": {"code", "message", "details"}}` with the documented statuses. ispgate's AppError codes are mapped here
 * and nowhere else; the message stays ispgate's own sentence for a person.
 */
import type { Response } from 'express';
import { AppError } from '../../../errors';
import { Page } from '../../envelope';

/** ispgate field names → ISPBills field names, for `details` of a 422. */
const FIELD_NAMES: Record<string, string> = { fullname: 'name', plan_id: 'package_id', plan: 'package_id', unit_price: 'amount', 'lines.0.unit_price': 'amount', 'lines.0.description': 'description', invoice_id: 'id' };

/** Codes ispgate answers with 404 that ISPBills treats as a field the request named wrongly (422). */
const FIELD_NOT_FOUND: Record<string, string> = { plan_not_found: 'package_id', customer_not_found: 'customer_id', router_not_found: 'router' };

function codeFor(status: number): string {
  switch (status) {
    case 400: return 'BAD_REQUEST';
    case 401: return 'UNAUTHENTICATED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 405: return 'METHOD_NOT_ALLOWED';
    case 409: return 'CONFLICT';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 422: return 'VALIDATION_ERROR';
    case 429: return 'TOO_MANY_REQUESTS';
    case 501: return 'not_available';
    case 502: case 503: case 504: return 'SERVICE_UNAVAILABLE';
    default: return status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST';
  }
}

export interface IspbillsError {
  status: number;
  body: { error: { code: string; message: string; details: Record<string, string[]> } };
}

/** `sent`: the fields of the request body; a record the body named that does not exist is a 422 on that field. */
export function toIspbillsError(e: AppError, sent: ReadonlySet<string> = new Set()): IspbillsError {
  let status = e.status;
  const details: Record<string, string[]> = {};
  const field = FIELD_NOT_FOUND[e.code];
  if (status === 404 && field && sent.has(field)) {
    status = 422;
    details[field] = [e.message];
  }
  if (e.details) {
    for (const [k, v] of Object.entries(e.details)) {
      const name = FIELD_NAMES[k] ?? k;
      if (details[name]) continue;
      const text = v === 'required' ? `The ${name} field is required.` : /^[a-z]/.test(v) && !v.includes(' ') ? `The ${name} is ${v.replace(/_/g, ' ')}.` : v;
      (details[name] ??= []).push(text);
    }
  }
  const code = e.code === 'internal_error' ? 'SERVER_ERROR' : codeFor(status);
  return { status, body: { error: { code, message: e.message, details } } };
}

export function sendIspbillsError(res: Response, e: AppError, requestId?: string, sent?: ReadonlySet<string>) {
  const out = toIspbillsError(e, sent);
  if (e.code === 'rate_limited' || out.status === 429) {
    const retry = Number(e.extra?.retry_after ?? 60);
    res.setHeader('Retry-After', String(retry));
    if (e.extra?.limit !== undefined) res.setHeader('X-RateLimit-Limit', String(e.extra.limit));
    res.setHeader('X-RateLimit-Remaining', '0');
  }
  if (out.status === 503 && e.extra?.retry_after !== undefined) res.setHeader('Retry-After', String(e.extra.retry_after));
  const body: Record<string, unknown> = { ...out.body };
  if (e.code === 'internal_error' && requestId) (body.error as Record<string, unknown>).request_id = requestId;
  res.status(out.status).json(body);
}

export function notAvailable(what: string): AppError {
  return new AppError('not_available', `${what} is not available through the ISPBills API of this installation yet.`, 501);
}

/** A page of ISPBills items. */
export interface IspPage<T> {
  items: T[];
  meta: { current_page: number; per_page: number; total: number; last_page: number };
}

export function pageOf<T>(items: T[], page: number, perPage: number, total: number): IspPage<T> {
  return { items, meta: { current_page: page, per_page: perPage, total, last_page: Math.max(1, Math.ceil(total / perPage)) } };
}

/** A whole list (an action that does not paginate) cut to the page asked for. */
export function slicePage<T>(all: T[], page: number, perPage: number): IspPage<T> {
  return pageOf(all.slice((page - 1) * perPage, page * perPage), page, perPage, all.length);
}

/** process.php's Page → the same items and meta, reshaped. */
export function fromPage<T, U>(p: unknown, map: (x: T) => U): IspPage<U> {
  if (!(p instanceof Page)) throw new Error('expected a Page from a list action');
  // ISPBills' meta is exactly these four keys (process.php's keyset cursor and estimate marks are not in its document).
  const { current_page, per_page, total, last_page } = p.meta;
  return { items: (p.items as T[]).map(map), meta: { current_page, per_page, total, last_page } };
}

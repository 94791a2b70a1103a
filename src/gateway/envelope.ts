import fs from 'node:fs';
import { pipeline } from 'node:stream';
import type { Response } from 'express';
import { contentDisposition, Download } from '../domain/download';
import { Page } from '../domain/page';
import { AppError } from '../errors';

export { Page, pageMeta, type PageMeta } from '../domain/page';

const bigintAsNumber = (_k: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v);

/**
 * JSON without a replacer function in the common case (a replacer is called for every key and value of the reply);
 * a BigInt somewhere makes JSON.stringify throw, and the reply is then serialised again turning BigInts into numbers.
 */
function sendJson(res: Response, body: unknown) {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    text = JSON.stringify(body, bigintAsNumber);
  }
  // A POST reply is never fresh (no 304) and carries no ETag: written as it is, without res.send's content-type
  // parsing, freshness check and header lookups. Other methods (GET, HEAD) keep res.send's handling.
  if (res.req.method === 'POST' && !res.hasHeader('Transfer-Encoding')) {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
    return;
  }
  res.status(200).type('application/json').send(text);
}

export function sendOk(res: Response, data: unknown, extra?: Record<string, unknown>) {
  if (data instanceof Download) {
    sendDownload(res, data);
    return;
  }
  if (data instanceof Page) {
    sendJson(res, { ok: true, data: data.items, meta: data.meta, ...(extra ?? {}) });
    return;
  }
  sendJson(res, { ok: true, data: data === undefined ? null : data, ...(extra ?? {}) });
}

/**
 * Streams the file. pipeline() closes the file when the caller goes away mid-transfer; a read error after the
 * headers went out can only cut the transfer short.
 */
function sendDownload(res: Response, d: Download) {
  res.status(200);
  res.setHeader('Content-Type', d.contentType);
  res.setHeader('Content-Length', String(d.size));
  res.setHeader('Content-Disposition', contentDisposition(d.filename));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (d.sha256) res.setHeader('X-Checksum-Sha256', d.sha256);
  pipeline(fs.createReadStream(d.path), res, () => undefined);
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
  // A database outage says when to come back, whichever stage of the request met it (the gate, the action).
  if (err.status === 503 && err.extra?.retry_after !== undefined && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(err.extra.retry_after));
  res.status(httpStatusFor(err, strict)).json(body);
}

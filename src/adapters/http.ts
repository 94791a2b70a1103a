/**
 * The one HTTP client for outside systems (payment gateways, myDATA, the AADE lookup, Elorus, MOR, Telegram …):
 * a fetch with a timeout that reads the whole answer, and transport failures classified once.
 *
 * `not_sent`: the request cannot have reached the peer (connection refused, DNS failure, no route, TLS refused
 * before anything was sent): safe to resend. `unknown`: it may have arrived (timeout, reset after sending, the
 * answer cut off): the caller must check before resending anything with an effect.
 */
export type TransportOutcome = 'not_sent' | 'unknown';

const NOT_SENT = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  // TLS refused during the handshake, before the request was written
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** The node error code behind a failed fetch (`ECONNREFUSED`, `TimeoutError` …). */
export function transportCode(err: unknown): string {
  // fetch wraps the socket error as `cause`; a timeout is a DOMException named TimeoutError (its numeric `code` is legacy).
  const e = err as { name?: string; cause?: { code?: unknown } };
  return (typeof e?.cause?.code === 'string' ? e.cause.code : undefined) ?? e?.name ?? 'error';
}

export function transportOutcome(err: unknown): TransportOutcome {
  return NOT_SENT.has(transportCode(err)) ? 'not_sent' : 'unknown';
}

/** A failed exchange: `stage` says whether the answer never came (`send`) or was cut off while read (`read`). */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    readonly outcome: TransportOutcome,
    readonly stage: 'send' | 'read',
    readonly timedOut: boolean,
    cause: unknown,
  ) {
    super(`transport ${code}`, { cause });
    this.name = 'TransportError';
  }
}

export interface HttpAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

/** One request to an outside system; HTTP error statuses are answers, only transport failures throw (TransportError). */
export async function httpExchange(
  url: string | URL,
  init: { method: string; headers?: Record<string, string>; body?: string; timeoutMs: number; redirect?: 'follow' | 'error' | 'manual' },
): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(init.timeoutMs), redirect: init.redirect });
  } catch (e) {
    const code = transportCode(e);
    throw new TransportError(code, transportOutcome(e), 'send', code === 'TimeoutError', e);
  }
  try {
    return { status: res.status, ok: res.ok, headers: res.headers, text: await res.text() };
  } catch (e) {
    const code = transportCode(e);
    // Some of the answer arrived: whatever was sent reached the peer.
    throw new TransportError(code, 'unknown', 'read', code === 'TimeoutError', e);
  }
}

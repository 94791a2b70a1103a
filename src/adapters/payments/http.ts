import { AppError } from '../../errors';
import type { GatewayName } from './types';

export const LABEL: Record<GatewayName, string> = { stripe: 'Stripe', viva: 'Viva Wallet', revolut: 'Revolut', paypal: 'PayPal' };

export interface GatewayResponse {
  status: number;
  headers: Headers;
  body: any;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * One HTTP exchange with a gateway. A refused connection, a reset or a timeout becomes
 * `payment_gateway_unreachable`: the caller must treat the charge outcome as unknown, not as declined.
 */
export async function gatewayRequest(
  gateway: GatewayName,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<GatewayResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (e) {
    throw new AppError('payment_gateway_unreachable', `${LABEL[gateway]} did not answer (${describeNetworkError(e)}); the payment outcome is unknown, retry later with the same idempotency key.`, 502, { cause: e });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new AppError('payment_gateway_unreachable', `${LABEL[gateway]} closed the connection mid-answer; the payment outcome is unknown.`, 502, { cause: e });
  }
  let body: any = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('payment_gateway_error', `${LABEL[gateway]} answered HTTP ${res.status} with a body that is not JSON.`, 502);
    }
  }
  return { status: res.status, headers: res.headers, body };
}

function describeNetworkError(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.name ?? 'network error';
}

export function authFailed(gateway: GatewayName): AppError {
  return new AppError('payment_gateway_auth_failed', `${LABEL[gateway]} refused our credentials; check the ${LABEL[gateway]} keys in the billing settings.`, 502);
}

export function unexpected(gateway: GatewayName, res: GatewayResponse, detail?: string): AppError {
  return new AppError(
    res.status >= 500 ? 'payment_gateway_error' : 'payment_gateway_rejected',
    `${LABEL[gateway]} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}.`,
    502,
  );
}

export function invalidSignature(gateway: GatewayName, why: string): AppError {
  return new AppError('invalid_webhook_signature', `${LABEL[gateway]} webhook refused: ${why}.`, 401);
}

export function parseJsonBody(gateway: GatewayName, raw: Buffer): any {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('invalid_webhook_payload', `${LABEL[gateway]} webhook body is not JSON.`, 400);
  }
}

/** Major-unit amounts from gateways that send floats (Viva 29.99, PayPal "29.99") → integer cents. */
export function majorToCents(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const s = typeof v === 'number' ? v.toFixed(2) : String(v);
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : null;
}

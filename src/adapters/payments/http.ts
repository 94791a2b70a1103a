import { AppError } from '../../errors';
import type { GatewayName } from './types';
import { httpExchange, TransportError, type HttpAnswer } from '../http';

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
  let res: HttpAnswer;
  try {
    res = await httpExchange(url, { method: init.method, headers: init.headers, body: init.body, timeoutMs: init.timeoutMs ?? DEFAULT_TIMEOUT_MS, redirect: 'error' });
  } catch (e) {
    if (!(e instanceof TransportError)) throw e;
    if (e.stage === 'read') throw new AppError('payment_gateway_unreachable', `${LABEL[gateway]} closed the connection mid-answer; the payment outcome is unknown.`, 502, { cause: e.cause });
    throw new AppError('payment_gateway_unreachable', `${LABEL[gateway]} did not answer (${e.timedOut ? 'timed out' : e.code}); the payment outcome is unknown, retry later with the same idempotency key.`, 502, { cause: e.cause });
  }
  const text = res.text;
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

/**
 * An OAuth2 client-credentials token (PayPal, Viva), cached until shortly before it expires.
 * `rejectStatuses` are the statuses with which the gateway says the client id or secret is wrong.
 */
export class ClientCredentials {
  private token: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly gateway: GatewayName,
    private readonly url: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly opts: { timeoutMs?: number; rejectStatuses: number[]; refreshMarginMs: number },
  ) {}

  /** After the gateway refused the token (it was revoked early), the next call fetches a new one. */
  forget(): void {
    this.token = null;
  }

  async get(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + this.opts.refreshMarginMs) return this.token.value;
    const res = await gatewayRequest(this.gateway, this.url, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
      timeoutMs: this.opts.timeoutMs,
    });
    if (this.opts.rejectStatuses.includes(res.status)) throw authFailed(this.gateway);
    if (res.status !== 200 || !res.body?.access_token) throw unexpected(this.gateway, res);
    this.token = { value: res.body.access_token, expiresAt: Date.now() + Number(res.body.expires_in ?? 300) * 1000 };
    return this.token.value;
  }
}

import { XMLParser } from 'fast-xml-parser';
import { AppError } from '../../errors';
import { DEFAULT_HASH_PARAMS, hashFor, type MorEndpoint } from './hash';
import { httpExchange, TransportError } from '../http';

/**
 * Kolmisoft MOR's legacy "hash" API: POST `<base>/<function>` with form fields, `u` the admin user and `hash` over
 * the endpoint's hashed parameters plus the API secret. Replies are XML with HTTP 200 even for errors
 * (`<page><error>…</error></page>` or `<status><error>…</error></status>`).
 */
export interface MorClientOptions {
  /** e.g. https://mor.example.net/billing/api (or the legacy /mor/api). */
  baseUrl: string;
  user: string;
  secret: string;
  timeoutMs: number;
  hashParams?: Partial<Record<MorEndpoint, string[]>>;
}

/** Whether a failed call may have reached MOR: `not_sent` is safe to resend, `unknown` is not. */
export type MorOutcome = 'not_sent' | 'unknown' | 'refused';

const AUTH = ['incorrect hash', 'bad login', 'dont be so smart'];
const NOT_FOUND = ['user was not found'];
const DISABLED = ['feature disabled', 'registration over api is disabled', 'you are not authorized to use this functionality', 'you are not authorized to manage dids', 'access denied'];

/** Maps MOR's documented error texts to our codes; anything else keeps MOR's words under mor_error. */
export function morError(text: string, detail?: string): AppError {
  const t = text.trim().toLowerCase();
  const full = detail ? `${text.trim()} (${detail.trim()})` : text.trim();
  const extra = { outcome: 'refused' as MorOutcome, mor_message: full };
  if (AUTH.includes(t)) return new AppError('mor_auth_failed', `MOR refused the API credentials ("${text.trim()}"); check mor_user and mor_secret in save_voip_settings, and the hashed-parameter lists for this MOR version.`, 502, { extra });
  if (NOT_FOUND.includes(t) || (detail && NOT_FOUND.includes(detail.trim().toLowerCase()))) return new AppError('mor_user_not_found', 'MOR has no such user; check the subscriber\'s mor_user_id / mor_username.', 404, { extra });
  if (DISABLED.includes(t)) return new AppError('mor_feature_disabled', `MOR has this function turned off for the API user ("${text.trim()}"); enable it in MOR's API settings.`, 409, { extra });
  return new AppError('mor_error', `MOR answered: ${full}`.slice(0, 500), 502, { extra });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'call' || name === 'tariff',
});

function findError(node: unknown): { error: string; message?: string } | null {
  if (!node || typeof node !== 'object') return null;
  const o = node as Record<string, unknown>;
  if (typeof o.error === 'string' || typeof o.error === 'number') {
    return { error: String(o.error), message: typeof o.message === 'string' ? o.message : undefined };
  }
  for (const v of Object.values(o)) {
    const hit = findError(v);
    if (hit) return { ...hit, message: hit.message ?? (typeof o.message === 'string' ? o.message : undefined) };
  }
  return null;
}

export type XmlNode = Record<string, any>;

export interface MorCall {
  calldate2?: string; timezone?: string; clid?: string; src?: string; dst?: string; destination?: string; prefix?: string;
  dispod?: string; nice_billsec?: string; did?: string; user_id?: string; user_rate?: string; user_price?: string; user_currency?: string;
  [k: string]: unknown;
}

export class MorClient {
  private readonly base: string;

  constructor(private readonly opts: MorClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  private order(endpoint: MorEndpoint): string[] {
    return this.opts.hashParams?.[endpoint] ?? DEFAULT_HASH_PARAMS[endpoint];
  }

  /** One call. Returns the parsed XML document; MOR's error replies throw an AppError with extra.outcome 'refused'. */
  async call(endpoint: MorEndpoint, params: Record<string, string | number | undefined>): Promise<XmlNode> {
    const sent: Record<string, string> = { u: this.opts.user };
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) sent[k] = String(v);
    sent.hash = hashFor(this.order(endpoint), sent, this.opts.secret);
    let text: string;
    let status: number;
    try {
      const res = await httpExchange(`${this.base}/${endpoint}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/xml, text/xml' },
        body: new URLSearchParams(sent).toString(),
        timeoutMs: this.opts.timeoutMs,
      });
      status = res.status;
      text = res.text;
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      const outcome: MorOutcome = err.outcome;
      const why = err.timedOut ? `no answer within ${this.opts.timeoutMs} ms` : err.code;
      throw new AppError('voip_unreachable', `MOR did not answer ${endpoint} (${why}).`, 504, { extra: { outcome }, cause: err.cause });
    }
    if (status >= 500) throw new AppError('voip_unreachable', `MOR answered HTTP ${status} to ${endpoint}.`, 502, { extra: { outcome: 'unknown' as MorOutcome } });
    if (status === 404) throw new AppError('mor_error', `MOR has no API function ${endpoint} at ${this.base} (HTTP 404); check mor_url.`, 502, { extra: { outcome: 'refused' as MorOutcome } });
    if (status >= 400) throw new AppError('mor_error', `MOR answered HTTP ${status} to ${endpoint}.`, 502, { extra: { outcome: 'refused' as MorOutcome } });
    let doc: XmlNode;
    try {
      doc = parser.parse(text) as XmlNode;
    } catch {
      doc = {};
    }
    if (!doc || typeof doc !== 'object' || !Object.keys(doc).some((k) => k !== '?xml')) {
      throw new AppError('mor_error', `MOR answered ${endpoint} with something that is not XML; check mor_url.`, 502, { extra: { outcome: 'unknown' as MorOutcome } });
    }
    const err = findError(doc);
    if (err) throw morError(err.error, err.message);
    return doc;
  }

  async balance(username: string, currency?: string): Promise<string> {
    const doc = await this.call('user_balance_get', { username, currency });
    const b = doc.page?.balance ?? doc.balance;
    if (b === undefined || b === '' || Number.isNaN(Number(b))) throw new AppError('mor_error', 'MOR answered user_balance_get without a balance.', 502, { extra: { outcome: 'refused' } });
    return String(b);
  }

  async calls(params: Record<string, string | number | undefined>): Promise<{ currency: string | null; calls: MorCall[] }> {
    const doc = await this.call('user_calls_get', params);
    const page = doc.page ?? {};
    const list = page.calls_stat?.calls?.call ?? [];
    return { currency: page.currency ? String(page.currency) : null, calls: Array.isArray(list) ? list : [list] };
  }

  async tariffs(): Promise<XmlNode[]> {
    try {
      const doc = await this.call('tariffs_get', {});
      const list = doc.page?.tariffs?.tariff ?? [];
      return Array.isArray(list) ? list : [list];
    } catch (e) {
      if (e instanceof AppError && e.code === 'mor_error' && /no tariffs found/i.test(String(e.extra?.mor_message))) return [];
      throw e;
    }
  }

  async paymentCreate(p: { userId: number; currency: string; amount: string; transaction?: string; comment?: string }): Promise<{ paymentId: string | null; confirmed: boolean }> {
    const doc = await this.call('payment_create', {
      user_id: p.userId, p_currency: p.currency, amount: p.amount, transaction: p.transaction, comments_for_user: p.comment,
    });
    const r = doc.page?.response ?? {};
    if (String(r.status ?? '').toLowerCase() !== 'ok') throw new AppError('mor_error', 'MOR answered payment_create without status ok.', 502, { extra: { outcome: 'unknown' } });
    return { paymentId: r.payment?.payment_id !== undefined ? String(r.payment.payment_id) : null, confirmed: String(r.confirmed ?? '').toLowerCase() === 'yes' };
  }

  async balanceUpdate(userId: number, balance: string): Promise<void> {
    await this.call('user_balance_update', { user_id: userId, balance });
  }

  async userRegister(p: Record<string, string | undefined>): Promise<{ userId: number | null; raw: XmlNode }> {
    const doc = await this.call('user_register', p);
    const page = doc.page ?? doc;
    const status = String(page.status ?? '');
    if (!/registration successful/i.test(status)) throw new AppError('mor_error', `MOR answered user_register with "${status || 'no status'}".`, 502, { extra: { outcome: 'unknown' } });
    const id = page.user_id ?? page.user?.id ?? page.id;
    return { userId: id !== undefined && /^\d+$/.test(String(id)) ? Number(id) : null, raw: page };
  }

  async deviceCreate(p: { userId: number; description?: string; type?: string }): Promise<{ deviceId: string; username: string | null; password: string | null }> {
    const doc = await this.call('device_create', { user_id: p.userId, description: p.description, type: p.type });
    const page = doc.page ?? {};
    if (!/device created/i.test(String(page.status ?? '')) || page.id === undefined) throw new AppError('mor_error', 'MOR answered device_create without "Device created".', 502, { extra: { outcome: 'unknown' } });
    return { deviceId: String(page.id), username: page.username ? String(page.username) : null, password: page.password ? String(page.password) : null };
  }

  async didCreate(p: { did: string; providerId?: number }): Promise<{ didId: string | null }> {
    const doc = await this.call('did_create', { provider_id: p.providerId, did: p.did });
    const page = doc.page ?? {};
    if (!page.status?.success) throw new AppError('mor_error', 'MOR answered did_create without success.', 502, { extra: { outcome: 'unknown' } });
    return { didId: page.did_details?.id !== undefined ? String(page.did_details.id) : null };
  }
}

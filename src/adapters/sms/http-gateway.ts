/**
 * A provider-neutral HTTP SMS gateway: `POST {base}/messages` with `{to, from, text, reference}` and a Bearer key
 * answers the provider's message id, its state and, where the provider reports them, credits used and left;
 * `GET {base}/balance` answers `{balance, unit}`. Outcomes are read from the status: 2xx accepted, 401/403 a bad
 * key, 400/422 a message the provider refuses (not retried), 429/5xx/network try again later.
 */
export type SmsOutcome =
  | { kind: 'accepted'; providerId: string; status: 'queued' | 'sent' | 'delivered'; creditsUsed: number | null; creditsRemaining: number | null }
  | { kind: 'rejected'; error: string }
  | { kind: 'retry'; error: string; retryAfterSeconds: number | null };

export interface SmsGatewayConfig {
  baseUrl: string;
  apiKey: string;
  sender: string;
  timeoutMs?: number;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export class HttpSmsGateway {
  constructor(private readonly cfg: SmsGatewayConfig) {}

  private url(path: string) {
    return `${this.cfg.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  async send(to: string, text: string, reference: string): Promise<SmsOutcome> {
    let res: Response;
    let body: Record<string, unknown> = {};
    try {
      res = await fetch(this.url('/messages'), {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.cfg.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ to, from: this.cfg.sender, text, reference }),
        signal: AbortSignal.timeout(this.cfg.timeoutMs ?? 10_000),
      });
      body = ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
    } catch (e) {
      return { kind: 'retry', error: (e as Error).name === 'TimeoutError' ? 'timeout' : 'gateway unreachable', retryAfterSeconds: null };
    }
    const reason = typeof body.error === 'string' ? body.error.slice(0, 200) : `HTTP ${res.status}`;
    if (res.status === 429 || res.status >= 500) return { kind: 'retry', error: reason, retryAfterSeconds: Number(res.headers.get('retry-after')) || null };
    if (res.status < 200 || res.status >= 300) return { kind: 'rejected', error: res.status === 401 || res.status === 403 ? 'the gateway refused the API key' : reason };
    const status = body.status === 'sent' || body.status === 'delivered' ? body.status : 'queued';
    if (typeof body.id !== 'string' && typeof body.id !== 'number') return { kind: 'retry', error: 'the gateway answered without a message id', retryAfterSeconds: null };
    return { kind: 'accepted', providerId: String(body.id), status, creditsUsed: num(body.credits_used), creditsRemaining: num(body.credits_remaining) };
  }

  /** The balance where the provider reports one; null when it does not (404). */
  async balance(): Promise<{ balance: number; unit: string } | null> {
    const res = await fetch(this.url('/balance'), { headers: { Authorization: `Bearer ${this.cfg.apiKey}`, Accept: 'application/json' }, signal: AbortSignal.timeout(this.cfg.timeoutMs ?? 10_000) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(res.status === 401 || res.status === 403 ? 'the gateway refused the API key' : `HTTP ${res.status}`);
    const b = (await res.json()) as Record<string, unknown>;
    const balance = num(b.balance);
    if (balance === null) throw new Error('the gateway answered no balance');
    return { balance, unit: typeof b.unit === 'string' ? b.unit : 'credits' };
  }
}

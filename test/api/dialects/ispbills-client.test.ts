/**
 * A client written only from the ISPBills API document (auth flow, pagination to meta.last_page, 422 details,
 * 429 back-off with Retry-After, a new token on 401), run over real HTTP against a listening ispgate.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestApp, type TestApp } from '../../helpers/app';

class IspbillsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string[]>,
  ) {
    super(message);
  }
}

/** What an integrator would write from the document: nothing ispgate-specific. */
class IspbillsClient {
  private token: string | null = null;
  backoffs: number[] = [];
  tokensFetched = 0;

  constructor(
    private readonly base: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly maxRetries = 5,
  ) {}

  private async authenticate() {
    const r = await fetch(`${this.base}/api/v2/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ client_id: this.clientId, client_secret: this.clientSecret }),
    });
    if (r.status !== 200) throw await this.error(r);
    const body = (await r.json()) as { access_token: string; token_type: string; expires_in: number };
    this.tokensFetched++;
    this.token = body.access_token;
  }

  private async error(r: Response): Promise<IspbillsError> {
    const body = (await r.json()) as { error: { code: string; message: string; details: Record<string, string[]> } };
    return new IspbillsError(r.status, body.error.code, body.error.message, body.error.details ?? {});
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.token) await this.authenticate();
    let reauthed = false;
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(`${this.base}/api/v2${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (r.status === 204) return undefined as T;
      if (r.ok) return (await r.json()) as T;
      // "Your integration should request a new token automatically when it receives a 401."
      if (r.status === 401 && !reauthed) {
        reauthed = true;
        await this.authenticate();
        continue;
      }
      // "Implement exponential back-off on 429 responses" — at least Retry-After seconds.
      if (r.status === 429 && attempt < this.maxRetries) {
        const retryAfter = Number(r.headers.get('Retry-After') ?? '1');
        const wait = Math.max(retryAfter * 1000, 250 * 2 ** attempt);
        this.backoffs.push(wait);
        await r.text();
        await new Promise((res) => setTimeout(res, wait));
        continue;
      }
      throw await this.error(r);
    }
  }

  /** "Always check meta.last_page to know when you have retrieved all records." */
  async all<T>(path: string, perPage: number): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const r = await this.request<{ data: T[]; meta: { current_page: number; per_page: number; total: number; last_page: number } }>('GET', `${path}?page=${page}&per_page=${perPage}`);
      out.push(...r.data);
      if (r.meta.current_page >= r.meta.last_page) return out;
    }
  }
}

let t: TestApp;
let server: http.Server;
let base: string;

beforeAll(async () => {
  // A small budget and a one-second window, so the client meets a 429 and waits it out.
  t = await makeTestApp({ env: { ISPBILLS_RATE_LIMIT_V2: '8', ISPBILLS_RATE_LIMIT_WINDOW_SECONDS: '1', RATE_LIMIT_STANDARD: '100000' } });
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await t.close();
});

test('a document-only client: token, create, pages to last_page, 422 with details, 429 back-off, new token after revoke', async () => {
  const plan = (await t.call('add_plan', { name: 'Home 50', download: '50M', upload: '10M', price: '20' })).data.id;
  const cred = (await t.call('api_client_create', { name: 'integration', dialect: 'ispbills' })).data;
  const client = new IspbillsClient(base, cred.client_id, cred.client_secret);

  const created: number[] = [];
  for (let i = 0; i < 13; i++) {
    const r = await client.request<{ data: { id: number; name: string; status: string } }>('POST', '/customers', { name: `Client Customer ${i}`, phone: `0170000${String(i).padStart(2, '0')}`, package_id: plan, connection_type: 'pppoe' });
    expect(r.data).toMatchObject({ name: `Client Customer ${i}`, status: 'active' });
    created.push(r.data.id);
  }
  // 13 creates and a token on a budget of 8 per second: the client had to back off at least once, and got through.
  expect(client.backoffs.length).toBeGreaterThan(0);

  const all = await client.all<{ id: number }>('/customers', 5);
  expect(all.map((c) => c.id)).toEqual(created);
  const rows = await t.db('customers').whereIn('id', created);
  expect(rows).toHaveLength(13);

  let err: IspbillsError | null = null;
  try {
    await client.request('POST', '/customers', { email: 'no-name@example.com', package_id: 424242 });
  } catch (e) {
    err = e as IspbillsError;
  }
  expect(err).toMatchObject({ status: 422, code: 'VALIDATION_ERROR' });
  expect(Object.keys(err!.details)).toEqual(['name']);
  expect(err!.details.name[0]).toEqual(expect.any(String));

  // The token is revoked behind the client's back: it gets a 401, fetches a new token and carries on.
  const before = client.tokensFetched;
  await t.db('dialect_tokens').update({ revoked_at: '2026-01-01 00:00:00' });
  const one = await client.request<{ data: { id: number } }>('GET', `/customers/${created[0]}`);
  expect(one.data.id).toBe(created[0]);
  expect(client.tokensFetched).toBe(before + 1);
});

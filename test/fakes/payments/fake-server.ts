import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * Base of the payment fakes: a real HTTP server on loopback that records every request. `dropNext` makes the
 * next requests fail at the network level, either before the gateway acts ('before') or after it has acted but
 * before the answer leaves ('after', the lost-response case idempotency keys exist for).
 */
export abstract class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private drops: ('pass' | 'before' | 'after')[] = [];
  url = '';

  protected abstract handle(req: RecordedRequest, res: ServerResponse): void | Promise<void>;

  /** 'pass' lets one request through untouched, to target a later request of a multi-call charge. */
  dropNext(mode: 'pass' | 'before' | 'after' = 'before', times = 1): void {
    for (let i = 0; i < times; i++) this.drops.push(mode);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const rec: RecordedRequest = {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(rec);
        const drop = this.drops.shift();
        if (drop === 'before') return void req.socket.destroy();
        try {
          if (drop === 'after') {
            // Let the fake do its work, then lose the answer on the wire.
            const sink = { statusCode: 0, setHeader() {}, end() {}, writeHead() { return sink; } } as unknown as ServerResponse;
            await this.handle(rec, sink);
            return void req.socket.destroy();
          }
          await this.handle(rec, res);
        } catch (e) {
          send(res, 500, { error: { type: 'api_error', message: (e as Error).message } });
        }
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json');
  res.end(body === undefined ? '' : JSON.stringify(body));
}

export function basicAuth(req: RecordedRequest): [string, string] | null {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(String(req.headers.authorization ?? ''));
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : [decoded.slice(0, i), decoded.slice(i + 1)];
}

export function bearer(req: RecordedRequest): string | null {
  const m = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
  return m ? m[1] : null;
}

export function jsonBody(req: RecordedRequest): any {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return undefined;
  try {
    return JSON.parse(req.body);
  } catch {
    return undefined;
  }
}

/** Lets a test wait for an asynchronous effect without sleeping on a clock. */
export async function waitFor<T>(fn: () => T | Promise<T>, tries = 200): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setImmediate(r));
  }
  throw last ?? new Error('condition never became true');
}

/**
 * One API session to a MikroTik router, on routeros-client's raw RouterOSAPI (re-exported from node-routeros).
 *
 * The raw API is used rather than the menu/model layer because routeros-client turns every numeric-looking
 * value into a number ("0123" → 123) and "true"/"false" into booleans, which corrupts passwords, names and
 * caller-ids. The library is discontinued and has failure modes that hang or crash the process; the guards
 * below are the ones the network spec lists, each tied to a verified failure:
 *  - an 'error' listener is always attached (an idle SOCKTMOUT without one kills the process);
 *  - Channel.processPacket ignores `!empty` (RouterOS >= 7.18 sends it for empty prints; unpatched, it throws
 *    an uncaught UNKNOWNREPLY from the socket handler);
 *  - every connect, write and close has its own timeout (a write on a dropped connection never settles), and a
 *    dropped connection rejects every pending write at once;
 *  - TLS always passes its port explicitly (the 8729 default is never applied by the library).
 */
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { RouterOSAPI } from 'routeros-client';
import { Channel } from 'node-routeros/dist/Channel';
import { AppError } from '../../errors';

export type RouterRow = Record<string, string>;

export interface RouterConnection {
  host: string;
  port?: number;
  user: string;
  password: string;
  tls?: boolean | ConnectionOptions;
  /** Per-call limit for connect, each command and close. */
  timeoutMs?: number;
}

export const DEFAULT_API_PORT = 8728;
export const DEFAULT_API_TLS_PORT = 8729;
const DEFAULT_TIMEOUT_MS = 5000;

let patched = false;
function patchEmptyReply(): void {
  if (patched) return;
  const proto = Channel.prototype as unknown as { processPacket(packet: string[]): void };
  const original = proto.processPacket;
  proto.processPacket = function (this: unknown, packet: string[]) {
    if (packet[0] === '!empty') return;
    return original.call(this, packet);
  };
  patched = true;
}

const ERRNO_NAMES: Record<string, string> = {
  '-111': 'ECONNREFUSED',
  '-110': 'ETIMEDOUT',
  '-113': 'EHOSTUNREACH',
  '-101': 'ENETUNREACH',
  '-104': 'ECONNRESET',
  '-32': 'EPIPE',
};

function describeSocketError(e: unknown): string {
  const err = e as { errno?: unknown; code?: unknown; message?: unknown } | undefined;
  const errno = err?.errno !== undefined ? String(err.errno) : '';
  if (ERRNO_NAMES[errno]) return ERRNO_NAMES[errno];
  if (typeof err?.code === 'string') return err.code;
  if (errno === 'SOCKTMOUT') return 'idle timeout';
  if (errno) return errno;
  if (typeof err?.message === 'string' && err.message) return err.message;
  return 'connection failed';
}

export function routerUnreachable(host: string, port: number, why: string, cause?: unknown): AppError {
  return new AppError(
    'router_unreachable',
    `The router at ${host}:${port} did not answer (${why}). Check that it is online and that its API service is enabled and reachable from the gateway.`,
    502,
    { cause, extra: { router: `${host}:${port}` } },
  );
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export class RouterOsSession {
  private dead = false;
  private pending = new Set<(e: Error) => void>();

  private constructor(
    private readonly api: RouterOSAPI,
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  static async open(conn: RouterConnection): Promise<RouterOsSession> {
    patchEmptyReply();
    const useTls = conn.tls !== undefined && conn.tls !== false;
    const port = conn.port ?? (useTls ? DEFAULT_API_TLS_PORT : DEFAULT_API_PORT);
    const timeoutMs = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const api = new RouterOSAPI({
      host: conn.host,
      port,
      user: conn.user,
      password: conn.password,
      // The library's own timeout is a socket idle timeout in seconds; keep it above ours so ours fires first.
      timeout: Math.max(2, Math.ceil(timeoutMs / 1000) + 1),
      // The library types this as server TlsOptions but hands it to tls.connect, so client options are right.
      tls: useTls ? ((conn.tls === true ? {} : conn.tls) as unknown as TlsOptions) : undefined,
    });
    const session = new RouterOsSession(api, conn.host, port, timeoutMs);
    api.on('error', (e: unknown) => session.kill(routerUnreachable(conn.host, port, describeSocketError(e), e)));
    api.on('close', () => session.kill(routerUnreachable(conn.host, port, 'connection closed')));
    try {
      await withTimeout(api.connect(), timeoutMs, () => routerUnreachable(conn.host, port, `no answer within ${timeoutMs} ms`));
    } catch (e) {
      session.dead = true;
      session.destroy();
      if (e instanceof AppError) throw e;
      if ((e as { errno?: unknown })?.errno === 'CANTLOGIN') {
        throw new AppError(
          'router_login_failed',
          `The router at ${conn.host}:${port} refused the API username or password. Check the router's "user" and "pass".`,
          502,
        );
      }
      throw routerUnreachable(conn.host, port, describeSocketError(e), e);
    }
    return session;
  }

  /** Runs one command; resolves with the !re rows (plus !done data such as {ret} after add). */
  async write(command: string, words: string[] = []): Promise<RouterRow[]> {
    if (this.dead) throw routerUnreachable(this.host, this.port, 'connection closed');
    let rejectPending!: (e: Error) => void;
    const dropped = new Promise<never>((_, reject) => {
      rejectPending = reject;
    });
    this.pending.add(rejectPending);
    try {
      const rows = await withTimeout(
        Promise.race([this.api.write(command, words), dropped]),
        this.timeoutMs,
        () => {
          // After a timeout the connection's state is unknown; never reuse it.
          this.kill(routerUnreachable(this.host, this.port, `"${command}" got no answer within ${this.timeoutMs} ms`));
          return routerUnreachable(this.host, this.port, `"${command}" got no answer within ${this.timeoutMs} ms`);
        },
      );
      return rows.map((r) => {
        const out: RouterRow = {};
        for (const [k, v] of Object.entries(r)) out[k] = String(v);
        return out;
      });
    } catch (e) {
      if (e instanceof AppError) throw e;
      const msg = (e as Error)?.message;
      if (e instanceof Error && msg && !(e as { errno?: unknown }).errno) {
        // A !trap: the router understood and refused. Its message is what the operator needs to see.
        throw new AppError('router_error', `The router refused ${command}: ${msg}`, 502, {
          extra: { router_message: msg, command },
        });
      }
      throw routerUnreachable(this.host, this.port, describeSocketError(e), e);
    } finally {
      this.pending.delete(rejectPending);
    }
  }

  get alive(): boolean {
    return !this.dead;
  }

  async close(): Promise<void> {
    if (this.dead) return;
    this.dead = true;
    try {
      await withTimeout(this.api.close(), this.timeoutMs, () => new Error('close timed out'));
    } catch {
      this.destroy();
    }
  }

  private kill(e: Error): void {
    this.dead = true;
    for (const reject of this.pending) reject(e);
    this.pending.clear();
    this.destroy();
  }

  private destroy(): void {
    const inner = this.api as unknown as {
      connector?: { destroy(): void } | null;
      connectionHoldInterval?: NodeJS.Timeout;
      keptaliveby?: NodeJS.Timeout;
    };
    // The library re-arms a '#' hold timer for as long as a channel is open; a channel whose peer vanished
    // stays open forever, so without this the timer writes to a dead socket for the life of the process.
    if (inner.connectionHoldInterval) clearTimeout(inner.connectionHoldInterval);
    if (inner.keptaliveby) clearTimeout(inner.keptaliveby);
    const connector = inner.connector;
    try {
      connector?.destroy();
    } catch {
      // already gone
    }
  }
}

/** Opens a session, runs fn, always closes. */
export async function withRouter<T>(conn: RouterConnection, fn: (s: RouterOsSession) => Promise<T>): Promise<T> {
  const s = await RouterOsSession.open(conn);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/**
 * A lazily opened session that reopens after the connection died. Undo steps run through it, so a router
 * that dropped the connection mid-provisioning can still be cleaned up if it comes straight back.
 */
export class RouterLink {
  private session: RouterOsSession | null = null;

  constructor(readonly conn: RouterConnection) {}

  async write(command: string, words: string[] = []): Promise<RouterRow[]> {
    if (!this.session || !this.session.alive) this.session = await RouterOsSession.open(this.conn);
    return this.session.write(command, words);
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    await s?.close();
  }
}

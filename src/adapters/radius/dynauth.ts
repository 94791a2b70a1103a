/**
 * RFC 5176 Dynamic Authorization client: Disconnect-Request (40) and CoA-Request (43) to a NAS on UDP 3799.
 *
 * The `radius` package computes the Request Authenticator as RFC 5176 requires (MD5 over the packet with a
 * zeroed authenticator plus the secret) and checks the Response Authenticator of the answer. A NAS drops a
 * request with a wrong authenticator without answering, so a wrong secret looks exactly like a dead NAS:
 * "timeout" is therefore reported as its own result and never folded into NAK.
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { ensureDictionaries, MIKROTIK_VENDOR_ID } from './dictionary';

export const DEFAULT_COA_PORT = 3799;

export interface NasTarget {
  host: string;
  port?: number;
  secret: string;
}

export interface SessionIdentity {
  userName: string;
  acctSessionId?: string | null;
  framedIpAddress?: string | null;
  nasIpAddress?: string | null;
}

export type DynAuthResult =
  | { result: 'ack'; code: string }
  | { result: 'nak'; code: string; error_cause: string | number | null }
  | { result: 'timeout'; detail: string };

export interface SendOptions {
  timeoutMs?: number;
  /** Extra tries after the first; the same packet is resent, as RADIUS clients do. */
  retries?: number;
}

function identityAttributes(id: SessionIdentity): [string, ...unknown[]][] {
  const attrs: [string, ...unknown[]][] = [['User-Name', id.userName]];
  if (id.acctSessionId) attrs.push(['Acct-Session-Id', id.acctSessionId]);
  if (id.framedIpAddress) attrs.push(['Framed-IP-Address', id.framedIpAddress]);
  if (id.nasIpAddress) attrs.push(['NAS-IP-Address', id.nasIpAddress]);
  return attrs;
}

async function send(
  target: NasTarget,
  code: 'Disconnect-Request' | 'CoA-Request',
  attributes: [string, ...unknown[]][],
  opts: SendOptions,
): Promise<DynAuthResult> {
  const radius = ensureDictionaries();
  const timeoutMs = opts.timeoutMs ?? 2000;
  const tries = 1 + (opts.retries ?? 1);
  const identifier = randomInt(0, 256);
  const request = radius.encode({ code, secret: target.secret, identifier, attributes });
  const port = target.port ?? DEFAULT_COA_PORT;

  return new Promise<DynAuthResult>((resolve) => {
    const sock = dgram.createSocket('udp4');
    let attempt = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (r: DynAuthResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const fire = () => {
      attempt += 1;
      sock.send(request, port, target.host, (err) => {
        if (err) finish({ result: 'timeout', detail: `could not send to ${target.host}:${port}: ${err.message}` });
      });
      timer = setTimeout(() => {
        if (attempt < tries) fire();
        else finish({ result: 'timeout', detail: `no answer from ${target.host}:${port} after ${tries} tries of ${timeoutMs} ms` });
      }, timeoutMs);
    };
    sock.on('error', (err) => finish({ result: 'timeout', detail: `socket error towards ${target.host}:${port}: ${err.message}` }));
    sock.on('message', (msg) => {
      // Anything that is not the answer to this request, or fails the authenticator, is ignored as a real
      // client would: a forged or stale packet must not decide the result.
      if (msg.length < 20 || msg[1] !== identifier) return;
      let ok = false;
      try {
        ok = radius.verify_response({ request, response: msg, secret: target.secret });
      } catch {
        ok = false;
      }
      if (!ok) return;
      let decoded;
      try {
        decoded = radius.decode({ packet: msg, secret: target.secret });
      } catch {
        return;
      }
      if (decoded.code === 'Disconnect-ACK' || decoded.code === 'CoA-ACK') finish({ result: 'ack', code: decoded.code });
      else if (decoded.code === 'Disconnect-NAK' || decoded.code === 'CoA-NAK') {
        finish({ result: 'nak', code: decoded.code, error_cause: decoded.attributes['Error-Cause'] ?? null });
      }
    });
    sock.bind(0, () => fire());
  });
}

export function sendDisconnect(target: NasTarget, id: SessionIdentity, opts: SendOptions = {}): Promise<DynAuthResult> {
  return send(target, 'Disconnect-Request', identityAttributes(id), opts);
}

/** A CoA carrying the new Mikrotik-Rate-Limit; the NAS changes the session's queue without dropping it. */
export function sendCoa(
  target: NasTarget,
  id: SessionIdentity,
  change: { rateLimit?: string | null },
  opts: SendOptions = {},
): Promise<DynAuthResult> {
  const attrs = identityAttributes(id);
  if (change.rateLimit) attrs.push(['Vendor-Specific', MIKROTIK_VENDOR_ID, [['Mikrotik-Rate-Limit', change.rateLimit]]]);
  return send(target, 'CoA-Request', attrs, opts);
}

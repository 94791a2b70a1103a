import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Where a webhook may be sent. A URL given by an API caller must not turn the server into a proxy towards its
 * own network: loopback, link-local (169.254.0.0/16, where cloud metadata services answer), private and other
 * special-purpose ranges are refused unless WEBHOOK_ALLOW_PRIVATE=1.
 */
// One list per family: a BlockList holding ::ffff:0:0/96 would match every IPv4 address too.
const blocked4 = new net.BlockList();
const blocked6 = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const)
  blocked4.addSubnet(net4, bits, 'ipv4');
for (const [net6, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const)
  blocked6.addSubnet(net6, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked4.check(address, 'ipv4');
  if (family !== 6) return true;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1, or ::ffff:7f00:1 as URLs normalise it) is judged as IPv4.
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(address);
  if (mapped) {
    const tail = mapped[1];
    if (net.isIPv4(tail)) return blocked4.check(tail, 'ipv4');
    const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
    if (m) {
      const hi = parseInt(m[1], 16);
      const lo = parseInt(m[2], 16);
      return blocked4.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
  }
  return blocked6.check(address, 'ipv6');
}

export class AddressNotAllowed extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to ${address}, a loopback, link-local or private address (set WEBHOOK_ALLOW_PRIVATE=1 to allow)`);
    this.name = 'AddressNotAllowed';
  }
}

/** What is wrong with a webhook URL before any lookup: scheme, form, a literal address in a refused range. */
export function urlProblem(raw: string, allowPrivate: boolean): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be a URL such as https://example.com/hooks';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  if (u.username || u.password) return 'must not carry a user name or password';
  if (allowPrivate) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && isPrivateAddress(host)) return `points at ${host}, a loopback, link-local or private address (set WEBHOOK_ALLOW_PRIVATE=1 to allow)`;
  if (/^localhost$|\.localhost$/i.test(host)) return 'points at localhost (set WEBHOOK_ALLOW_PRIVATE=1 to allow)';
  return null;
}

/** Resolves the host once; a name that resolves to a refused address is refused. A name that does not resolve yet passes (checked again at delivery). */
export async function resolvedProblem(raw: string, allowPrivate: boolean, timeoutMs = 3000): Promise<string | null> {
  const first = urlProblem(raw, allowPrivate);
  if (first || allowPrivate) return first;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return null;
  const found = await Promise.race([
    dns.promises.lookup(host, { all: true }).catch(() => [] as dns.LookupAddress[]),
    new Promise<dns.LookupAddress[]>((r) => setTimeout(() => r([]), timeoutMs).unref()),
  ]);
  const bad = found.find((a) => isPrivateAddress(a.address));
  return bad ? `resolves to ${bad.address}, a loopback, link-local or private address (set WEBHOOK_ALLOW_PRIVATE=1 to allow)` : null;
}

/**
 * A dns.lookup that refuses private answers. It runs as the socket's own lookup, so the address checked is the
 * address connected to: a name that resolved to a public address when the webhook was made and to 127.0.0.1 now
 * (DNS rebinding) is refused at delivery.
 */
function guardedLookup(hostname: string, options: dns.LookupOptions, cb: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) {
  dns.lookup(hostname, { ...options }, (err, address: string | dns.LookupAddress[], family?: number) => {
    if (err) return cb(err, address, family);
    const list = Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return cb(new AddressNotAllowed(hostname, bad.address), address, family);
    cb(null, address, family);
  });
}

export interface PostResult {
  status: number;
}

/** POSTs a body, reading (and discarding) the answer; no redirects are followed. */
export function postGuarded(url: string, headers: Record<string, string>, body: string, opts: { timeoutMs: number; allowPrivate: boolean }): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const problem = urlProblem(url, opts.allowPrivate);
    if (problem) return reject(new Error(`the URL ${problem}`));
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        ...(opts.allowPrivate ? {} : { lookup: guardedLookup as unknown as net.LookupFunction }),
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0 });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => {
      const e = new Error('timeout');
      e.name = 'TimeoutError';
      req.destroy(e);
    }, opts.timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

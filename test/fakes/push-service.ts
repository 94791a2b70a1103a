import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

const b64u = (b: Buffer) => b.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => crypto.createHmac('sha256', key).update(data).digest();

/**
 * A Web Push service on loopback over HTTPS (a self-signed certificate). Like a real one it checks the VAPID
 * Authorization header (an ES256 JWT whose signature verifies with k=, aud = this origin, exp within 24 h, a
 * mailto:/https: sub) and decrypts the aes128gcm body (RFC 8291/8188) with the browser's keys it holds; then it
 * answers 201, or 410 for an endpoint marked gone. 401/400 otherwise, as a real service would.
 */
export class FakePushService {
  readonly received: Array<{ endpoint: string; payload: string; ttl: string | undefined; jwt: Record<string, unknown> }> = [];
  readonly rejected: Array<{ endpoint: string; why: string }> = [];
  readonly gone = new Set<string>();
  expectedVapidKey: string | null = null;
  private server?: https.Server;
  private readonly browsers = new Map<string, { ecdh: crypto.ECDH; auth: Buffer }>();

  constructor(private readonly tls: { cert: string; key: string }) {}

  get origin() {
    return `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** A browser subscription (what PushSubscription.toJSON() gives) whose private keys the fake keeps. */
  subscribe(name: string) {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = crypto.randomBytes(16);
    const endpoint = `${this.origin}/push/${name}`;
    this.browsers.set(`/push/${name}`, { ecdh, auth });
    return { endpoint, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } };
  }

  async listen() {
    this.server = https.createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const fail = (status: number, why: string) => {
          this.rejected.push({ endpoint: path, why });
          res.writeHead(status).end(why);
        };
        const browser = this.browsers.get(path);
        if (req.method !== 'POST' || !browser) return fail(404, 'no such subscription');
        const jwt = this.checkVapid(String(req.headers.authorization ?? ''));
        if (typeof jwt === 'string') return fail(401, jwt);
        if (req.headers['content-encoding'] !== 'aes128gcm') return fail(400, 'content-encoding must be aes128gcm');
        let payload: string;
        try {
          payload = decrypt(Buffer.concat(chunks), browser.ecdh, browser.auth);
        } catch (e) {
          return fail(400, `cannot decrypt: ${(e as Error).message}`);
        }
        if (this.gone.has(path.slice('/push/'.length))) {
          res.writeHead(410).end('push subscription has unsubscribed or expired.');
          return;
        }
        this.received.push({ endpoint: path, payload, ttl: req.headers.ttl as string | undefined, jwt });
        res.writeHead(201, { location: `${path}/msg/${this.received.length}` }).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
  }

  private checkVapid(h: string): Record<string, unknown> | string {
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(h);
    if (!m) return 'Authorization must be "vapid t=<jwt>, k=<key>"';
    const [t, k] = [m[1], m[2]];
    if (this.expectedVapidKey && k !== this.expectedVapidKey) return 'k is not the application server key of the subscription';
    const [h64, p64, s64] = t.split('.');
    if (!s64) return 'malformed JWT';
    const header = JSON.parse(Buffer.from(h64, 'base64url').toString());
    if (header.alg !== 'ES256') return 'JWT alg must be ES256';
    const raw = Buffer.from(k, 'base64url');
    if (raw.length !== 65 || raw[0] !== 4) return 'k must be an uncompressed P-256 point';
    const pub = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) }, format: 'jwk' });
    const ok = crypto.verify('sha256', Buffer.from(`${h64}.${p64}`), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(s64, 'base64url'));
    if (!ok) return 'JWT signature does not verify';
    const claims = JSON.parse(Buffer.from(p64, 'base64url').toString());
    if (claims.aud !== this.origin) return `aud must be ${this.origin}`;
    const now = Math.floor(Date.now() / 1000);
    if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) return 'exp must be within 24 hours';
    if (!/^(mailto:|https:)/.test(String(claims.sub))) return 'sub must be mailto: or https:';
    return claims;
  }

  async close() {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

/** RFC 8291 (Web Push message encryption) over RFC 8188 aes128gcm, one record. */
function decrypt(body: Buffer, ua: crypto.ECDH, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error('keyid must be the 65-byte sender key');
  if (ciphertext.length > rs) throw new Error('more than one record');
  const secret = ua.computeSecret(asPublic);
  const prkKey = hmac(auth, secret);
  const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const d = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('last record must end with the 0x02 delimiter');
  return plain.subarray(0, end).toString('utf8');
}

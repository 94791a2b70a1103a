/**
 * One Access-Request with node-radius-client (the design card's client), for a "test this login" button.
 *
 * Its quirks (network spec §4.4): the secret goes per call, an Access-Reject is thrown (with `.response`), only its own
 * timeout is retried. Message-Authenticator is not added: FreeRADIUS 3.2.1 does not put one in its reply and the
 * `radius` package would then call the reply invalid. Vendor attributes are decoded with our MikroTik dictionary, and
 * Delegated-IPv6-Prefix-Pool (RFC 6911, not in the radius package's set) is added here.
 */
import Client from 'node-radius-client';
import { ensureDictionaries } from './dictionary';

const RFC6911 = `
ATTRIBUTE Delegated-IPv6-Prefix-Pool 171 string
ATTRIBUTE Stateful-IPv6-Address-Pool 172 string
`;

let loaded = false;
function dictionaries() {
  const radius = ensureDictionaries();
  if (!loaded) {
    radius._load_dictionary(RFC6911);
    loaded = true;
  }
}

export interface AccessResult {
  code: 'Access-Accept' | 'Access-Reject' | string;
  attributes: Record<string, string | string[]>;
  rttMs: number;
}

export class RadiusTimeout extends Error {}
export class RadiusBadReply extends Error {}

function flatten(attrs: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const put = (k: string, v: unknown) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) out[k] = v.map((x) => (Buffer.isBuffer(x) ? x.toString('hex') : String(x)));
    else if (Buffer.isBuffer(v)) out[k] = v.toString('hex');
    else out[k] = String(v);
  };
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'Vendor-Specific' && v && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [vk, vv] of Object.entries(v as Record<string, unknown>)) put(vk, vv);
    } else if (k !== 'Message-Authenticator' && k !== 'Proxy-State') put(k, v);
  }
  return out;
}

export async function accessRequest(opts: {
  host: string;
  port: number;
  secret: string;
  timeoutMs: number;
  username: string;
  password: string;
  nasIdentifier?: string;
}): Promise<AccessResult> {
  dictionaries();
  // The client turns retries: 0 into 3 (`retries || 3`), so one retry is the least; the budget is split between the two.
  const client = new Client({ host: opts.host, hostPort: opts.port, timeout: Math.max(100, Math.ceil(opts.timeoutMs / 2)), retries: 1 });
  const started = process.hrtime.bigint();
  const rtt = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const attributes: [string, string][] = [
    ['User-Name', opts.username],
    ['User-Password', opts.password],
    ['NAS-Identifier', opts.nasIdentifier ?? 'ispgate-radius-test'],
    ['Service-Type', 'Framed-User'],
    ['Framed-Protocol', 'PPP'],
  ];
  try {
    const r = await client.accessRequest({ secret: opts.secret, attributes });
    return { code: r.code, attributes: flatten(r.attributes), rttMs: rtt() };
  } catch (e) {
    const msg = (e as Error)?.message ?? '';
    if (/Timed out/.test(msg)) throw new RadiusTimeout(msg);
    // A reply whose authenticator does not verify (a wrong shared secret, or a forged packet) is never believed.
    if (/Invalid RADIUS response/.test(msg)) throw new RadiusBadReply(msg);
    const response = (e as { response?: { code: string; attributes: Record<string, unknown> } }).response;
    if (response?.code === 'Access-Reject') return { code: response.code, attributes: flatten(response.attributes ?? {}), rttMs: rtt() };
    throw e;
  }
}

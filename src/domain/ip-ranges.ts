/**
 * Address arithmetic for pools: IPv4 ranges and CIDRs as inclusive [start, end] integer intervals, IPv6 prefixes as
 * BigInt intervals. No IO; the network settings and IPAM services build on it.
 */
import { isIPv6 } from 'node:net';
import { ipv4ToInt, normalizeIpv4 } from './net';

export interface V4Range {
  start: number;
  end: number;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `10.0.0.0/24` → its interval; null if malformed or the address is not the network address. */
export function parseCidr4(s: string): (V4Range & { prefix: number; cidr: string }) | null {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) return null;
  const ip = normalizeIpv4(m[1]);
  const prefix = Number(m[2]);
  if (!ip || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const start = ipv4ToInt(ip);
  if (start % size !== 0) return null;
  return { start, end: start + size - 1, prefix, cidr: `${ip}/${prefix}` };
}

/**
 * The `ranges` of a pool as an operator types them and RouterOS takes them in `/ip/pool ranges=`:
 * `a.b.c.d-a.b.c.e` pieces, comma-separated, or a single address, or one CIDR.
 * Returns the canonical RouterOS string and the intervals, or an error text.
 */
export function parseV4Ranges(input: string): { canonical: string; ranges: V4Range[] } | { error: string } {
  const pieces = input.split(',').map((p) => p.trim()).filter(Boolean);
  if (pieces.length === 0) return { error: 'no range given' };
  if (pieces.length > 64) return { error: 'at most 64 ranges in one pool' };
  const ranges: V4Range[] = [];
  const canon: string[] = [];
  for (const p of pieces) {
    if (p.includes('/')) {
      const c = parseCidr4(p);
      if (!c) return { error: `"${p}" is not a CIDR like 10.0.0.0/24 (the address must be the network address)` };
      ranges.push({ start: c.start, end: c.end });
      canon.push(c.cidr);
      continue;
    }
    const [a, b, extra] = p.split('-');
    if (extra !== undefined) return { error: `"${p}" is not a range like 10.0.0.10-10.0.0.200` };
    const s = normalizeIpv4(a ?? '');
    const e = b === undefined ? s : normalizeIpv4(b);
    if (!s || !e) return { error: `"${p}" is not a range like 10.0.0.10-10.0.0.200` };
    const start = ipv4ToInt(s);
    const end = ipv4ToInt(e);
    if (end < start) return { error: `"${p}" ends before it starts` };
    ranges.push({ start, end });
    canon.push(start === end ? s : `${s}-${e}`);
  }
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (overlaps(ranges[i], ranges[j])) return { error: `"${canon[i]}" and "${canon[j]}" overlap` };
    }
  }
  return { canonical: canon.join(','), ranges };
}

export function overlaps(a: V4Range, b: V4Range): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function contains(ranges: V4Range[], n: number): boolean {
  return ranges.some((r) => r.start <= n && n <= r.end);
}

export function rangeSize(ranges: V4Range[]): number {
  return ranges.reduce((acc, r) => acc + (r.end - r.start + 1), 0);
}

export interface V6Prefix {
  start: bigint;
  end: bigint;
  length: number;
  prefix: string;
}

function ipv6ToBigInt(ip: string): bigint {
  let [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? Array(8 - h.length - t.length).fill('0') : [];
  const groups = [...h, ...fill, ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function bigIntToIpv6(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Longest run of zero groups becomes '::', as RouterOS prints prefixes.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best === -1) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** `2001:db8:100::/40` → its interval; null if malformed, an embedded IPv4 form, or host bits are set. */
export function parsePrefix6(s: string): V6Prefix | null {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m || !isIPv6(m[1])) return null;
  const length = Number(m[2]);
  if (length > 128) return null;
  const start = ipv6ToBigInt(m[1].toLowerCase());
  const hostBits = BigInt(128 - length);
  const mask = (1n << hostBits) - 1n;
  if ((start & mask) !== 0n) return null;
  return { start, end: start | mask, length, prefix: `${bigIntToIpv6(start)}/${length}` };
}

export function overlaps6(a: V6Prefix, b: V6Prefix): boolean {
  return a.start <= b.end && b.start <= a.end;
}

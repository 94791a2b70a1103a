/**
 * MAC and IPv4 rules for what an operator may assign to a subscriber.
 */

/**
 * Accepts the spellings people paste (aa:bb:.., AA-BB-.., aabb.ccdd.eeff, aabbccddeeff) and returns the colon
 * form in capitals, which is how RouterOS prints caller-id and lease MACs, so comparisons are plain string
 * equality. Multicast, broadcast and all-zero addresses are refused: no subscriber device has them.
 */
export function normalizeMac(input: string): string | null {
  const s = input.trim();
  let hex: string;
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(s)) hex = s.replace(/[:-]/g, '');
  else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(s)) hex = s.replace(/\./g, '');
  else if (/^[0-9a-f]{12}$/i.test(s)) hex = s;
  else return null;
  hex = hex.toUpperCase();
  if (hex === '000000000000') return null;
  if (parseInt(hex.slice(0, 2), 16) & 1) return null; // group bit: multicast and broadcast
  return hex.match(/../g)!.join(':');
}

/**
 * Strict dotted quad. Leading zeros are refused because some stacks read '010' as octal 8, so the router and
 * the database would disagree about which address it is.
 */
export function normalizeIpv4(input: string): string | null {
  const parts = input.trim().split('.');
  if (parts.length !== 4) return null;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null;
  }
  return parts.map(Number).join('.');
}

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

/**
 * An address that can be a subscriber's own: not "this network" (0/8), loopback, link-local, multicast,
 * reserved (240/4) or the limited broadcast.
 */
export function isAssignableIpv4(ip: string): boolean {
  const n = normalizeIpv4(ip);
  if (!n) return false;
  const [a, b] = n.split('.').map(Number);
  if (a === 0 || a === 127 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  return true;
}

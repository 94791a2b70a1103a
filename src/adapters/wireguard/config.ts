/** The client's `wg-quick` configuration file (also what the official apps import, as text or QR code). */
export interface ClientConfig {
  privateKey: string;
  address: string;
  dns: string[];
  serverPublicKey: string;
  presharedKey: string | null;
  endpoint: string;
  allowedIps: string;
  keepalive: number | null;
}

export function renderClientConfig(c: ClientConfig): string {
  const lines = ['[Interface]', `PrivateKey = ${c.privateKey}`, `Address = ${c.address}`];
  if (c.dns.length > 0) lines.push(`DNS = ${c.dns.join(', ')}`);
  lines.push('', '[Peer]', `PublicKey = ${c.serverPublicKey}`);
  if (c.presharedKey) lines.push(`PresharedKey = ${c.presharedKey}`);
  lines.push(`Endpoint = ${c.endpoint}`, `AllowedIPs = ${c.allowedIps}`);
  if (c.keepalive) lines.push(`PersistentKeepalive = ${c.keepalive}`);
  return `${lines.join('\n')}\n`;
}

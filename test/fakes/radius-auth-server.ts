/**
 * A RADIUS authentication server on loopback that answers Access-Request as FreeRADIUS does for ispgate's rows:
 * the User-Password is decrypted with the server's own shared secret (a client with another secret decrypts to
 * garbage and is rejected; its reply authenticator does not verify either), Accept carries the user's reply
 * attributes, Reject carries none. 'silent' never answers.
 */
import dgram from 'node:dgram';
import { ensureDictionaries, MIKROTIK_VENDOR_ID } from '../../src/adapters/radius/dictionary';

export interface FakeRadiusUser {
  password: string;
  rateLimit?: string;
  framedIp?: string;
  framedPool?: string;
}

export class FakeRadiusServer {
  readonly users = new Map<string, FakeRadiusUser>();
  readonly received: Record<string, unknown>[] = [];
  silent = false;
  port = 0;
  private sock = dgram.createSocket('udp4');

  constructor(readonly secret: string) {}

  listen(): Promise<number> {
    const radius = ensureDictionaries();
    this.sock.on('message', (msg, rinfo) => {
      if (this.silent) return;
      let packet: { code: string; attributes: Record<string, unknown> };
      try {
        packet = radius.decode({ packet: msg, secret: this.secret }) as typeof packet;
      } catch {
        return;
      }
      if (packet.code !== 'Access-Request') return;
      this.received.push(packet.attributes);
      const user = this.users.get(String(packet.attributes['User-Name']));
      const ok = user !== undefined && packet.attributes['User-Password'] === user.password;
      const attributes: unknown[] = [];
      if (ok && user.framedIp) attributes.push(['Framed-IP-Address', user.framedIp]);
      if (ok && user.framedPool) attributes.push(['Framed-Pool', user.framedPool]);
      if (ok && user.rateLimit) attributes.push(['Vendor-Specific', MIKROTIK_VENDOR_ID, [['Mikrotik-Rate-Limit', user.rateLimit]]]);
      const reply = radius.encode_response({ packet: packet as never, code: ok ? 'Access-Accept' : 'Access-Reject', secret: this.secret, attributes: attributes as never });
      this.sock.send(reply, rinfo.port, rinfo.address);
    });
    return new Promise((resolve) => {
      this.sock.bind(0, '127.0.0.1', () => {
        this.port = this.sock.address().port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}

/**
 * A MikroTik-like NAS listening for RFC 5176 Disconnect/CoA on loopback. Like a real NAS it verifies the
 * Request Authenticator with its shared secret and silently drops anything that fails, so a wrong secret is
 * seen by the sender as no answer.
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { ensureDictionaries } from '../../src/adapters/radius/dictionary';

export type NasBehaviour = 'sessions' | 'ack' | 'nak' | 'silent';

export interface ReceivedRequest {
  code: string;
  identifier: number;
  attributes: Record<string, any>;
}

export interface FakeNasSession {
  userName: string;
  acctSessionId?: string;
  framedIp?: string;
  rateLimit?: string;
}

export class FakeNas {
  readonly received: ReceivedRequest[] = [];
  /** Packets that failed the authenticator check (wrong secret or tampered). */
  dropped = 0;
  behaviour: NasBehaviour;
  errorCause: string = 'Session-Context-Not-Found';
  /** Live sessions, when behaviour is 'sessions': known → ACK, unknown → NAK 503. */
  readonly sessions: FakeNasSession[] = [];
  port = 0;
  private sock = dgram.createSocket('udp4');

  constructor(readonly secret: string, behaviour: NasBehaviour = 'sessions') {
    this.behaviour = behaviour;
  }

  listen(port = 0): Promise<number> {
    const radius = ensureDictionaries();
    this.sock.on('message', (msg, rinfo) => {
      // RFC 5176 §3: Request Authenticator = MD5(Code | Identifier | Length | 16 zero octets | Attributes | Secret).
      // Checked here by hand, independently of the radius package the gateway encodes with.
      if (msg.length < 20 || !requestAuthenticatorOk(msg, this.secret)) {
        this.dropped += 1;
        return;
      }
      let req;
      try {
        req = radius.decode({ packet: msg, secret: this.secret });
      } catch {
        this.dropped += 1;
        return;
      }
      if (req.code !== 'Disconnect-Request' && req.code !== 'CoA-Request') return;
      this.received.push({ code: req.code, identifier: req.identifier, attributes: req.attributes });
      if (this.behaviour === 'silent') return;
      const isDm = req.code === 'Disconnect-Request';
      const a = req.attributes;
      let session: FakeNasSession | undefined;
      let ok: boolean;
      if (this.behaviour === 'sessions') {
        session = this.sessions.find(
          (s) =>
            s.userName === a['User-Name'] &&
            (!a['Acct-Session-Id'] || s.acctSessionId === a['Acct-Session-Id']) &&
            (!a['Framed-IP-Address'] || s.framedIp === a['Framed-IP-Address']),
        );
        ok = session !== undefined;
      } else ok = this.behaviour === 'ack';
      if (ok && session) {
        if (isDm) this.sessions.splice(this.sessions.indexOf(session), 1);
        else {
          const rl = a['Vendor-Specific']?.['Mikrotik-Rate-Limit'];
          if (rl) session.rateLimit = rl;
        }
      }
      const code = ok ? (isDm ? 'Disconnect-ACK' : 'CoA-ACK') : isDm ? 'Disconnect-NAK' : 'CoA-NAK';
      const attributes: [string, ...unknown[]][] = ok ? [] : [['Error-Cause', this.errorCause]];
      this.sock.send(radius.encode_response({ packet: req, code, secret: this.secret, attributes }), rinfo.port, rinfo.address);
    });
    return new Promise((resolve) =>
      this.sock.bind(port, '127.0.0.1', () => {
        this.port = this.sock.address().port;
        resolve(this.port);
      }),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}

export function requestAuthenticatorOk(packet: Buffer, secret: string): boolean {
  const zeroed = Buffer.from(packet);
  zeroed.fill(0, 4, 20);
  const expected = crypto.createHash('md5').update(Buffer.concat([zeroed, Buffer.from(secret, 'utf8')])).digest();
  return crypto.timingSafeEqual(expected, packet.subarray(4, 20));
}

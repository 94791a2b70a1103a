import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server (smtp-server) on loopback that offers STARTTLS with the given certificate, refuses to
 * authenticate or take mail before TLS, checks the credentials, and parses every accepted message (mailparser).
 */
export class SmtpReceiver {
  readonly mails: Array<ParsedMail & { envelopeTo: string[]; raw: string }> = [];
  connections = 0;
  private server: SMTPServer;

  constructor(opts: { cert: string; key: string; user: string; pass: string }) {
    this.server = new SMTPServer({
      secure: false,
      key: opts.key,
      cert: opts.cert,
      authMethods: ['PLAIN', 'LOGIN'],
      // Like a submission server on 587: no AUTH and no MAIL FROM over plain text.
      allowInsecureAuth: false,
      logger: false,
      onConnect: (_s, cb) => {
        this.connections++;
        cb();
      },
      onAuth: (auth, session, cb) => {
        if (!session.secure) return cb(new Error('Must issue a STARTTLS command first'));
        if (auth.username !== opts.user || auth.password !== opts.pass) return cb(new Error('Invalid username or password'));
        cb(null, { user: auth.username });
      },
      onMailFrom: (_a, session, cb) => {
        if (!session.secure) return cb(Object.assign(new Error('Must issue a STARTTLS command first'), { responseCode: 530 }));
        if (!session.user) return cb(Object.assign(new Error('Authentication required'), { responseCode: 530 }));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = await simpleParser(raw);
            this.mails.push(Object.assign(parsed, { envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw }));
            cb();
          } catch (e) {
            cb(e as Error);
          }
        });
      },
    });
  }

  get port() {
    return (this.server.server.address() as AddressInfo).port;
  }

  async listen() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
  }

  async close() {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

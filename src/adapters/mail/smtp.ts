/**
 * Outgoing e-mail over SMTP with nodemailer. One pooled transport per tenant and settings version, so a bulk
 * announcement reuses a few connections (SMTP servers throttle or ban a sender that opens one per message).
 */
import type { Transporter } from 'nodemailer';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: 'tls' | 'starttls' | 'none';
  user: string | null;
  password: string | null;
  from: string;
  /** For a relay on the LAN with its own certificate; off by default. */
  allowSelfSigned: boolean;
  maxConnections: number;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string; cid?: string }>;
}

export type MailOutcome = { kind: 'sent'; raw: string } | { kind: 'retry'; raw: string } | { kind: 'rejected'; raw: string };

const pools = new Map<string, Transporter>();

async function transportFor(key: string, s: SmtpSettings): Promise<Transporter> {
  let t = pools.get(key);
  if (t) return t;
  const { default: nodemailer } = await import('nodemailer'); // loaded when the first mail is sent
  t = pools.get(key);
  if (t) return t;
  t = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure === 'tls',
    requireTLS: s.secure === 'starttls',
    ignoreTLS: s.secure === 'none',
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    pool: true,
    maxConnections: s.maxConnections,
    maxMessages: 100,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    tls: s.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
  });
  pools.set(key, t);
  return t;
}

/** Closes the pools of a tenant whose settings changed (the key holds a settings hash). */
export function closeMailPools(prefix?: string) {
  for (const [k, t] of pools) {
    if (prefix === undefined || k.startsWith(prefix)) {
      t.close();
      pools.delete(k);
    }
  }
}

export async function sendMail(poolKey: string, s: SmtpSettings, m: MailMessage): Promise<MailOutcome> {
  const t = await transportFor(poolKey, s);
  try {
    const info = await t.sendMail({ from: s.from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers, attachments: m.attachments });
    return { kind: 'sent', raw: String(info.response ?? 'accepted').slice(0, 300) };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string; code?: string; message?: string };
    const raw = `${err.responseCode ?? err.code ?? ''} ${(err.response ?? err.message ?? '').slice(0, 300)}`.trim();
    // 5xx is the server's final word about this message or recipient; 4xx and connection trouble are worth a retry.
    if (err.responseCode && err.responseCode >= 500 && err.code !== 'EAUTH') return { kind: 'rejected', raw };
    if (err.code === 'EAUTH') return { kind: 'rejected', raw };
    return { kind: 'retry', raw };
  }
}

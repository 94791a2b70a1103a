/**
 * Channel settings (settings rows under "notifications."). The bot token and the SMTP password are sealed with the
 * app key and never returned; the VAPID key pair is made on first use and its private half sealed too.
 */
import crypto from 'node:crypto';
import { getSettings, putSettings } from '../core/settings';
import type { ServiceContext } from '../context';
import { AppError } from '../../errors';
import { TELEGRAM_DEFAULT_BASE_URL } from '../../adapters/telegram/bot-api';
import type { SmtpSettings } from '../../adapters/mail/smtp';

const PREFIX = 'notifications';

export interface SaveInput {
  telegram_bot_token?: string | null;
  telegram_base_url?: string | null;
  smtp_host?: string | null;
  smtp_port?: number;
  smtp_secure?: 'tls' | 'starttls' | 'none';
  smtp_user?: string | null;
  smtp_password?: string | null;
  smtp_from?: string | null;
  smtp_allow_self_signed?: boolean;
  vapid_subject?: string | null;
  /** Payment and overdue reminders (the reminder job); off until turned on. */
  invoice_reminders?: boolean;
  /** Days before an invoice's due date on which the payment_reminder goes out ([] for none). */
  reminder_days_before_due?: number[];
  /** Days after the due date on which the overdue_reminder goes out. */
  overdue_reminder_days?: number[];
  /** Days before billing's suspension (due date + grace days + 1) on which the suspension_warning goes out. */
  suspension_warning_days?: number[];
}

/** The reminder days when the operator has not chosen any. */
export const REMINDER_DEFAULTS = { reminder_days_before_due: [3], overdue_reminder_days: [1], suspension_warning_days: [2] } as const;

export interface ReminderSettings {
  enabled: boolean;
  beforeDue: number[];
  overdue: number[];
  suspensionWarning: number[];
}

const dayList = (v: unknown, def: readonly number[]): number[] =>
  Array.isArray(v) ? [...new Set(v.map(Number).filter((n) => Number.isInteger(n) && n >= 0))].sort((a, b) => b - a) : [...def];

export function reminderSettings(s: Record<string, unknown>): ReminderSettings {
  return {
    enabled: Boolean(s.invoice_reminders),
    beforeDue: dayList(s.reminder_days_before_due, REMINDER_DEFAULTS.reminder_days_before_due),
    overdue: dayList(s.overdue_reminder_days, REMINDER_DEFAULTS.overdue_reminder_days),
    suspensionWarning: dayList(s.suspension_warning_days, REMINDER_DEFAULTS.suspension_warning_days),
  };
}

type Ctx = Pick<ServiceContext, 'db' | 'secrets'>;

export async function saveNotificationSettings(ctx: Ctx, input: SaveInput) {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (k === 'telegram_bot_token') values.telegram_bot_token_enc = v === null ? null : ctx.secrets.encrypt(v as string);
    else if (k === 'smtp_password') values.smtp_password_enc = v === null ? null : ctx.secrets.encrypt(v as string);
    else values[k] = v;
  }
  await putSettings(ctx.db, PREFIX, values);
  return publicNotificationSettings(ctx);
}

export async function publicNotificationSettings(ctx: Ctx) {
  const s = await getSettings(ctx.db, PREFIX);
  return {
    telegram_bot_token_set: Boolean(s.telegram_bot_token_enc),
    telegram_base_url: (s.telegram_base_url as string) ?? TELEGRAM_DEFAULT_BASE_URL,
    smtp_host: (s.smtp_host as string) ?? null,
    smtp_port: (s.smtp_port as number) ?? 587,
    smtp_secure: (s.smtp_secure as string) ?? 'starttls',
    smtp_user: (s.smtp_user as string) ?? null,
    smtp_password_set: Boolean(s.smtp_password_enc),
    smtp_from: (s.smtp_from as string) ?? null,
    smtp_allow_self_signed: Boolean(s.smtp_allow_self_signed),
    vapid_subject: (s.vapid_subject as string) ?? null,
    vapid_public_key: (s.vapid_public_key as string) ?? null,
    ...(() => {
      const r = reminderSettings(s);
      return { invoice_reminders: r.enabled, reminder_days_before_due: r.beforeDue, overdue_reminder_days: r.overdue, suspension_warning_days: r.suspensionWarning };
    })(),
    channels: {
      telegram: Boolean(s.telegram_bot_token_enc),
      email: Boolean(s.smtp_host && s.smtp_from),
      push: Boolean(s.vapid_subject),
    },
  };
}

export interface ChannelConfig {
  telegram: { token: string; baseUrl: string } | null;
  smtp: (SmtpSettings & { poolKey: string }) | null;
  push: { subject: string; publicKey: string; privateKey: string } | null;
}

/** The decrypted settings a delivery needs; VAPID keys are generated here the first time push is used. */
export async function channelConfig(ctx: Ctx & { tenant: { slug: string } }): Promise<ChannelConfig> {
  const s = await getSettings(ctx.db, PREFIX);
  const telegram = s.telegram_bot_token_enc
    ? { token: ctx.secrets.decrypt(s.telegram_bot_token_enc as string), baseUrl: (s.telegram_base_url as string) || TELEGRAM_DEFAULT_BASE_URL }
    : null;
  let smtp: ChannelConfig['smtp'] = null;
  if (s.smtp_host && s.smtp_from) {
    const base: SmtpSettings = {
      host: s.smtp_host as string,
      port: Number(s.smtp_port ?? 587),
      secure: ((s.smtp_secure as string) ?? 'starttls') as SmtpSettings['secure'],
      user: (s.smtp_user as string) ?? null,
      password: s.smtp_password_enc ? ctx.secrets.decrypt(s.smtp_password_enc as string) : null,
      from: s.smtp_from as string,
      allowSelfSigned: Boolean(s.smtp_allow_self_signed),
      maxConnections: 3,
    };
    const hash = crypto.createHash('sha256').update(JSON.stringify(base)).digest('hex').slice(0, 16);
    smtp = { ...base, poolKey: `${ctx.tenant.slug}:${hash}` };
  }
  let push: ChannelConfig['push'] = null;
  if (s.vapid_subject) {
    let pub = s.vapid_public_key as string | undefined;
    let privEnc = s.vapid_private_key_enc as string | undefined;
    if (!pub || !privEnc) {
      const { default: webpush } = await import('web-push');
      const keys = webpush.generateVAPIDKeys();
      pub = keys.publicKey;
      privEnc = ctx.secrets.encrypt(keys.privateKey);
      await putSettings(ctx.db, PREFIX, { vapid_public_key: pub, vapid_private_key_enc: privEnc });
    }
    push = { subject: s.vapid_subject as string, publicKey: pub, privateKey: ctx.secrets.decrypt(privEnc) };
  }
  return { telegram, smtp, push };
}

export function requireChannel(cfg: ChannelConfig, channel: 'telegram' | 'email' | 'push') {
  const ok = channel === 'telegram' ? cfg.telegram : channel === 'email' ? cfg.smtp : cfg.push;
  if (!ok)
    throw new AppError(
      `${channel}_not_configured`,
      channel === 'telegram'
        ? 'Telegram is not configured: save_notification_settings with telegram_bot_token first.'
        : channel === 'email'
          ? 'E-mail is not configured: save_notification_settings with smtp_host and smtp_from first.'
          : 'Web Push is not configured: save_notification_settings with vapid_subject (mailto: or https:) first.',
      409,
    );
}

/** Company name and logo for e-mails, from the general settings. */
export async function branding(ctx: Pick<ServiceContext, 'db'>) {
  const g = await getSettings(ctx.db, 'general');
  return { name: (g.company_name as string) || 'ispgate', logoUrl: (g.logo_url as string) || null, language: ((g.language as string) === 'en' ? 'en' : 'el') as 'el' | 'en' };
}

import crypto from 'node:crypto';
import { z } from 'zod';
import { nowUtc } from '../../db/knex';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { blank, clearableText, optionalBool, optionalId, optionalText, page, perPage, stringList } from '../../gateway/fields';
import { TelegramBot, escapeHtml } from '../../adapters/telegram/bot-api';
import { sendMail } from '../../adapters/mail/smtp';
import { channelConfig, publicNotificationSettings, requireChannel, saveNotificationSettings } from '../../services/notifications/settings';
import { listNotifications, sendNotification, CHANNELS } from '../../services/notifications/send';
import { LANGUAGES, listTemplates, saveTemplate } from '../../services/notifications/templates';
import type { Target } from '../../services/notifications/recipients';
import { invoicePdfAction } from './invoice-pdf';
import { telegramChatId } from './fields';

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);
/** Days as "7,3", ["7","3"] or "" (none): whole numbers in [min, max], at most 10 of them. */
const dayList = (min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? undefined : v === '' ? [] : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : typeof v === 'number' ? [v] : v),
    z.array(z.preprocess((x) => (typeof x === 'string' && /^\d{1,4}$/.test(x.trim()) ? Number(x) : x), z.number().int().min(min).max(max))).max(10).optional(),
  );
const httpUrl = z.string().trim().url().max(255).refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL');

export const saveNotificationSettingsAction = defineAction({
  name: 'save_notification_settings',
  section: 'notifications',
  summary: 'Configure Telegram, SMTP e-mail and Web Push (secrets sealed, never returned), and the automatic invoice reminders (invoice_reminders, reminder_days_before_due, overdue_reminder_days, suspension_warning_days); test=1 with test_to sends a test message',
  input: z.object({
    telegram_bot_token: z.preprocess((v) => (v === '' ? null : v), z.string().trim().regex(/^\d+:[A-Za-z0-9_-]{20,100}$/, 'looks like 123456:ABC-DEF…').nullable().optional()),
    telegram_base_url: z.preprocess((v) => (v === '' ? null : v), httpUrl.nullable().optional()),
    smtp_host: clearableText(191),
    smtp_port: z.preprocess(blank, z.coerce.number().int().min(1).max(65535).optional()),
    smtp_secure: z.preprocess((v) => lower(blank(v)), z.enum(['tls', 'starttls', 'none']).optional()),
    smtp_user: clearableText(191),
    smtp_password: z.preprocess((v) => (v === '' ? null : v), z.string().max(255).nullable().optional()),
    smtp_from: z.preprocess((v) => (v === '' ? null : v), z.string().trim().max(191).refine((s) => /^[^<>@\s]+@[^<>@\s]+$|^.{0,120}<[^<>@\s]+@[^<>@\s]+>$/.test(s), 'an address, or Name <address>').nullable().optional()),
    smtp_allow_self_signed: optionalBool,
    vapid_subject: z.preprocess((v) => (v === '' ? null : v), z.string().trim().max(191).refine((s) => /^(mailto:|https:\/\/)/.test(s), 'must start with mailto: or https://').nullable().optional()),
    /** Automatic payment / overdue / suspension reminders, sent by the reminder job on the days below. */
    invoice_reminders: optionalBool,
    reminder_days_before_due: dayList(0, 60),
    overdue_reminder_days: dayList(1, 365),
    suspension_warning_days: dayList(1, 60),
    test: optionalBool,
    test_channel: z.preprocess((v) => lower(blank(v)), z.enum(['telegram', 'email']).optional()),
    /** A Telegram chat id or an e-mail address for the test message. */
    test_to: optionalText(191),
  }),
  permission: 'notifications.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const { test, test_channel, test_to, ...values } = input;
    const saved = await saveNotificationSettings(ctx, values);
    if (!test) return saved;
    if (!test_to) throw new AppError('missing_test_to', 'test=1 needs test_to: a Telegram chat id or an e-mail address.', 422, { details: { test_to: 'required' } });
    const channel = test_channel ?? (test_to.includes('@') ? 'email' : 'telegram');
    const cfg = await channelConfig(ctx);
    requireChannel(cfg, channel);
    const outcome =
      channel === 'telegram'
        ? await new TelegramBot(cfg.telegram!.token, cfg.telegram!.baseUrl).sendMessage(test_to, `<b>${escapeHtml('ispgate')}</b>\n${escapeHtml('This is a test message from ispgate.')}`)
        : await sendMail(cfg.smtp!.poolKey, cfg.smtp!, { to: test_to, subject: 'ispgate test message', text: 'This is a test message from ispgate.', html: '<p>This is a test message from ispgate.</p>' });
    return { ...saved, test: { channel, sent: outcome.kind === 'sent', response: outcome.raw } };
  },
});

export const getNotificationSettingsAction = defineAction({
  name: 'get_notification_settings',
  section: 'notifications',
  summary: 'Notification channel settings (never the token or password)',
  input: z.object({}).passthrough(),
  permission: 'notifications.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => publicNotificationSettings(ctx),
});

export const setNotificationContact = defineAction({
  name: 'set_notification_contact',
  section: 'notifications',
  summary: "Set a subscriber's (username) or admin's (admin) Telegram chat id and preferred channels for channel=all",
  input: z.object({
    username: optionalText(64),
    admin: optionalText(64),
    telegram_chat_id: telegramChatId,
    channels: z.preprocess((v) => (v === '' ? null : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v), z.array(z.enum(CHANNELS)).max(3).nullable().optional()),
  }),
  permission: 'notifications.write',
  rateClass: 'standard',
  async run(ctx, input) {
    if (!input.username === !input.admin) throw new AppError('missing_username', 'Name a subscriber (username) or an admin (admin).', 422, { details: { username: 'username or admin' } });
    const table = input.username ? 'customers' : 'admins';
    const q = input.username ? ctx.db(table).where({ username: input.username }) : /^\d+$/.test(input.admin!) ? ctx.db(table).where({ id: Number(input.admin) }) : ctx.db(table).where({ username: input.admin });
    const row = await q.clone().first('id', 'username');
    if (!row) throw input.username ? new AppError('customer_not_found', `No subscriber "${input.username}".`, 404) : new AppError('admin_not_found', `No admin "${input.admin}".`, 404);
    const patch: Record<string, unknown> = {};
    if (input.telegram_chat_id !== undefined) Object.assign(patch, { telegram_chat_id: input.telegram_chat_id, telegram_blocked_at: null });
    if (input.channels !== undefined) patch.notify_channels = input.channels ? [...new Set(input.channels)].join(',') : null;
    if (Object.keys(patch).length) await ctx.db(table).where({ id: row.id }).update(patch);
    const after = await ctx.db(table).where({ id: row.id }).first('id', 'username', 'telegram_chat_id', 'telegram_blocked_at', 'notify_channels');
    return {
      type: input.username ? 'customer' : 'admin',
      id: after.id,
      username: after.username,
      telegram_chat_id: after.telegram_chat_id ?? null,
      telegram_reachable: !after.telegram_blocked_at,
      channels: after.notify_channels ? String(after.notify_channels).split(',') : null,
    };
  },
});

export const sendNotificationAction = defineAction({
  name: 'send_notification',
  section: 'notifications',
  summary: 'Send notification via configured channels (Telegram, Email, Push) to a subscriber, an admin, a list or a segment; delivery is a job',
  input: z.object({
    username: optionalText(64),
    admin: optionalText(64),
    usernames: z.preprocess(blank, stringList.optional()),
    segment: z.preprocess((v) => lower(blank(v)), z.enum(['all', 'plan', 'router', 'status', 'overdue']).optional()),
    value: optionalText(100),
    channel: z.preprocess((v) => lower(blank(v)), z.enum(['telegram', 'email', 'push', 'all']).default('all')),
    template: optionalText(64),
    language: z.preprocess((v) => lower(blank(v)), z.enum(LANGUAGES).optional()),
    variables: z.preprocess(blank, z.record(z.string().trim().regex(/^[a-z0-9_]{1,64}$/i), z.union([z.string().max(2000), z.number()]).transform(String)).refine((o) => Object.keys(o).length <= 50, 'at most 50 variables').optional()),
    subject: optionalText(191),
    text: z.preprocess(blank, z.string().trim().min(1).max(4000).optional()),
    invoice_id: optionalId,
  }),
  permission: 'notifications.write',
  rateClass: 'bulk',
  async run(ctx, input) {
    const given = [input.username, input.admin, input.usernames, input.segment].filter((x) => x !== undefined).length;
    if (given === 0) throw new AppError('missing_recipient', 'Name the recipients: username, admin, usernames[] or segment.', 422, { details: { username: 'required' } });
    if (given > 1) throw new AppError('invalid_recipient', 'Give only one of username, admin, usernames[] or segment.', 422, { details: { username: 'only one recipient kind' } });
    const target: Target = input.username
      ? { kind: 'customer', username: input.username }
      : input.admin
        ? { kind: 'admin', admin: input.admin }
        : input.usernames
          ? { kind: 'list', usernames: input.usernames }
          : { kind: 'segment', segment: input.segment!, value: input.value };
    return sendNotification(ctx, {
      target,
      channel: input.channel,
      template: input.template,
      language: input.language,
      variables: input.variables,
      subject: input.subject,
      text: input.text,
      invoice_id: input.invoice_id,
    });
  },
});

export const listNotificationsAction = defineAction({
  name: 'list_notifications',
  section: 'notifications',
  summary: 'Notifications, newest first, with per-recipient delivery state, attempts and the provider’s last answer (id= for one with all its deliveries)',
  input: z.object({
    page,
    per_page: perPage(100, 20),
    id: optionalId,
    status: z.preprocess((v) => lower(blank(v)), z.enum(['queued', 'sending', 'completed', 'partial', 'failed']).optional()),
  }),
  permission: 'notifications.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => listNotifications(ctx, input),
});

const templateName = z.string().trim().regex(/^[a-z][a-z0-9_]{1,63}$/, 'lower-case letters, digits and _');

export const saveNotificationTemplate = defineAction({
  name: 'save_notification_template',
  section: 'notifications',
  summary: 'Create or change a notification template (el or en); enabled=1 sends it automatically on its billing/ticket event',
  input: z.object({
    name: templateName,
    language: z.preprocess((v) => lower(blank(v)), z.enum(LANGUAGES).default('el')),
    subject: optionalText(191),
    body: z.preprocess(blank, z.string().trim().min(1).max(8000).optional()),
    attach_invoice: optionalBool,
    enabled: optionalBool,
  }),
  permission: 'notifications.write',
  rateClass: 'standard',
  run: (ctx, input) => saveTemplate(ctx.db, input),
});

export const listNotificationTemplates = defineAction({
  name: 'list_notification_templates',
  section: 'notifications',
  summary: 'Notification templates (defaults and the operator’s versions) in Greek and English',
  input: z.object({ language: z.preprocess((v) => lower(blank(v)), z.enum(LANGUAGES).optional()) }),
  permission: 'notifications.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => listTemplates(ctx.db, input.language),
});

const b64url = (min: number, max: number) => z.string().trim().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'base64url').min(min).max(max);

export const pushSubscribe = defineAction({
  name: 'push_subscribe',
  section: 'notifications',
  summary: "Store a browser's Web Push subscription (endpoint, keys[p256dh], keys[auth]) for the calling admin or a subscriber (username); answers the VAPID public key",
  input: z.object({
    endpoint: z.string().trim().url().max(2048).refine((u) => u.startsWith('https://'), 'must be an https URL'),
    keys: z.object({ p256dh: b64url(80, 100), auth: b64url(16, 32) }),
    username: optionalText(64),
  }),
  permission: 'notifications.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const cfg = await channelConfig(ctx);
    requireChannel(cfg, 'push');
    let owner: { type: 'customer' | 'admin'; id: number };
    if (input.username) {
      const c = await ctx.db('customers').where({ username: input.username }).first('id');
      if (!c) throw new AppError('customer_not_found', `No subscriber "${input.username}".`, 404);
      owner = { type: 'customer', id: c.id };
    } else {
      if (!ctx.actor.adminId) throw new AppError('missing_username', 'A key bound to no admin must name the subscriber (username).', 422, { details: { username: 'required' } });
      owner = { type: 'admin', id: ctx.actor.adminId };
    }
    const hash = crypto.createHash('sha256').update(input.endpoint).digest('hex');
    const row = { owner_type: owner.type, owner_id: owner.id, endpoint_hash: hash, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth, created_at: nowUtc() };
    await ctx.db('push_subscriptions').insert(row).onConflict('endpoint_hash').merge(['owner_type', 'owner_id', 'p256dh', 'auth']);
    const saved = await ctx.db('push_subscriptions').where({ endpoint_hash: hash }).first('id');
    return { id: saved.id, owner, vapid_public_key: cfg.push!.publicKey };
  },
});

export const notificationActions = [
  saveNotificationSettingsAction,
  getNotificationSettingsAction,
  setNotificationContact,
  sendNotificationAction,
  listNotificationsAction,
  saveNotificationTemplate,
  listNotificationTemplates,
  pushSubscribe,
  invoicePdfAction,
];


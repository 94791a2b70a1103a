/**
 * send_notification and its delivery job.
 *
 * The request writes the notification and one delivery row per recipient and channel in one transaction, then
 * enqueues the job: nothing talks to Telegram, SMTP or a push service while a transaction is open. The job claims a
 * batch of queued rows (state sending, a claim token, claimed_until) before it sends, and records each answer as it
 * comes. A restart resumes with the rows still queued; a row found "sending" after its claim ran out belonged to a
 * worker that died while the provider had the message, so it becomes "unknown" and is not sent again: nobody gets a
 * message twice, and the operator can see the handful whose fate is unknown.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { nowUtc, parseJson, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import { Page } from '../../domain/page';
import { defineTask } from '../../jobs/queue';
import { escapeHtml, TelegramBot, type TelegramOutcome } from '../../adapters/telegram/bot-api';
import { sendMail, type MailOutcome } from '../../adapters/mail/smtp';
import { sendPush, type PushOutcome } from '../../adapters/push/web-push';
import { branding, channelConfig, requireChannel, type ChannelConfig } from './settings';
import { resolveRecipients, type Recipient, type Target } from './recipients';
import { getTemplate, render, type Language } from './templates';
import { Throttle } from './throttle';
import { invoicePdf } from './invoice-pdf';

export const CHANNELS = ['telegram', 'email', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface SendInput {
  target: Target;
  channel: Channel | 'all';
  template?: string;
  language?: Language;
  variables?: Record<string, string>;
  subject?: string;
  text?: string;
  /** Extra attachment rendered per delivery (the invoice PDF of a billing template). */
  invoice_id?: number;
}

const INSERT_BATCH = 500;
const CLAIM_BATCH = 100;
/** How long a worker may hold a claimed batch before another treats its unfinished rows as unknown. */
const CLAIM_MS = 5 * 60_000;
/** A retry due sooner than this is waited for in the job; a later one is left to the scheduled tick. */
const SHORT_WAIT_MS = 3_000;

function channelsFor(r: Recipient, requested: Channel | 'all', pushOwners: Set<string>): Array<{ channel: Channel; address: string | null; skip?: string }> {
  const has = (c: Channel): { address: string | null; skip?: string } => {
    if (c === 'telegram') {
      if (!r.telegram_chat_id) return { address: null, skip: 'no telegram_chat_id' };
      if (r.telegram_blocked) return { address: r.telegram_chat_id, skip: 'telegram unreachable (the bot was blocked)' };
      return { address: r.telegram_chat_id };
    }
    if (c === 'email') return r.email ? { address: r.email } : { address: null, skip: 'no e-mail address' };
    return pushOwners.has(`${r.type}:${r.id}`) ? { address: null } : { address: null, skip: 'no push subscription' };
  };
  if (requested !== 'all') return [{ channel: requested, ...has(requested) }];
  const preferred = (r.notify_channels ?? 'telegram,email,push').split(',').map((s) => s.trim()).filter((s): s is Channel => (CHANNELS as readonly string[]).includes(s));
  const usable = preferred.map((c) => ({ channel: c, ...has(c) })).filter((x) => !x.skip);
  return usable.length ? usable : [{ channel: preferred[0] ?? 'email', address: null, skip: 'no reachable channel' }];
}

/**
 * `opts.within` runs inside the transaction that writes the notification, after its rows: a caller that must send
 * something once (an invoice reminder) records that it did in the same commit, and throwing there leaves nothing.
 */
export async function sendNotification(ctx: ServiceContext, input: SendInput, opts: { within?: (trx: Knex.Transaction, notificationId: number) => Promise<void> } = {}) {
  const cfg = await channelConfig(ctx);
  if (input.channel !== 'all') requireChannel(cfg, input.channel);
  else if (!cfg.telegram && !cfg.smtp && !cfg.push) throw new AppError('no_channel_configured', 'No notification channel is configured: save_notification_settings first.', 409);
  if (input.template) {
    const t = await getTemplate(ctx.db, input.template, input.language ?? 'el');
    if (!t) throw new AppError('template_not_found', `No template "${input.template}" (${input.language ?? 'el'}).`, 404);
  } else if (!input.text) {
    throw new AppError('missing_text', 'Give a template name, or a text (and a subject for e-mail).', 422, { details: { text: 'required' } });
  }
  const recipients = await resolveRecipients(ctx.db, input.target);
  if (!recipients.length) throw new AppError('no_recipients', 'Nobody matches these recipients.', 422);
  const owners = new Set(
    ((await ctx.db('push_subscriptions').distinct('owner_type', 'owner_id')) as Array<{ owner_type: string; owner_id: number }>).map((o) => `${o.owner_type}:${o.owner_id}`),
  );
  const configured: Record<Channel, boolean> = { telegram: !!cfg.telegram, email: !!cfg.smtp, push: !!cfg.push };
  const bulk = input.target.kind === 'segment' || (input.target.kind === 'list' && recipients.length > 1);

  const created = await ctx.db.transaction(async (trx) => {
    const now = nowUtc();
    const [nid] = await trx('notifications').insert({
      channel: input.channel,
      template: input.template ?? null,
      subject: input.subject ?? null,
      body: input.text ?? '',
      variables: JSON.stringify({ ...(input.variables ?? {}), ...(input.language ? { _language: input.language } : {}), ...(input.invoice_id ? { _invoice_id: input.invoice_id } : {}) }),
      target: JSON.stringify(input.target).slice(0, 60_000),
      bulk,
      status: 'queued',
      recipients_total: recipients.length,
      created_by: ctx.actor.username?.slice(0, 128) ?? null,
      created_at: now,
    });
    const notificationId = Number(nid);
    const rows = recipients.flatMap((r) =>
      channelsFor(r, input.channel, owners)
        .map((c) => (c.skip || configured[c.channel] ? c : { ...c, skip: `${c.channel} is not configured` }))
        .map((c) => ({
          notification_id: notificationId,
          recipient_type: r.type,
          recipient_id: r.id,
          recipient_name: r.name.slice(0, 191),
          channel: c.channel,
          address: c.address,
          state: c.skip ? 'skipped' : 'queued',
          attempts: 0,
          next_attempt_at: now,
          last_response: c.skip ?? null,
          updated_at: now,
        })),
    );
    for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx('notification_deliveries').insert(rows.slice(i, i + INSERT_BATCH));
    if (opts.within) await opts.within(trx, notificationId);
    return { notificationId, rows: rows.length };
  });
  // The answer is the state as written, read before the job exists: a worker that starts at once would otherwise
  // make it say "sending" for some rows on a fast day and "queued" on a slow one.
  const counts = await stateCounts(ctx.db, created.notificationId);
  const sample = await ctx.db('notification_deliveries').where({ notification_id: created.notificationId }).orderBy('id').limit(100);
  const job = await ctx.jobs.enqueue('notifications.deliver', { notification_id: created.notificationId }, { dedupeKey: `notification:${created.notificationId}` });
  await ctx.db('notifications').where({ id: created.notificationId }).update({ job_id: job.id });
  return {
    id: created.notificationId,
    job_id: job.id,
    recipients: recipients.length,
    deliveries: counts,
    queued: sample.map(publicDelivery),
    ...(created.rows > 100 ? { note: `The first 100 of ${created.rows} deliveries; list_notifications shows them all.` } : {}),
  };
}

function publicDelivery(d: Record<string, any>) {
  return {
    id: d.id,
    recipient: { type: d.recipient_type, id: d.recipient_id, name: d.recipient_name },
    channel: d.channel,
    state: d.state,
    attempts: Number(d.attempts),
    last_response: d.last_response ?? null,
    sent_at: toIso(d.sent_at),
  };
}

async function stateCounts(db: Knex, notificationId: number) {
  const rows = (await db('notification_deliveries').where({ notification_id: notificationId }).select('state').count({ n: '*' }).groupBy('state')) as Array<{ state: string; n: number | string }>;
  const out: Record<string, number> = { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 };
  for (const r of rows) out[r.state] = Number(r.n);
  return out;
}

/** What one delivery sends: the rendered subject and text for the recipient's language. */
interface Rendered {
  subject: string;
  text: string;
  attachInvoice: boolean;
}

async function renderFor(db: Knex, n: Record<string, any>, d: Record<string, any>, brand: Awaited<ReturnType<typeof branding>>, cache: Map<string, Rendered | null>): Promise<Rendered> {
  const vars = parseJson<Record<string, unknown>>(n.variables, {});
  const lang = ((vars._language as string) || brand.language) as Language;
  const all = { company_name: brand.name, name: d.recipient_name, ...vars };
  if (n.template) {
    const key = `${n.template}:${lang}`;
    if (!cache.has(key)) {
      const t = await getTemplate(db, n.template, lang);
      cache.set(key, t ? { subject: t.subject, text: t.body, attachInvoice: t.attach_invoice } : null);
    }
    const t = cache.get(key);
    if (!t) throw new AppError('template_not_found', `The template "${n.template}" was deleted.`, 404);
    return { subject: render(t.subject, all), text: render(t.text, all), attachInvoice: t.attachInvoice };
  }
  return { subject: render(n.subject ?? brand.name, all), text: render(n.body, all), attachInvoice: false };
}

function htmlEmail(r: Rendered, brand: { name: string }, logoCid: string | null): string {
  const paragraphs = escapeHtml(r.text)
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 12px">${p.replace(/\n/g, '<br>')}</p>`)
    .join('');
  const logo = logoCid ? `<img src="cid:${logoCid}" alt="${escapeHtml(brand.name)}" style="max-height:48px"><br>` : '';
  return `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;color:#222">${logo}<h2 style="font-size:18px">${escapeHtml(brand.name)}</h2>${paragraphs}</body></html>`;
}

const LOGO_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', ico: 'image/x-icon' };

type Outcome = TelegramOutcome | MailOutcome | PushOutcome | { kind: 'skipped'; raw: string };

async function deliverOne(ctx: ServiceContext, cfg: ChannelConfig, n: Record<string, any>, d: Record<string, any>, r: Rendered, extras: { logo: { content: Buffer; filename: string } | null; brand: { name: string } }): Promise<Outcome> {
  if (d.channel === 'telegram') {
    if (!cfg.telegram) return { kind: 'rejected', raw: 'telegram is not configured' };
    const html = `<b>${escapeHtml(r.subject)}</b>\n\n${escapeHtml(r.text)}`;
    return new TelegramBot(cfg.telegram.token, cfg.telegram.baseUrl).sendMessage(d.address, html);
  }
  if (d.channel === 'email') {
    if (!cfg.smtp) return { kind: 'rejected', raw: 'e-mail is not configured' };
    const attachments: Array<{ filename: string; content: Buffer; contentType: string; cid?: string }> = [];
    if (extras.logo) attachments.push({ filename: extras.logo.filename, content: extras.logo.content, contentType: LOGO_TYPES[path.extname(extras.logo.filename).slice(1)] ?? 'application/octet-stream', cid: 'logo@ispgate' });
    const vars = parseJson<Record<string, unknown>>(n.variables, {});
    const invoiceId = Number(vars._invoice_id ?? vars.invoice_id ?? 0);
    if (r.attachInvoice && invoiceId) {
      const pdf = await invoicePdf(ctx, invoiceId);
      attachments.push({ filename: pdf.filename, content: pdf.content, contentType: 'application/pdf' });
    }
    const headers: Record<string, string> = {};
    // Bulk mail must offer a way out (RFC 2369 / 8058); a reply to the sender with "unsubscribe" is the simplest.
    if (n.bulk) headers['List-Unsubscribe'] = `<mailto:${cfg.smtp.from.replace(/^.*<([^>]+)>.*$/, '$1')}?subject=unsubscribe>`;
    return sendMail(cfg.smtp.poolKey, cfg.smtp, { to: d.address, subject: r.subject, text: r.text, html: htmlEmail(r, extras.brand, extras.logo ? 'logo@ispgate' : null), headers, attachments });
  }
  if (d.channel === 'push') {
    if (!cfg.push) return { kind: 'rejected', raw: 'push is not configured' };
    const subs = await ctx.db('push_subscriptions').where({ owner_type: d.recipient_type, owner_id: d.recipient_id });
    if (!subs.length) return { kind: 'skipped', raw: 'no push subscription' };
    const payload = JSON.stringify({ title: r.subject, body: r.text.slice(0, 2000) });
    let sent = 0;
    const raws: string[] = [];
    let retry = false;
    for (const s of subs) {
      const o = await sendPush({ endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth }, payload, cfg.push, { caFile: ctx.config.PUSH_CA_FILE });
      raws.push(o.raw);
      if (o.kind === 'sent') sent++;
      else if (o.kind === 'gone') await ctx.db('push_subscriptions').where({ id: s.id }).delete();
      else if (o.kind === 'retry') retry = true;
    }
    if (sent) return { kind: 'sent', raw: `${sent}/${subs.length} browsers: ${raws.join('; ')}` };
    if (retry) return { kind: 'retry', raw: raws.join('; ') };
    return { kind: 'rejected', raw: raws.join('; ') || 'no push subscription left' };
  }
  return { kind: 'rejected', raw: `unknown channel ${d.channel}` };
}

async function loadLogo(ctx: ServiceContext, logoUrl: string | null) {
  if (!logoUrl || !logoUrl.startsWith('/uploads/')) return null;
  const file = path.join(ctx.config.dataDir, logoUrl.replace(/^\/+/, ''));
  if (!file.startsWith(path.join(ctx.config.dataDir, 'uploads'))) return null;
  try {
    return { content: await fs.readFile(file), filename: path.basename(file) };
  } catch {
    return null;
  }
}

/**
 * Telegram's limit is per bot, not per announcement: every delivery job of this process sending through one bot
 * (a slice handed over while the last one finishes, two announcements at once) shares one throttle.
 */
const THROTTLES = new Map<string, Throttle>();
export function sharedThrottle(key: string, perSecond: number): Throttle {
  const k = `${key}:${perSecond}`;
  let t = THROTTLES.get(k);
  if (!t) THROTTLES.set(k, (t = new Throttle(perSecond)));
  return t;
}

/**
 * Delivers every queued row of a notification, throttled per channel, and settles the notification's status.
 * `progress` is called between batches, after every answer of the batch is recorded.
 */
export async function deliverNotification(ctx: ServiceContext, notificationId: number, progress: (done: number, total: number) => Promise<void>) {
  const n = await ctx.db('notifications').where({ id: notificationId }).first();
  if (!n) throw new AppError('notification_not_found', `No notification ${notificationId}.`, 404);
  const now0 = nowUtc();
  // Rows another worker claimed and never finished: the provider may have the message, so they are not resent.
  await ctx.db('notification_deliveries')
    .where({ notification_id: notificationId, state: 'sending' })
    .where('claimed_until', '<', now0)
    .update({ state: 'unknown', last_response: 'the worker stopped while sending; not sent again to avoid a duplicate', claim_token: null, updated_at: now0 });
  // A job handed out after another finished the notification (a sweep, a resume tick) has nothing to send: it must
  // not show a completed notification as sending again while it looks.
  if (await ctx.db('notification_deliveries').where({ notification_id: notificationId, state: 'queued' }).first('id'))
    await ctx.db('notifications').where({ id: notificationId }).update({ status: 'sending' });
  const cfg = await channelConfig(ctx);
  const brand = await branding(ctx);
  const logo = await loadLogo(ctx, brand.logoUrl);
  const cache = new Map<string, Rendered | null>();
  const throttles: Record<Channel, Throttle> = {
    telegram: cfg.telegram ? sharedThrottle(`${ctx.tenant.slug}:${crypto.createHash('sha256').update(cfg.telegram.token).digest('hex').slice(0, 16)}`, ctx.config.NOTIFY_TELEGRAM_RATE) : new Throttle(ctx.config.NOTIFY_TELEGRAM_RATE),
    email: new Throttle(Number.POSITIVE_INFINITY),
    push: new Throttle(Number.POSITIVE_INFINITY),
  };
  const maxAttempts = ctx.config.NOTIFY_MAX_ATTEMPTS;
  const total = Number(((await ctx.db('notification_deliveries').where({ notification_id: notificationId }).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

  // A job works for one slice of time, then hands over to a new job: a shutdown never waits for a whole
  // 10,000-recipient announcement, and a retry due in minutes is picked up by the scheduled tick, not slept on.
  const deadline = Date.now() + ctx.config.NOTIFY_SLICE_MS;
  for (;;) {
    const counts = await stateCounts(ctx.db, notificationId);
    await progress(total - counts.queued - counts.sending, total);
    if (counts.queued === 0 && counts.sending === 0) break;
    if (Date.now() > deadline) {
      const next = await ctx.jobs.enqueue('notifications.deliver', { notification_id: notificationId });
      return { notification_id: notificationId, status: 'sending', continued_in_job: next.id, deliveries: counts };
    }
    const now = nowUtc();
    const ids = (await ctx.db('notification_deliveries').where({ notification_id: notificationId, state: 'queued' }).where('next_attempt_at', '<=', now).orderBy('id').limit(CLAIM_BATCH).select('id')).map((r) => r.id);
    if (!ids.length) {
      // Only retries waiting for their time (a 429's retry_after, a backoff), or rows another worker is sending.
      const next = await ctx.db('notification_deliveries').where({ notification_id: notificationId, state: 'queued' }).min({ at: 'next_attempt_at' }).first();
      const waitMs = next?.at ? new Date(String(next.at).replace(' ', 'T') + 'Z').getTime() - Date.now() : 500;
      if (waitMs > SHORT_WAIT_MS || Date.now() + waitMs > deadline) return { notification_id: notificationId, status: 'sending', waiting_until: toIso(next?.at ?? null), deliveries: counts };
      await new Promise((r) => setTimeout(r, Math.max(waitMs, 50)));
      continue;
    }
    const token = crypto.randomUUID();
    await ctx.db('notification_deliveries')
      .whereIn('id', ids)
      .where({ state: 'queued' })
      .update({ state: 'sending', claim_token: token, claimed_until: nowUtc(new Date(Date.now() + CLAIM_MS)), updated_at: now });
    const batch = await ctx.db('notification_deliveries').where({ claim_token: token, state: 'sending' }).orderBy('id');
    let cursor = 0;
    const worker = async () => {
      while (cursor < batch.length) {
        const d = batch[cursor++];
        await throttles[d.channel as Channel].take();
        let outcome: Outcome;
        try {
          const r = await renderFor(ctx.db, n, d, brand, cache);
          outcome = await deliverOne(ctx, cfg, n, d, r, { logo, brand });
        } catch (e) {
          outcome = { kind: 'rejected', raw: String((e as Error)?.message ?? e).slice(0, 300) };
        }
        await record(ctx, d, outcome, token, maxAttempts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ctx.config.NOTIFY_CONCURRENCY, batch.length) }, worker));
  }
  const counts = await stateCounts(ctx.db, notificationId);
  const status = counts.failed + counts.unknown === 0 ? 'completed' : counts.sent === 0 ? 'failed' : 'partial';
  await ctx.db('notifications').where({ id: notificationId }).update({ status, finished_at: nowUtc() });
  return { notification_id: notificationId, status, deliveries: counts };
}

async function record(ctx: ServiceContext, d: Record<string, any>, o: Outcome, token: string, maxAttempts: number) {
  const now = new Date();
  const attempts = Number(d.attempts) + 1;
  const base = { attempts, last_response: o.raw.slice(0, 1000), claim_token: null, claimed_until: null, updated_at: nowUtc(now) };
  const q = () => ctx.db('notification_deliveries').where({ id: d.id, claim_token: token });
  switch (o.kind) {
    case 'sent':
      await q().update({ ...base, state: 'sent', sent_at: nowUtc(now) });
      return;
    case 'skipped':
      await q().update({ ...base, state: 'skipped' });
      return;
    case 'unreachable':
      await q().update({ ...base, state: 'failed' });
      if (d.channel === 'telegram') await ctx.db(d.recipient_type === 'admin' ? 'admins' : 'customers').where({ id: d.recipient_id }).update({ telegram_blocked_at: nowUtc(now) });
      return;
    case 'retry': {
      if (attempts >= maxAttempts) {
        await q().update({ ...base, state: 'failed' });
        return;
      }
      const after = 'retryAfterSeconds' in o && o.retryAfterSeconds ? o.retryAfterSeconds * 1000 : ctx.config.NOTIFY_RETRY_BASE_MS * 2 ** (attempts - 1);
      await q().update({ ...base, state: 'queued', next_attempt_at: nowUtc(new Date(now.getTime() + after)) });
      return;
    }
    default:
      await q().update({ ...base, state: 'failed' });
  }
}

export const deliverTask = defineTask<{ notification_id: number }, unknown>({
  name: 'notifications.deliver',
  section: 'notifications',
  attempts: 5,
  backoffMs: 5_000,
  async run(ctx, data, progress) {
    return deliverNotification(ctx, Number(data.notification_id), progress);
  },
});

/**
 * The scheduled tick's part: a notification with deliveries due (retries whose time came, or work a stopped job
 * left) and no delivery job queued or running gets one.
 */
export async function resumeNotifications(ctx: ServiceContext) {
  const due = (await ctx.db('notification_deliveries').where({ state: 'queued' }).where('next_attempt_at', '<=', nowUtc()).distinct('notification_id')) as Array<{ notification_id: number }>;
  let resumed = 0;
  for (const { notification_id: id } of due) {
    const active = await ctx.db('jobs').where({ task: 'notifications.deliver' }).whereIn('state', ['queued', 'running']).where('data', JSON.stringify({ notification_id: Number(id) })).first('id');
    if (active) continue;
    await ctx.jobs.enqueue('notifications.deliver', { notification_id: Number(id) });
    resumed++;
  }
  return resumed;
}

export async function listNotifications(ctx: ServiceContext, f: { page: number; per_page: number; id?: number; status?: string }) {
  const q = ctx.db('notifications');
  if (f.id) q.where({ id: f.id });
  if (f.status) q.where({ status: f.status });
  const [{ n }] = (await q.clone().count({ n: '*' })) as Array<{ n: number | string }>;
  const rows = await q.orderBy('id', 'desc').limit(f.per_page).offset((f.page - 1) * f.per_page);
  const items = [];
  for (const r of rows) {
    const deliveries = await ctx.db('notification_deliveries').where({ notification_id: r.id }).orderBy('id').limit(f.id ? 1000 : 20);
    items.push({
      id: r.id,
      channel: r.channel,
      template: r.template,
      subject: r.subject,
      status: r.status,
      bulk: Boolean(r.bulk),
      recipients: Number(r.recipients_total),
      job_id: r.job_id,
      created_by: r.created_by,
      created_at: toIso(r.created_at),
      finished_at: toIso(r.finished_at),
      counts: await stateCounts(ctx.db, r.id),
      deliveries: deliveries.map(publicDelivery),
    });
  }
  return Page.of(items, f.page, f.per_page, Number(n));
}

/**
 * The SMS channel: a provider-neutral HTTP SMS gateway (adapters/sms) with settings (URL, sender, sealed API key),
 * a row per message with its delivery state, and the balance where the provider reports one. A message is
 * written as pending first; the gateway is called after that commit; a gateway that is down leaves the row
 * pending and the `sms.deliver` job retries it. "queued" is the gateway's own word for a message it took. Broadcasts are always a job, with progress.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { HttpSmsGateway } from '../../adapters/sms/http-gateway';
import { nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import type { ActionContext } from '../../gateway/action';
import { defineTask } from '../../jobs/queue';
import { getSettings, putSettings } from '../core/settings';

const PREFIX = 'sms';
type Ctx = Pick<ActionContext, 'db' | 'secrets' | 'actor' | 'config'>;

export async function saveSmsSettings(ctx: Ctx, input: { base_url?: string | null; api_key?: string | null; sender?: string | null }) {
  if (input.base_url && !/^https?:\/\/[^\s]+$/i.test(input.base_url)) throw new AppError('invalid_base_url', 'The gateway URL must be an http or https URL.', 422, { details: { base_url: 'must be an http or https URL' } });
  if (input.sender && !/^([A-Za-z0-9 ]{1,11}|\+?\d{3,15})$/.test(input.sender))
    throw new AppError('invalid_sender', 'The sender is up to 11 letters and digits, or a phone number.', 422, { details: { sender: 'up to 11 letters and digits, or a phone number' } });
  const values: Record<string, unknown> = {};
  if (input.base_url !== undefined) values.base_url = input.base_url;
  if (input.sender !== undefined) values.sender = input.sender;
  if (input.api_key !== undefined) values.api_key_enc = input.api_key === null ? null : ctx.secrets.encrypt(input.api_key);
  await putSettings(ctx.db, PREFIX, values);
  return publicSmsSettings(ctx);
}

export async function publicSmsSettings(ctx: Pick<Ctx, 'db'>) {
  const s = await getSettings(ctx.db, PREFIX);
  return { base_url: (s.base_url as string) ?? null, sender: (s.sender as string) ?? null, api_key_set: Boolean(s.api_key_enc), configured: Boolean(s.base_url && s.sender && s.api_key_enc) };
}

async function gatewayOf(ctx: Pick<Ctx, 'db' | 'secrets'>): Promise<HttpSmsGateway> {
  const s = await getSettings(ctx.db, PREFIX);
  if (!s.base_url || !s.sender || !s.api_key_enc) throw new AppError('sms_not_configured', 'Configure the SMS gateway first (save_sms_settings: base_url, api_key, sender).', 409);
  return new HttpSmsGateway({ baseUrl: String(s.base_url), apiKey: ctx.secrets.decrypt(String(s.api_key_enc)), sender: String(s.sender) });
}

export function normalPhone(raw: string, field = 'phone'): string {
  const p = raw.replace(/[\s().-]/g, '');
  if (!/^\+?\d{6,15}$/.test(p)) throw new AppError('invalid_phone', `"${raw.slice(0, 40)}" is not a phone number (6 to 15 digits, optionally with a leading +).`, 422, { details: { [field]: 'must be a phone number' } });
  return p;
}

function checkMessage(message: string) {
  if (!message.trim() || message.length > 1600) throw new AppError('invalid_message', 'The message is 1 to 1600 characters.', 422, { details: { message: 'must be 1 to 1600 characters' } });
}

export function publicSms(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    message_id: `sms_${r.id}`,
    phone: r.phone,
    message: r.message,
    status: r.status,
    provider_id: r.provider_id ?? null,
    credits_used: r.credits_used === null || r.credits_used === undefined ? null : Number(r.credits_used),
    attempts: Number(r.attempts),
    error: r.last_error ?? null,
    batch: r.batch ?? null,
    created_at: toIso(r.created_at),
    sent_at: toIso(r.sent_at),
  };
}

/** Sends one pending row now (claimed so two workers never send it twice); answers the outcome. */
async function deliverRow(db: Knex, gw: HttpSmsGateway, id: number): Promise<{ done: boolean; creditsRemaining: number | null }> {
  const claimed = await db('sms_messages').where({ id, status: 'pending' }).update({ status: 'sending' });
  if (!claimed) return { done: true, creditsRemaining: null };
  const row = await db('sms_messages').where({ id }).first();
  const out = await gw.send(row.phone, row.message, `ispgate-sms-${id}`);
  const attempts = Number(row.attempts) + 1;
  if (out.kind === 'accepted') {
    await db('sms_messages').where({ id }).update({ status: out.status, provider_id: out.providerId.slice(0, 128), credits_used: out.creditsUsed, attempts, last_error: null, sent_at: nowUtc() });
    return { done: true, creditsRemaining: out.creditsRemaining };
  }
  if (out.kind === 'rejected') {
    await db('sms_messages').where({ id }).update({ status: 'failed', attempts, last_error: out.error.slice(0, 255) });
    return { done: true, creditsRemaining: null };
  }
  await db('sms_messages').where({ id }).update({ status: 'pending', attempts, last_error: out.error.slice(0, 255) });
  return { done: false, creditsRemaining: null };
}

export async function sendSms(ctx: ActionContext, input: { phone: string; message: string }) {
  const phone = normalPhone(input.phone);
  checkMessage(input.message);
  const gw = await gatewayOf(ctx);
  const [id] = await ctx.db('sms_messages').insert({ phone, message: input.message, status: 'pending', attempts: 0, created_by: ctx.actor.username?.slice(0, 128) ?? null, created_at: nowUtc() });
  const r = await deliverRow(ctx.db, gw, Number(id));
  let job: string | null = null;
  if (!r.done) job = (await ctx.jobs.enqueue('sms.deliver', { ids: [Number(id)] })).id;
  const row = await ctx.db('sms_messages').where({ id: Number(id) }).first();
  return { ...publicSms(row), credits_remaining: r.creditsRemaining, job_id: job };
}

export async function broadcastSms(ctx: ActionContext, input: { phones: string[]; message: string }) {
  checkMessage(input.message);
  const phones = [...new Set(input.phones.map((p, i) => normalPhone(p, `phones.${i}`)))];
  await gatewayOf(ctx);
  const batch = 'b_' + crypto.randomBytes(8).toString('hex');
  const now = nowUtc();
  await ctx.db.transaction(async (trx) => {
    const rows = phones.map((phone) => ({ phone, message: input.message, status: 'pending', attempts: 0, batch, created_by: ctx.actor.username?.slice(0, 128) ?? null, created_at: now }));
    for (let i = 0; i < rows.length; i += 500) await trx('sms_messages').insert(rows.slice(i, i + 500));
  });
  const job = await ctx.jobs.enqueue('sms.deliver', { batch }, { dedupeKey: batch });
  return { batch, job_id: job.id, queued: phones.length, phones };
}

export async function smsHistory(db: Knex, f: { page: number; per_page: number; status?: string; phone?: string }) {
  const base = () => {
    const q = db('sms_messages');
    if (f.status) q.where({ status: f.status });
    if (f.phone) q.where({ phone: f.phone });
    return q;
  };
  const [{ n }] = await base().count({ n: '*' });
  const rows = await base().orderBy('id', 'desc').limit(f.per_page).offset((f.page - 1) * f.per_page);
  return { total: Number(n), items: rows.map(publicSms) };
}

export async function smsBalance(ctx: Pick<Ctx, 'db' | 'secrets'>) {
  const gw = await gatewayOf(ctx);
  let b: { balance: number; unit: string } | null;
  try {
    b = await gw.balance();
  } catch (e) {
    throw new AppError('sms_gateway_error', `The SMS gateway did not answer its balance: ${(e as Error).message}.`, 502);
  }
  if (!b) throw new AppError('sms_balance_not_available', 'This SMS gateway does not report a balance.', 501);
  return b;
}

export const smsTasks = [
  defineTask<{ ids?: number[]; batch?: string }, { accepted: number; failed: number; pending: number }>({
    name: 'sms.deliver',
    section: 'notifications',
    attempts: 5,
    backoffMs: 5_000,
    async run(ctx, data, progress) {
      const gw = await gatewayOf(ctx);
      const scope = () => (data.batch ? ctx.db('sms_messages').where({ batch: data.batch }) : ctx.db('sms_messages').whereIn('id', data.ids ?? []));
      const ids = (await scope().where({ status: 'pending' }).orderBy('id').select('id')).map((r) => Number(r.id));
      const total = Number((await scope().count({ n: '*' }))[0].n);
      let pending = 0;
      for (const id of ids) {
        const r = await deliverRow(ctx.db, gw, id);
        if (!r.done) pending++;
        const left = Number((await scope().whereIn('status', ['pending', 'sending']).count({ n: '*' }))[0].n);
        await progress(total - left, total);
      }
      const counts = (await scope().select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: number | string }>;
      const by = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
      // The gateway was down for some: a plain error, so the queue tries again after its backoff.
      if (pending) throw new Error(`${pending} SMS still pending: the gateway did not take them`);
      return { accepted: (by.queued ?? 0) + (by.sent ?? 0) + (by.delivered ?? 0), failed: by.failed ?? 0, pending: by.pending ?? 0 };
    },
  }),
];

import { z } from 'zod';
import { nowUtc, parseJson, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import { emit, EVENTS } from '../../events/outbox';
import { WebhookWorker } from '../../events/webhook-worker';
import { defineAction } from '../../gateway/action';
import { id, optionalText, stringList } from '../../gateway/fields';
import { randomToken } from '../../secrets';

const url = z
  .string()
  .trim()
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL');

function publicWebhook(r: Record<string, unknown>) {
  return { id: r.id, url: r.url, events: parseJson<string[]>(r.events, []), description: r.description ?? null, active: Boolean(r.active), created_at: toIso(r.created_at) };
}

export const webhookCreate = defineAction({
  name: 'webhook_create',
  section: 'webhooks',
  summary: 'Subscribe a URL to events; returns the signing secret once',
  // The list is checked against the known events; the bounds keep an absurd one out of the error message.
  input: z.object({ url, events: stringList.refine((e) => e.length <= 64 && e.every((x) => x.length <= 64), 'at most 64 events of 64 characters'), description: optionalText(255) }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const known = new Set<string>([...EVENTS, '*']);
    const bad = input.events.filter((e) => !known.has(e));
    if (bad.length) throw new AppError('invalid_events', `Unknown event(s): ${bad.join(', ')}. Known: ${EVENTS.join(', ')} or *.`, 422, { details: { events: 'unknown event' } });
    const secret = 'whsec_' + randomToken(24);
    const now = nowUtc();
    const [newId] = await ctx.db('webhooks').insert({
      url: input.url,
      events: JSON.stringify([...new Set(input.events)]),
      secret_enc: ctx.secrets.encrypt(secret),
      description: input.description ?? null,
      active: true,
      created_at: now,
      updated_at: now,
    });
    const row = await ctx.db('webhooks').where({ id: Number(newId) }).first();
    return { ...publicWebhook(row), secret };
  },
});

export const webhookList = defineAction({
  name: 'webhook_list',
  section: 'webhooks',
  summary: 'List webhooks with their delivery counters (never the secret)',
  input: z.object({}).passthrough(),
  permission: 'webhooks.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    const rows = await ctx.db('webhooks').orderBy('id');
    const stats = (await ctx.db('webhook_deliveries').select('webhook_id', 'status').count({ n: '*' }).groupBy('webhook_id', 'status')) as Array<{ webhook_id: number; status: string; n: number | string }>;
    return rows.map((r) => {
      const s: Record<string, number> = { pending: 0, sending: 0, delivered: 0, dead: 0 };
      for (const x of stats.filter((x) => x.webhook_id === r.id)) s[String(x.status)] = Number(x.n);
      return { ...publicWebhook(r), deliveries: s };
    });
  },
});

export const webhookDelete = defineAction({
  name: 'webhook_delete',
  section: 'webhooks',
  summary: 'Delete a webhook and its pending deliveries',
  input: z.object({ id }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const n = await ctx.db('webhooks').where({ id: input.id }).delete();
    if (!n) throw new AppError('not_found', `Webhook ${input.id} was not found.`, 404);
    return { id: input.id, deleted: true };
  },
});

export const webhookTest = defineAction({
  name: 'webhook_test',
  section: 'webhooks',
  summary: 'Send a webhook.test event to one webhook now and report the receiver’s answer',
  input: z.object({ id }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const hook = await ctx.db('webhooks').where({ id: input.id }).first();
    if (!hook) throw new AppError('not_found', `Webhook ${input.id} was not found.`, 404);
    const eventId = await ctx.db.transaction((trx) => emit(trx, 'webhook.test', { webhook_id: hook.id, message: 'This is a test event from ispgate.' }, { onlyWebhookId: hook.id }));
    const delivery = await ctx.db('webhook_deliveries as d').join('outbox_events as e', 'e.id', 'd.outbox_id').where('e.event_id', eventId).first('d.id');
    const worker = new WebhookWorker(ctx.secrets, ctx.log, { retryBaseMs: ctx.config.WEBHOOK_RETRY_BASE_MS, maxAttempts: ctx.config.WEBHOOK_MAX_ATTEMPTS, timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS });
    const claimed = await ctx.db('webhook_deliveries').where({ id: delivery.id, status: 'pending' }).update({ status: 'sending', locked_until: nowUtc(new Date(Date.now() + 60_000)) });
    const delivered = claimed ? await worker.deliver(ctx.db, delivery.id) : false;
    const d = await ctx.db('webhook_deliveries').where({ id: delivery.id }).first();
    return { event_id: eventId, delivered, status_code: d.last_status_code ?? null, error: d.last_error ?? null };
  },
});

export const webhookActions = [webhookCreate, webhookList, webhookDelete, webhookTest];

import type { Knex } from 'knex';
import type { Config } from '../../config';
import { nowUtc, parseJson, toIso } from '../../db/knex';
import { pageMeta } from '../../domain/page';
import { AppError } from '../../errors';
import { resolvedProblem } from '../../events/address-policy';
import { emit, EVENTS } from '../../events/outbox';
import { WebhookWorker } from '../../events/webhook-worker';
import type { Logger } from '../../logger';
import { randomToken, type SecretBox } from '../../secrets';

/** What the webhook operations need; an ServiceContext or a system context has it all. */
export interface WebhookDeps {
  db: Knex;
  secrets: SecretBox;
  config: Config;
  log: Logger;
}

function publicWebhook(r: Record<string, unknown>) {
  return { id: r.id, url: r.url, events: parseJson<string[]>(r.events, []), description: r.description ?? null, active: Boolean(r.active), created_at: toIso(r.created_at) };
}

/**
 * Refuses a URL towards loopback, link-local (cloud metadata), private or special ranges, or a non-http(s)
 * scheme, unless WEBHOOK_ALLOW_PRIVATE=1. The worker checks the address again at every delivery.
 */
export async function assertWebhookUrl(config: Pick<Config, 'WEBHOOK_ALLOW_PRIVATE'>, url: string) {
  const problem = await resolvedProblem(url, config.WEBHOOK_ALLOW_PRIVATE);
  if (problem) throw new AppError('invalid_url', `The webhook URL ${problem}.`, 422, { details: { url: problem } });
}

function assertKnownEvents(events: string[]) {
  const known = new Set<string>([...EVENTS, '*']);
  const bad = events.filter((e) => !known.has(e));
  if (bad.length) throw new AppError('invalid_events', `Unknown event(s): ${bad.join(', ')}. Known: ${EVENTS.join(', ')} or *.`, 422, { details: { events: 'unknown event' } });
}

/** `dialect`: a webhook made through a dialect's front door (ISPBills) is delivered in that dialect's shape. */
export async function createWebhook(deps: WebhookDeps, input: { url: string; events: string[]; description?: string | null; dialect?: string | null; active?: boolean }) {
  assertKnownEvents(input.events);
  await assertWebhookUrl(deps.config, input.url);
  const secret = 'whsec_' + randomToken(24);
  const now = nowUtc();
  const [newId] = await deps.db('webhooks').insert({
    url: input.url,
    events: JSON.stringify([...new Set(input.events)]),
    secret_enc: deps.secrets.encrypt(secret),
    description: input.description ?? null,
    active: input.active ?? true,
    dialect: input.dialect ?? null,
    created_at: now,
    updated_at: now,
  });
  const row = await deps.db('webhooks').where({ id: Number(newId) }).first();
  return { ...publicWebhook(row), secret };
}

/** Webhooks with their delivery counters, never the secret. */
export async function listWebhooks(db: Knex) {
  const rows = await db('webhooks').orderBy('id');
  const stats = (await db('webhook_deliveries').select('webhook_id', 'status').count({ n: '*' }).groupBy('webhook_id', 'status')) as Array<{ webhook_id: number; status: string; n: number | string }>;
  return rows.map((r) => {
    const s: Record<string, number> = { pending: 0, sending: 0, delivered: 0, dead: 0 };
    for (const x of stats.filter((x) => Number(x.webhook_id) === Number(r.id))) s[String(x.status)] = Number(x.n);
    return { ...publicWebhook(r), deliveries: s };
  });
}

/** Changes a webhook's URL, events or active flag (the same checks as on create); the secret stays. */
export async function updateWebhook(deps: WebhookDeps, id: number, input: { url?: string; events?: string[]; active?: boolean }) {
  const row = await deps.db('webhooks').where({ id }).first('id');
  if (!row) throw new AppError('not_found', `Webhook ${id} was not found.`, 404);
  if (input.events) assertKnownEvents(input.events);
  if (input.url !== undefined) await assertWebhookUrl(deps.config, input.url);
  const patch: Record<string, unknown> = { updated_at: nowUtc() };
  if (input.url !== undefined) patch.url = input.url;
  if (input.events) patch.events = JSON.stringify([...new Set(input.events)]);
  if (input.active !== undefined) patch.active = input.active;
  await deps.db('webhooks').where({ id }).update(patch);
  return publicWebhook(await deps.db('webhooks').where({ id }).first());
}

export async function deleteWebhook(db: Knex, id: number) {
  const n = await db('webhooks').where({ id }).delete();
  if (!n) throw new AppError('not_found', `Webhook ${id} was not found.`, 404);
  return { id, deleted: true };
}

/**
 * Queues a webhook.test event for one webhook (committed first, like every event), claims that delivery and sends
 * it now. The reply says whether the receiver accepted it and its status code; the receiver's body is not echoed.
 */
export async function testWebhook(deps: WebhookDeps, id: number) {
  const hook = await deps.db('webhooks').where({ id }).first();
  if (!hook) throw new AppError('not_found', `Webhook ${id} was not found.`, 404);
  const eventId = await deps.db.transaction((trx) => emit(trx, 'webhook.test', { webhook_id: hook.id, message: 'This is a test event from ispgate.' }, { onlyWebhookId: hook.id }));
  const delivery = await deps.db('webhook_deliveries as d').join('outbox_events as e', 'e.id', 'd.outbox_id').where('e.event_id', eventId).first('d.id');
  const worker = new WebhookWorker(deps.secrets, deps.log, {
    retryBaseMs: deps.config.WEBHOOK_RETRY_BASE_MS,
    maxAttempts: deps.config.WEBHOOK_MAX_ATTEMPTS,
    timeoutMs: deps.config.WEBHOOK_TIMEOUT_MS,
    allowPrivate: deps.config.WEBHOOK_ALLOW_PRIVATE,
  });
  const lease = await worker.claim(deps.db, delivery.id);
  const delivered = lease ? await worker.deliver(deps.db, lease) : false;
  const d = await deps.db('webhook_deliveries').where({ id: delivery.id }).first();
  return { event_id: eventId, delivered, status_code: d.last_status_code ?? null, error: d.last_error ?? null };
}

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

function publicDelivery(r: Record<string, any>) {
  const finished = r.status === 'delivered' || r.status === 'dead';
  return {
    id: Number(r.id),
    webhook_id: Number(r.webhook_id),
    event_id: r.event_id,
    event: r.event,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    last_status_code: r.last_status_code === null || r.last_status_code === undefined ? null : Number(r.last_status_code),
    last_error: r.last_error ?? null,
    // a finished delivery is not attempted again (unless redelivered), whatever the column still holds
    next_attempt_at: finished ? null : toIso(r.next_attempt_at),
    last_attempt_at: toIso(r.last_attempt_at),
    delivered_at: toIso(r.delivered_at),
    created_at: toIso(r.created_at),
  };
}

const HISTORY_MAX = 20;

/**
 * One webhook's delivery log, newest first: status, attempts, the receiver's last status code and our last error,
 * and each delivery's attempts one by one (`history`, newest first, the last 20).
 */
export async function listWebhookDeliveries(db: Knex, input: { webhookId: number; status?: DeliveryStatus; page: number; perPage: number }) {
  const hook = await db('webhooks').where({ id: input.webhookId }).first('id');
  if (!hook) throw new AppError('not_found', `Webhook ${input.webhookId} was not found.`, 404);
  const base = () => {
    const q = db('webhook_deliveries as d').where('d.webhook_id', input.webhookId);
    if (input.status) q.where('d.status', input.status);
    return q;
  };
  const [{ n }] = await base().count({ n: '*' });
  const rows = await base()
    .join('outbox_events as e', 'e.id', 'd.outbox_id')
    .select('d.*', 'e.event_id', 'e.event')
    .select(db('webhook_attempts as a').whereRaw('a.delivery_id = d.id').max('a.attempted_at').as('last_attempt_at'))
    .orderBy('d.id', 'desc')
    .limit(input.perPage)
    .offset((input.page - 1) * input.perPage);
  // Each attempt as it went (when, the receiver's status code or our error, how long it took), newest first, the
  // last HISTORY_MAX of each delivery: what an operator reads to see why a receiver keeps failing.
  const history = new Map<number, Array<Record<string, unknown>>>();
  if (rows.length) {
    const attempts = await db('webhook_attempts')
      .whereIn('delivery_id', rows.map((r: { id: number }) => r.id))
      .orderBy('id', 'desc')
      .select('delivery_id', 'status_code', 'error', 'duration_ms', 'attempted_at');
    for (const a of attempts) {
      const list = history.get(Number(a.delivery_id)) ?? [];
      if (list.length < HISTORY_MAX)
        list.push({ attempted_at: toIso(a.attempted_at), status_code: a.status_code === null ? null : Number(a.status_code), error: a.error ?? null, duration_ms: Number(a.duration_ms) });
      history.set(Number(a.delivery_id), list);
    }
  }
  return { items: rows.map((r) => ({ ...publicDelivery(r), history: history.get(Number(r.id)) ?? [] })), meta: pageMeta(input.page, input.perPage, Number(n)) };
}

/**
 * Puts dead deliveries back in the queue with a fresh attempt budget; the worker sends them on its next pass
 * (no call to the receiver here). One delivery by id, or every dead delivery of a webhook. The update is
 * conditional on the status still being dead, so a double click queues a delivery once.
 */
export async function redeliverWebhook(db: Knex, input: { deliveryId?: number; webhookId?: number }) {
  const now = nowUtc();
  const requeue = { status: 'pending', attempts: 0, next_attempt_at: now, locked_until: null };
  if (input.deliveryId !== undefined) {
    const d = await db('webhook_deliveries as d').join('webhooks as w', 'w.id', 'd.webhook_id').where('d.id', input.deliveryId).first('d.id', 'd.status', 'd.webhook_id', 'w.active');
    if (!d || (input.webhookId !== undefined && Number(d.webhook_id) !== input.webhookId)) throw new AppError('delivery_not_found', `Webhook delivery ${input.deliveryId} was not found.`, 404);
    if (!d.active) throw new AppError('webhook_inactive', `Webhook ${d.webhook_id} is inactive; activate it before redelivering.`, 409);
    if (d.status !== 'dead') throw new AppError('delivery_not_dead', `Delivery ${d.id} is ${d.status}; only a dead delivery (one that ran out of attempts) is redelivered.`, 409);
    const n = await db('webhook_deliveries').where({ id: d.id, status: 'dead' }).update(requeue);
    if (!n) throw new AppError('delivery_not_dead', `Delivery ${d.id} was redelivered by another request.`, 409);
    return { redelivered: 1, id: Number(d.id) };
  }
  const hook = await db('webhooks').where({ id: input.webhookId }).first('id', 'active');
  if (!hook) throw new AppError('not_found', `Webhook ${input.webhookId} was not found.`, 404);
  if (!hook.active) throw new AppError('webhook_inactive', `Webhook ${hook.id} is inactive; activate it before redelivering.`, 409);
  const n = await db('webhook_deliveries').where({ webhook_id: hook.id, status: 'dead' }).update(requeue);
  return { redelivered: n };
}

import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, id, optionalId, optionalText, Page, page, perPage, stringList } from '../../gateway/fields';
import { AppError } from '../../errors';
import { createWebhook, DELIVERY_STATUSES, deleteWebhook, listWebhookDeliveries, listWebhooks, redeliverWebhook, testWebhook } from '../../services/core/webhooks';

// The address itself (loopback, private ranges …) is judged by the service, which also resolves the name.
const url = z.string().trim().url().max(2048).refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL');

export const webhookCreate = defineAction({
  name: 'webhook_create',
  section: 'webhooks',
  summary: 'Subscribe a URL to events; returns the signing secret once',
  // The list is checked against the known events; the bounds keep an absurd one out of the error message.
  input: z.object({ url, events: stringList.refine((e) => e.length <= 64 && e.every((x) => x.length <= 64), 'at most 64 events of 64 characters'), description: optionalText(255) }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return createWebhook(ctx, input);
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
    return listWebhooks(ctx.db);
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
    return deleteWebhook(ctx.db, input.id);
  },
});

export const webhookTest = defineAction({
  name: 'webhook_test',
  section: 'webhooks',
  summary: 'Send a webhook.test event to one webhook now and report the receiver’s status code',
  input: z.object({ id }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return testWebhook(ctx, input.id);
  },
});

export const webhookDeliveries = defineAction({
  name: 'webhook_deliveries',
  section: 'webhooks',
  summary: "A webhook's delivery log, newest first: event, status, attempts, last response code, next attempt, last error, and each attempt's time, response code or error and duration (history) (paginated)",
  input: z.object({ id, status: z.preprocess(blank, z.enum(DELIVERY_STATUSES).optional()), page, per_page: perPage(100, 25) }),
  permission: 'webhooks.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const r = await listWebhookDeliveries(ctx.db, { webhookId: input.id, status: input.status, page: input.page, perPage: input.per_page });
    return new Page(r.items, r.meta);
  },
});

export const webhookRedeliver = defineAction({
  name: 'webhook_redeliver',
  section: 'webhooks',
  summary: 'Queue a dead webhook delivery again with a fresh attempt budget (delivery_id), or every dead delivery of a webhook (webhook_id)',
  input: z.object({ delivery_id: optionalId, webhook_id: optionalId }),
  permission: 'webhooks.write',
  rateClass: 'standard',
  async run(ctx, input) {
    if (input.delivery_id === undefined && input.webhook_id === undefined) {
      throw new AppError('missing_delivery_id', 'Name the dead delivery (delivery_id), or the webhook whose dead deliveries to send again (webhook_id).', 422, { details: { delivery_id: 'required (or webhook_id)' } });
    }
    return redeliverWebhook(ctx.db, { deliveryId: input.delivery_id, webhookId: input.webhook_id });
  },
});

export const webhookActions = [webhookCreate, webhookList, webhookDelete, webhookTest, webhookDeliveries, webhookRedeliver];

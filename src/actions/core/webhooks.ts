import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { id, optionalText, stringList } from '../../gateway/fields';
import { createWebhook, deleteWebhook, listWebhooks, testWebhook } from '../../services/core/webhooks';

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

export const webhookActions = [webhookCreate, webhookList, webhookDelete, webhookTest];

import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, page, perPage } from '../../gateway/fields';
import { listEvents } from '../../services/core/events';

export const listEventsAction = defineAction({
  name: 'list_events',
  section: 'webhooks',
  summary: 'Recent domain events (the outbox), newest first, filtered by type prefix (invoice, invoice.paid); only events of sections the caller may read; paginated',
  input: z.object({
    type: z.preprocess(blank, z.string().trim().max(64).regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]*)?$/, 'an event name or prefix such as invoice, invoice. or invoice.paid').optional()),
    page,
    per_page: perPage(100, 25),
  }),
  // Each event is shown by its own section's read right (invoice.* needs billing.read …), checked in the service.
  permission: { authenticated: true },
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  audit: false,
  async run(ctx, input) {
    return listEvents(ctx, input);
  },
});

export const eventActions = [listEventsAction];

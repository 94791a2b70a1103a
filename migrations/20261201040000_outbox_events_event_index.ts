import type { Knex } from 'knex';

/**
 * outbox_events (event): list_events filters by an event name or prefix (invoice.%), which MariaDB answers from
 * this index instead of reading every payload row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox_events', (t) => t.index(['event'], 'outbox_events_event_idx'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox_events', (t) => t.dropIndex(['event'], 'outbox_events_event_idx'));
}

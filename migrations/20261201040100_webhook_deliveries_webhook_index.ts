import type { Knex } from 'knex';

/**
 * webhook_deliveries (webhook_id, status): one webhook's delivery log (webhook_deliveries, newest first by the
 * primary key riding along) and its counters per status (webhook_list), and webhook_redeliver's "every dead
 * delivery of this webhook". SQLite has no index on the foreign key otherwise.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_deliveries', (t) => t.index(['webhook_id', 'status'], 'webhook_deliveries_hook_status_idx'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_deliveries', (t) => t.dropIndex(['webhook_id', 'status'], 'webhook_deliveries_hook_status_idx'));
}

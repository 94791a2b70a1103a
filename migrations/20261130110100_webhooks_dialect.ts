import type { Knex } from 'knex';

/**
 * webhooks.dialect — a webhook created through a dialect's front door (ISPBills) is delivered in that dialect's
 * event names and payload shape; null is ispgate's own shape. The subscription itself stays in `events` under
 * ispgate's event names, so the outbox fans out to it like to any other webhook.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhooks', (t) => {
    t.string('dialect', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhooks', (t) => {
    t.dropColumn('dialect');
  });
}

import type { Knex } from 'knex';

/**
 * notification_deliveries — one row per recipient and channel; the row is what makes a send exactly-once across a
 * restart: a worker claims queued rows (state sending, claim token, claimed_until) before it talks to a provider,
 * and records the answer after. state: queued | sending | sent | failed | skipped | unknown (the worker died while
 * the provider had the message: it is not sent again, since the provider may have delivered it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification_deliveries', (t) => {
    t.increments('id');
    t.integer('notification_id').unsigned().notNullable().references('notifications.id').onDelete('CASCADE');
    t.string('recipient_type', 16).notNullable();
    t.integer('recipient_id').nullable();
    t.string('recipient_name', 191).nullable();
    t.string('channel', 16).notNullable();
    t.string('address', 512).nullable();
    t.string('language', 2).nullable();
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('claim_token', 36).nullable();
    t.dateTime('claimed_until').nullable();
    t.dateTime('next_attempt_at').notNullable();
    t.string('last_response', 1000).nullable();
    t.dateTime('sent_at').nullable();
    t.dateTime('updated_at').notNullable();
    t.unique(['notification_id', 'recipient_type', 'recipient_id', 'channel'], { indexName: 'notification_deliveries_recipient_unique' });
    t.index(['notification_id', 'state', 'next_attempt_at'], 'notification_deliveries_state_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notification_deliveries');
}

import type { Knex } from 'knex';

/**
 * payment_attempts — one charge of a saved method at a gateway. The row is committed before the gateway is
 * called, keyed by attempt_key (the client's idempotency key plus the invoice), so a repeated request finds it
 * instead of charging again. status: 'processing' (sent, no answer yet) | 'succeeded' | 'pending' (the webhook
 * will settle it) | 'declined' | 'unknown' (the gateway did not answer; never re-sent to a gateway without its
 * own idempotency). gateway_ref is the gateway's id used to match its webhooks.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payment_attempts', (t) => {
    t.increments('id');
    t.string('attempt_key', 191).notNullable().unique();
    t.string('gateway', 16).notNullable();
    t.integer('invoice_id').unsigned().notNullable().references('invoices.id').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.string('status', 16).notNullable();
    t.string('gateway_ref', 191).nullable();
    t.string('decline_code', 64).nullable();
    t.string('message', 255).nullable();
    t.integer('retry_of').unsigned().nullable();
    t.boolean('automatic').notNullable().defaultTo(false);
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.unique(['gateway', 'gateway_ref']);
    t.index(['invoice_id']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payment_attempts');
}

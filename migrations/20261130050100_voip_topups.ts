import type { Knex } from 'knex';

/**
 * voip_topups — one row per credit sent to MOR, keyed by the caller's idempotency key. The row is committed before
 * MOR is called; status: pending (not sent yet, or sent and refused by MOR: safe to send) | sending (sent, no answer
 * yet) | unknown (the reply was lost) | succeeded. A row left sending/unknown is resolved by reading the balance
 * back before anything is sent again. balance_before is MOR's balance just before the credit was sent.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('voip_topups', (t) => {
    t.increments('id');
    t.string('topup_key', 160).notNullable().unique();
    t.integer('customer_id').unsigned().nullable();
    t.integer('mor_user_id').unsigned().notNullable();
    t.string('mor_username', 64).nullable();
    t.bigInteger('amount_cents').notNullable();
    t.string('currency', 3).notNullable();
    t.string('method', 24).notNullable();
    t.string('status', 16).notNullable();
    t.string('balance_before', 32).nullable();
    t.string('balance_after', 32).nullable();
    t.string('mor_payment_id', 64).nullable();
    t.string('resolved_by', 16).nullable();
    t.integer('invoice_id').unsigned().nullable();
    t.integer('sends').notNullable().defaultTo(0);
    t.string('message', 255).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.index(['customer_id']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('voip_topups');
}

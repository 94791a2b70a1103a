import type { Knex } from 'knex';

/**
 * payments — money received against an invoice. method: 'cash' | 'bank_transfer' | 'dias' | 'manual' | a gateway
 * name. reference is the bank reference (DIAS) or the gateway's id; (method, reference) is unique so the same
 * bank line imported twice, or a gateway's synchronous answer and its webhook, count once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payments', (t) => {
    t.increments('id');
    t.integer('invoice_id').unsigned().notNullable().references('invoices.id').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.string('method', 16).notNullable();
    t.string('reference', 191).nullable();
    t.integer('attempt_id').unsigned().nullable();
    t.date('paid_on').notNullable();
    t.dateTime('created_at').notNullable();
    t.unique(['method', 'reference']);
    t.index(['invoice_id']);
    t.index(['customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payments');
}

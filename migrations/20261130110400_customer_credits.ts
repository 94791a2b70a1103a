import type { Knex } from 'knex';

/**
 * customer_credits — the subscriber's prepaid balance as a ledger: every credit (a redeemed recharge card) is one
 * row with its source, unique per source so the same card or reference can never credit twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customer_credits', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.bigInteger('amount_cents').notNullable();
    t.string('source', 32).notNullable();
    t.string('reference', 128).notNullable();
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.unique(['source', 'reference']);
    t.index(['customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('customer_credits');
}

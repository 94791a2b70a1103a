import type { Knex } from 'knex';

/**
 * Invoice series with their next number. Greek bookkeeping requires numbers without gaps per series: the
 * number is taken under a row lock in the same transaction that writes the invoice, so a rollback returns it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoice_series', (t) => {
    t.increments('id');
    t.string('code', 10).notNullable().unique();
    t.string('description', 191).nullable();
    t.integer('next_number').notNullable().defaultTo(1);
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_series');
}

import type { Knex } from 'knex';

/**
 * operator_funds — every top-up of an operator's balance, unique per (operator, reference): a retried fund call
 * with the same reference finds its row and adds nothing, so money lands exactly once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operator_funds', (t) => {
    t.increments('id');
    t.integer('operator_id').unsigned().notNullable().references('id').inTable('operators').onDelete('CASCADE');
    t.bigInteger('amount_cents').notNullable();
    t.string('reference', 128).notNullable();
    t.string('note', 255).nullable();
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.unique(['operator_id', 'reference']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('operator_funds');
}

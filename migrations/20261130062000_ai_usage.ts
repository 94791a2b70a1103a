import type { Knex } from 'knex';

/** ai_usage — one row per call to the language model: tokens and cost, counted against the daily budget. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ai_usage', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable();
    t.string('model', 64).notNullable();
    t.integer('prompt_tokens').notNullable().defaultTo(0);
    t.integer('completion_tokens').notNullable().defaultTo(0);
    t.integer('total_tokens').notNullable().defaultTo(0);
    // Millionths of a US dollar, so a cheap call is not rounded to nothing.
    t.bigInteger('cost_micro_usd').notNullable().defaultTo(0);
    t.string('actor', 128).nullable();
    t.date('day').notNullable();
    t.dateTime('created_at').notNullable();
    t.index(['day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ai_usage');
}

import type { Knex } from 'knex';

/**
 * ai_proposals — a write the assistant proposed; it runs only when the same caller confirms it with ai_confirm.
 * status: pending | confirmed | failed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ai_proposals', (t) => {
    t.string('id', 36).primary();
    t.string('action', 64).notNullable();
    t.text('params').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('actor_type', 16).notNullable();
    t.integer('actor_admin_id').nullable();
    t.integer('actor_api_key_id').nullable();
    t.text('result').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('decided_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ai_proposals');
}

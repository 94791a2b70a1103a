import type { Knex } from 'knex';

/**
 * idempotency_keys — the answer given to a money action for a client's Idempotency-Key, replayed verbatim on a
 * repeat. request_hash refuses the same key reused for a different request. status: 'in_progress' | 'done' |
 * 'failed' (an error answer; the client may retry with the same key, and the attempts table keeps that safe).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.increments('id');
    t.string('idem_key', 191).notNullable().unique();
    t.string('action', 64).notNullable();
    t.string('request_hash', 64).notNullable();
    t.string('status', 16).notNullable();
    t.text('response').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}

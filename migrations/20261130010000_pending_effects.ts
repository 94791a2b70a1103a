import type { Knex } from 'knex';

/**
 * pending_effects — an outside effect (a router entry, a CoA, a gateway call) that could not be finished or undone
 * after its rows were committed. A job converges each one (it retries, then reports): state pending → done, or
 * failed after its attempts with the last error kept for an operator.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pending_effects', (t) => {
    t.increments('id');
    t.string('task', 64).notNullable();
    // What the effect is about (e.g. "router:3:user:alice"); a second record for it while one is pending is merged.
    t.string('target', 191).notNullable();
    t.text('data').nullable();
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('last_error_code', 64).nullable();
    t.text('last_error').nullable();
    t.string('job_id', 36).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.dateTime('resolved_at').nullable();
    t.index(['state', 'updated_at']);
    t.index(['target']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pending_effects');
}

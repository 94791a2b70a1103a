import type { Knex } from 'knex';

/**
 * router_liveness — the offline/online state machine per router: consecutive failed probes, the state last
 * announced (router.offline / router.online are emitted on a change of this state only, so flapping below the
 * threshold announces nothing), and when it changed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('router_liveness', (t) => {
    t.integer('router_id').unsigned().primary().references('id').inTable('routers').onDelete('CASCADE');
    t.string('state', 16).notNullable();
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.string('last_error', 64).nullable();
    t.dateTime('last_probe_at').nullable();
    t.dateTime('last_ok_at').nullable();
    t.dateTime('changed_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('router_liveness');
}

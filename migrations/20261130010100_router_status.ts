import type { Knex } from 'knex';

/**
 * routers.status / status_error / status_checked_at — what the probe job last saw (online | offline | auth_failed,
 * or unknown before the first probe), so get_routers reads it instead of logging in to every router per request.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routers', (t) => {
    t.string('status', 16).notNullable().defaultTo('unknown');
    t.string('status_error', 64).nullable();
    t.dateTime('status_checked_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routers', (t) => {
    t.dropColumn('status_checked_at');
    t.dropColumn('status_error');
    t.dropColumn('status');
  });
}

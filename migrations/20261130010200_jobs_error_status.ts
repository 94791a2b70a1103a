import type { Knex } from 'knex';

/**
 * jobs.error_status — the HTTP status of the error a job failed with, so an action that waited for its job answers
 * the same status the work would have answered in the request (router_unreachable 502, plan_not_found 404 …).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.integer('error_status').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.dropColumn('error_status');
  });
}

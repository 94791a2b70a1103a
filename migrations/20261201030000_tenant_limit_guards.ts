import type { Knex } from 'knex';

/**
 * One row per limited kind (subscribers, routers) in every database: an add locks its kind's row first in the
 * transaction that inserts, so concurrent adds of a tenant with plan limits queue instead of overshooting them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenant_limit_guards', (t) => {
    t.string('kind', 32).primary();
  });
  await knex('tenant_limit_guards').insert([{ kind: 'subscribers' }, { kind: 'routers' }]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('tenant_limit_guards');
}

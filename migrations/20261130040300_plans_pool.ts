import type { Knex } from 'knex';

/** plans.pool — the Network Settings pool a plan's subscribers draw from (FreeRADIUS replies Framed-Pool). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plans', (t) => {
    t.string('pool', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plans', (t) => {
    t.dropColumn('pool');
  });
}

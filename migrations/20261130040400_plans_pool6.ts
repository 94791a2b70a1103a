import type { Knex } from 'knex';

/** plans.pool6 — the IPv6 prefix-delegation pool of a plan (FreeRADIUS replies Delegated-IPv6-Prefix-Pool). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plans', (t) => {
    t.string('pool6', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plans', (t) => {
    t.dropColumn('pool6');
  });
}

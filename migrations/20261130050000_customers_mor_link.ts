import type { Knex } from 'knex';

/**
 * customers.mor_user_id / mor_username — the subscriber's user on the MOR VoIP billing server. MOR's legacy API names
 * a user by id for some calls (payment_create, user_calls_get, device_create) and by username for others
 * (user_balance_get), so both are kept. Set by mor_provisioning or by edit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.integer('mor_user_id').unsigned().nullable();
    t.string('mor_username', 64).nullable();
    t.index(['mor_user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['mor_user_id']);
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('mor_username');
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('mor_user_id');
  });
}

import type { Knex } from 'knex';

/**
 * What tenant_provision records about a tenant in the platform database: its branding, language and time
 * zone, plan limits, and the database (and MariaDB user) made for it, so delete can remove exactly those.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tenants', (t) => {
    t.text('branding').nullable();
    t.string('language', 8).nullable();
    t.string('timezone', 64).nullable();
    t.integer('max_subscribers').nullable();
    t.integer('max_routers').nullable();
    t.string('db_name', 64).nullable();
    t.string('db_user', 80).nullable();
    t.dateTime('suspended_at').nullable();
    t.dateTime('updated_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tenants', (t) => {
    t.dropColumns('branding', 'language', 'timezone', 'max_subscribers', 'max_routers', 'db_name', 'db_user', 'suspended_at', 'updated_at');
  });
}

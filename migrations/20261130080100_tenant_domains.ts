import type { Knex } from 'knex';

/** The host names a tenant answers on; a name belongs to one tenant only. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenant_domains', (t) => {
    t.increments('id');
    t.integer('tenant_id').unsigned().notNullable().references('tenants.id').onDelete('CASCADE');
    t.string('hostname', 191).notNullable().unique();
    t.index(['tenant_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('tenant_domains');
}

import type { Knex } from 'knex';

/**
 * erp_links — which local record (kind customer | invoice | payment, local_id) is which record at the ERP
 * (remote_id), and whether the ERP has it: state pending | synced | refused. A refused record keeps the ERP's own
 * message in last_error; a sync job retries pending ones until the ERP acknowledges them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('erp_links', (t) => {
    t.increments('id');
    t.string('provider', 16).notNullable();
    t.string('kind', 16).notNullable();
    t.integer('local_id').unsigned().notNullable();
    t.string('remote_id', 64).nullable();
    t.string('state', 16).notNullable();
    t.text('last_error').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('synced_version', 32).nullable();
    t.dateTime('synced_at').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.unique(['provider', 'kind', 'local_id']);
    t.index(['state']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('erp_links');
}

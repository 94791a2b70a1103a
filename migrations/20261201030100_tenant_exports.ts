import type { Knex } from 'knex';

/**
 * Dumps written by tenant_delete export=1 (platform database): the file under DATA_DIR/exports/tenants/ and what
 * it holds, so a platform operator can list and download them after the tenant is gone. No foreign key to
 * tenants: the export outlives the tenant row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenant_exports', (t) => {
    t.increments('id');
    t.integer('tenant_id').unsigned().notNullable();
    t.string('slug', 64).notNullable();
    t.string('file', 255).notNullable().unique();
    t.bigInteger('bytes').notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('tables').notNullable();
    t.bigInteger('rows').notNullable();
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.index(['slug']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('tenant_exports');
}

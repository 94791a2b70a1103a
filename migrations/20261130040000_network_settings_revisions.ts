import type { Knex } from 'knex';

/**
 * network_settings_revisions — every save of the Network Settings (pools, VLANs, OSPF, VPLS, static routes) as one
 * JSON document. The highest revision is the current one; an older one is restored by saving it again as a new
 * revision, so the history is never rewritten.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('network_settings_revisions', (t) => {
    t.increments('id');
    t.integer('revision').notNullable().unique();
    t.text('settings').notNullable();
    t.integer('restored_from').nullable();
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('network_settings_revisions');
}

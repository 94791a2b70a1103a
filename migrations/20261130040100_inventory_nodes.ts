import type { Knex } from 'knex';

/**
 * inventory_nodes — the IPAM device inventory. status: pending | approved; source: manual | discovery. An address
 * is held by at most one node (unique ip). SNMP community is sealed with the app key.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inventory_nodes', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.string('ip', 45).nullable().unique();
    t.string('type', 16).notNullable();
    t.string('location', 255).nullable();
    t.text('notes').nullable();
    t.string('mac_address', 17).nullable();
    t.string('vendor', 64).nullable();
    t.string('model', 64).nullable();
    t.string('serial', 64).nullable();
    t.decimal('latitude', 9, 6).nullable();
    t.decimal('longitude', 9, 6).nullable();
    t.integer('parent_id').unsigned().nullable().references('inventory_nodes.id').onDelete('SET NULL');
    t.string('snmp_version', 4).nullable();
    t.integer('snmp_port').nullable();
    t.text('snmp_community_enc').nullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('source', 16).notNullable().defaultTo('manual');
    t.string('created_by', 128).nullable();
    t.string('approved_by', 128).nullable();
    t.dateTime('approved_at').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.index(['status']);
    t.index(['type']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inventory_nodes');
}

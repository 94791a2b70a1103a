import type { Knex } from 'knex';

/** inventory_nodes loses its SNMP columns: the settings live in snmp_devices (previous migration). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('inventory_nodes', (t) => {
    t.dropColumn('snmp_community_enc');
    t.dropColumn('snmp_port');
    t.dropColumn('snmp_version');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('inventory_nodes', (t) => {
    t.string('snmp_version', 4).nullable();
    t.integer('snmp_port').nullable();
    t.text('snmp_community_enc').nullable();
  });
}

import type { Knex } from 'knex';

/**
 * snmp_devices — how to reach a device over SNMP: a router (kind 'router', ref_id = routers.id) or an approved
 * inventory node (kind 'inventory', ref_id = inventory_nodes.id). Community and v3 keys are sealed with APP_KEY.
 * The last poll's outcome (reachable, sysUpTime, latency, error) is kept here so a reboot is told from a wrap.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snmp_devices', (t) => {
    t.increments('id').primary();
    t.string('kind', 16).notNullable();
    t.integer('ref_id').notNullable();
    t.string('host', 255).notNullable();
    t.string('name', 255).nullable();
    t.string('snmp_version', 4).notNullable();
    t.integer('snmp_port').notNullable().defaultTo(161);
    t.text('community_enc').nullable();
    t.string('snmp_user', 64).nullable();
    t.string('auth_protocol', 16).nullable();
    t.text('auth_key_enc').nullable();
    t.string('priv_protocol', 16).nullable();
    t.text('priv_key_enc').nullable();
    t.boolean('reachable').nullable();
    t.string('sys_descr', 255).nullable();
    t.string('sys_name', 255).nullable();
    t.bigInteger('uptime_ticks').nullable();
    t.integer('latency_ms').nullable();
    t.string('last_error', 64).nullable();
    t.string('last_error_message', 255).nullable();
    t.dateTime('last_poll_at').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.unique(['kind', 'ref_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snmp_devices');
}

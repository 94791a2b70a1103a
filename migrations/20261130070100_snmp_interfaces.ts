import type { Knex } from 'knex';

/**
 * snmp_interfaces — one row per interface of an SNMP device, with the counters of the last poll (64-bit values
 * kept as decimal strings: they do not fit a JS number) and the rates computed from the last two polls.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snmp_interfaces', (t) => {
    t.increments('id').primary();
    t.integer('device_id').unsigned().notNullable().references('id').inTable('snmp_devices').onDelete('CASCADE');
    t.integer('if_index').notNullable();
    t.string('name', 255).nullable();
    t.string('alias', 255).nullable();
    t.string('oper_status', 16).nullable();
    t.integer('high_speed_mbps').nullable();
    t.string('in_octets', 20).nullable();
    t.string('out_octets', 20).nullable();
    t.bigInteger('in_bps').nullable();
    t.bigInteger('out_bps').nullable();
    t.bigInteger('in_errors').nullable();
    t.bigInteger('out_errors').nullable();
    t.bigInteger('in_discards').nullable();
    t.bigInteger('out_discards').nullable();
    t.bigInteger('sampled_at_ms').nullable();
    t.integer('interval_ms').nullable();
    t.string('in_octets_delta', 20).nullable();
    t.string('out_octets_delta', 20).nullable();
    t.string('rate_note', 32).nullable();
    t.dateTime('updated_at').notNullable();
    t.unique(['device_id', 'if_index']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snmp_interfaces');
}

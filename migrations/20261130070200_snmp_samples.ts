import type { Knex } from 'knex';

/** snmp_samples — raw rate samples (one per interface per poll), kept SNMP_RAW_RETENTION_H then rolled up. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snmp_samples', (t) => {
    t.bigIncrements('id').primary();
    t.integer('device_id').unsigned().notNullable().references('id').inTable('snmp_devices').onDelete('CASCADE');
    t.integer('if_index').notNullable();
    t.dateTime('at').notNullable();
    t.bigInteger('in_bps').notNullable();
    t.bigInteger('out_bps').notNullable();
    t.index(['device_id', 'if_index', 'at']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snmp_samples');
}

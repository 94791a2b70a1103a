import type { Knex } from 'knex';

/** snmp_rollups — 5-minute averages and maxima of raw samples, kept SNMP_ROLLUP_RETENTION_D. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snmp_rollups', (t) => {
    t.bigIncrements('id').primary();
    t.integer('device_id').unsigned().notNullable().references('id').inTable('snmp_devices').onDelete('CASCADE');
    t.integer('if_index').notNullable();
    t.dateTime('bucket_at').notNullable();
    t.integer('samples').notNullable();
    t.bigInteger('in_avg').notNullable();
    t.bigInteger('in_max').notNullable();
    t.bigInteger('out_avg').notNullable();
    t.bigInteger('out_max').notNullable();
    t.unique(['device_id', 'if_index', 'bucket_at']);
    t.index(['bucket_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('snmp_rollups');
}

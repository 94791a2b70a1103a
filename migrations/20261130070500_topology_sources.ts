import type { Knex } from 'knex';

/** topology_sources — where get_topology reads devices and links (LibreNMS, Observium, Zabbix, MikroTik). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('topology_sources', (t) => {
    t.increments('id').primary();
    t.string('source', 16).notNullable().unique();
    t.string('url', 500).nullable();
    t.text('token_enc').nullable();
    t.string('username', 128).nullable();
    t.text('password_enc').nullable();
    t.boolean('verify_tls').notNullable().defaultTo(true);
    t.integer('poll_interval_s').notNullable().defaultTo(300);
    t.dateTime('last_poll_at').nullable();
    t.string('last_error', 64).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('topology_sources');
}

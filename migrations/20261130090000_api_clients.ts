import type { Knex } from 'knex';

/**
 * api_clients — credentials for the other front doors (the ISPBills and SmartISP dialects): ISPBills v2's
 * client_id/client_secret pair, SmartISP's app key. Like API keys they act for an admin (admin_id null: a platform
 * credential holding every permission), are shown once and stored only as SHA-256 hashes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_clients', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable();
    t.string('dialect', 16).notNullable();
    // ISPBills: the public client_id; SmartISP: the key's first characters, for the operator to recognise it.
    t.string('client_id', 64).notNullable().unique();
    t.string('secret_hash', 64).notNullable().unique();
    t.integer('admin_id').unsigned().nullable().references('id').inTable('admins').onDelete('CASCADE');
    t.dateTime('created_at').notNullable();
    t.dateTime('last_used_at').nullable();
    t.dateTime('revoked_at').nullable();
    t.index(['dialect']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_clients');
}

import type { Knex } from 'knex';

/**
 * dialect_tokens — bearer tokens issued by the ISPBills front door: v1 access and refresh tokens (admin e-mail +
 * password login) and v2 client-credential tokens. Stored only as SHA-256 hashes; they act for an admin (null: a
 * platform client holding every permission) and expire. A refresh token names the access token it was issued
 * with (pair_id), so a refresh revokes both.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dialect_tokens', (t) => {
    t.increments('id');
    t.string('dialect', 16).notNullable();
    t.string('kind', 16).notNullable(); // v1_access | v1_refresh | v2_access
    t.string('token_hash', 64).notNullable().unique();
    t.integer('admin_id').unsigned().nullable().references('id').inTable('admins').onDelete('CASCADE');
    t.integer('api_client_id').unsigned().nullable().references('id').inTable('api_clients').onDelete('CASCADE');
    t.integer('pair_id').unsigned().nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('expires_at').notNullable();
    t.dateTime('revoked_at').nullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dialect_tokens');
}

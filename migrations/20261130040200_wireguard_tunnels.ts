import type { Knex } from 'knex';

/**
 * wireguard_tunnels — one row per provisioned WireGuard peer: a subscriber's or a named site's. The client private
 * key (and preshared key) are sealed with the app key so the same config can be handed out again.
 * status: active | revoked. A revoked tunnel frees its address (address is nulled, kept in revoked_address).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wireguard_tunnels', (t) => {
    t.increments('id');
    t.integer('customer_id').unsigned().nullable().references('customers.id').onDelete('SET NULL');
    t.string('name', 100).notNullable();
    t.integer('router_id').unsigned().nullable().references('routers.id').onDelete('SET NULL');
    t.string('pool', 64).notNullable();
    t.string('interface', 64).notNullable();
    t.string('address', 45).nullable().unique();
    t.string('revoked_address', 45).nullable();
    t.string('public_key', 44).notNullable();
    t.text('private_key_enc').notNullable();
    t.text('preshared_key_enc').nullable();
    t.string('server_public_key', 44).notNullable();
    t.string('endpoint', 255).notNullable();
    t.string('allowed_ips', 255).notNullable();
    t.string('dns', 255).nullable();
    t.integer('keepalive').nullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.string('created_by', 128).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('revoked_at').nullable();
    t.index(['customer_id']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wireguard_tunnels');
}

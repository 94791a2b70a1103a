import type { Knex } from 'knex';

/**
 * Service plans, MikroTik routers and subscribers. Rates in bits per second, prices in cents. Router
 * credentials are sealed with the app key (…_enc columns) and never leave the gateway.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plans', (t) => {
    t.increments('id');
    t.string('name', 64).notNullable().unique();
    t.bigInteger('download_bps').notNullable();
    t.bigInteger('upload_bps').notNullable();
    t.integer('price_cents').notNullable().defaultTo(0);
    // Normalised MikroTik pairs, upload/download: '15M/120M', '8M/80M', seconds '16/16'.
    t.string('burst_limit', 64).nullable();
    t.string('burst_threshold', 64).nullable();
    t.string('burst_time', 32).nullable();
    t.integer('priority').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });

  await knex.schema.createTable('routers', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable().unique();
    t.string('ip', 45).notNullable();
    t.integer('api_port').notNullable();
    t.string('api_user', 64).notNullable();
    t.text('api_password_enc').notNullable();
    t.boolean('tls').notNullable().defaultTo(false);
    // FreeRADIUS identifies a NAS by source IP, so two routers cannot share one.
    t.string('radius_ip', 45).notNullable().unique();
    t.text('radius_secret_enc').notNullable();
    t.integer('coa_port').notNullable().defaultTo(3799);
    t.string('mode', 8).notNullable().defaultTo('radius');
    t.dateTime('last_seen_at').nullable();
    t.string('last_error', 255).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });

  await knex.schema.createTable('customers', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    // Stored as FreeRADIUS must read it for Cleartext-Password (PAP and CHAP both need the clear value).
    t.string('password', 128).notNullable();
    t.string('fullname', 191).nullable();
    t.string('email', 191).nullable();
    t.string('phone', 32).nullable();
    t.string('address', 255).nullable();
    t.string('afm', 9).nullable();
    t.integer('plan_id').unsigned().notNullable().references('plans.id').onDelete('RESTRICT');
    t.integer('router_id').unsigned().nullable().references('routers.id').onDelete('SET NULL');
    t.string('static_ip', 15).nullable().unique();
    t.string('mac_address', 17).nullable();
    t.text('custom_fields').nullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.string('suspend_reason', 255).nullable();
    t.dateTime('activated_at').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.index(['status']);
    t.index(['plan_id']);
    t.index(['router_id']);
    t.index(['mac_address']);
    t.index(['phone']);
    t.index(['afm']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('customers');
  await knex.schema.dropTable('routers');
  await knex.schema.dropTable('plans');
}

import type { Knex } from 'knex';

/**
 * Core tables of every tenant database: admins and their 2FA, panel sessions, API keys, settings,
 * the audit trail, the event outbox and webhook delivery. Times are UTC DATETIMEs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (t) => {
    t.increments('id');
    t.string('slug', 64).notNullable().unique();
    t.string('name', 191).notNullable();
    t.string('hostname', 191).nullable().unique();
    t.text('database_url_enc').nullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.dateTime('created_at').notNullable();
  });

  await knex.schema.createTable('admins', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('email', 191).nullable();
    t.string('password_hash', 255).notNullable();
    t.string('role', 32).notNullable().defaultTo('operator');
    t.text('permissions').notNullable();
    t.boolean('is_primary').notNullable().defaultTo(false);
    t.boolean('totp_enabled').notNullable().defaultTo(false);
    t.text('totp_secret_enc').nullable();
    t.text('totp_pending_enc').nullable();
    t.bigInteger('totp_last_step').nullable();
    t.dateTime('last_login_at').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });

  await knex.schema.createTable('admin_recovery_codes', (t) => {
    t.increments('id');
    t.integer('admin_id').unsigned().notNullable().references('admins.id').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    t.dateTime('used_at').nullable();
    t.index(['admin_id']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.increments('id');
    t.string('token_hash', 64).notNullable().unique();
    t.string('csrf_hash', 64).notNullable();
    t.integer('admin_id').unsigned().notNullable().references('admins.id').onDelete('CASCADE');
    t.integer('active_router_id').nullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 255).nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('expires_at').notNullable();
    t.dateTime('last_seen_at').nullable();
  });

  await knex.schema.createTable('api_keys', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable();
    t.string('key_hash', 64).notNullable().unique();
    t.string('key_prefix', 16).notNullable();
    t.integer('admin_id').unsigned().nullable().references('admins.id').onDelete('CASCADE');
    t.integer('active_router_id').nullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('last_used_at').nullable();
    t.dateTime('revoked_at').nullable();
  });

  await knex.schema.createTable('settings', (t) => {
    t.string('key', 128).primary();
    t.text('value').notNullable();
    t.dateTime('updated_at').notNullable();
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.string('actor_type', 16).notNullable();
    t.integer('actor_id').nullable();
    t.string('actor_name', 128).nullable();
    t.string('action', 64).notNullable();
    t.string('target', 191).nullable();
    t.string('ip', 64).nullable();
    t.string('request_id', 64).nullable();
    t.text('params').nullable();
    t.dateTime('created_at').notNullable();
    t.index(['created_at']);
    t.index(['action']);
  });

  await knex.schema.createTable('outbox_events', (t) => {
    t.bigIncrements('id');
    t.string('event_id', 36).notNullable().unique();
    t.string('event', 64).notNullable();
    t.text('payload').notNullable();
    t.dateTime('created_at').notNullable();
  });

  await knex.schema.createTable('webhooks', (t) => {
    t.increments('id');
    t.string('url', 2048).notNullable();
    t.text('events').notNullable();
    t.text('secret_enc').notNullable();
    t.string('description', 255).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.bigInteger('outbox_id').unsigned().notNullable().references('outbox_events.id').onDelete('CASCADE');
    t.integer('webhook_id').unsigned().notNullable().references('webhooks.id').onDelete('CASCADE');
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.dateTime('next_attempt_at').notNullable();
    t.dateTime('locked_until').nullable();
    t.integer('last_status_code').nullable();
    t.string('last_error', 512).nullable();
    t.dateTime('delivered_at').nullable();
    t.dateTime('created_at').notNullable();
    t.index(['status', 'next_attempt_at']);
  });

  await knex.schema.createTable('webhook_attempts', (t) => {
    t.bigIncrements('id');
    t.bigInteger('delivery_id').unsigned().notNullable().references('webhook_deliveries.id').onDelete('CASCADE');
    t.integer('status_code').nullable();
    t.string('error', 512).nullable();
    t.integer('duration_ms').notNullable();
    t.dateTime('attempted_at').notNullable();
    t.index(['delivery_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['webhook_attempts', 'webhook_deliveries', 'webhooks', 'outbox_events', 'audit_log', 'settings', 'api_keys', 'sessions', 'admin_recovery_codes', 'admins', 'tenants']) {
    await knex.schema.dropTableIfExists(t);
  }
}

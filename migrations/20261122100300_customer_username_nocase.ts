import type { Knex } from 'knex';

/**
 * On MariaDB (utf8mb4_unicode_ci) "Alice" and "alice" already collide on customers.username, and FreeRADIUS's
 * SQL look-up would match either. SQLite compares bytes; this index makes it refuse the same pair, so two
 * requests racing past the service's check cannot create both there either.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2' || knex.client.config.client === 'mysql') return;
  await knex.raw('CREATE UNIQUE INDEX customers_username_nocase ON customers (username COLLATE NOCASE)');
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2' || knex.client.config.client === 'mysql') return;
  await knex.raw('DROP INDEX IF EXISTS customers_username_nocase');
}

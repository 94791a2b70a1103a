import type { Knex } from 'knex';

/**
 * Usernames of subscribers and admins are unique regardless of case (and accents) on both dialects, by an
 * index. MariaDB: the unique indexes already compare with utf8mb4_unicode_ci; the columns are set to that
 * collation explicitly, so a server whose default is a binary collation behaves the same. SQLite: a unique
 * expression index on ispgate_fold(username) (registered on every connection, see db/knex.ts) replaces the
 * ASCII-only NOCASE one, so "Αλέξης" and "ΑΛΕΞΗΣ" collide there too.
 */
const isMysql = (knex: Knex) => knex.client.config.client === 'mysql2' || knex.client.config.client === 'mysql';

export async function up(knex: Knex): Promise<void> {
  if (isMysql(knex)) {
    await knex.raw('ALTER TABLE customers MODIFY username VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    await knex.raw('ALTER TABLE admins MODIFY username VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    return;
  }
  await knex.raw('DROP INDEX IF EXISTS customers_username_nocase');
  await knex.raw('CREATE UNIQUE INDEX customers_username_fold ON customers (ispgate_fold(username))');
  await knex.raw('CREATE UNIQUE INDEX admins_username_fold ON admins (ispgate_fold(username))');
}

export async function down(knex: Knex): Promise<void> {
  // MariaDB: the collation stays (the previous one is not known, and unicode_ci is what the schema assumes).
  if (isMysql(knex)) return;
  await knex.raw('DROP INDEX IF EXISTS admins_username_fold');
  await knex.raw('DROP INDEX IF EXISTS customers_username_fold');
  await knex.raw('CREATE UNIQUE INDEX customers_username_nocase ON customers (username COLLATE NOCASE)');
}

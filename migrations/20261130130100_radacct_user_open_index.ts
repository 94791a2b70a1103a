import type { Knex } from 'knex';

/**
 * radacct (username, acctstoptime): a subscriber's open sessions (radius_sessions by username, disconnect/CoA, and
 * FreeRADIUS's simultaneous-use check `WHERE username = ? AND acctstoptime IS NULL`) come from one index range.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('radacct', (t) => t.index(['username', 'acctstoptime'], 'radacct_user_open_idx'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('radacct', (t) => t.dropIndex(['username', 'acctstoptime'], 'radacct_user_open_idx'));
}

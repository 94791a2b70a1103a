import type { Knex } from 'knex';
import { freeradiusDdl } from '../src/db/freeradius-schema';

/**
 * The FreeRADIUS 3 SQL tables (radacct, radcheck, radgroupcheck, radgroupreply, radreply, radusergroup,
 * radpostauth, nas, nasreload), from the one definition in src/db/freeradius-schema.ts: on MariaDB exactly
 * FreeRADIUS 3.2's mysql schema.sql, on SQLite the same columns. (This file once wrote raw DDL for MariaDB and
 * used the schema builder for SQLite; the tables it makes are the same columns, types and defaults as before.)
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = knex.client.config.client === 'mysql2' || knex.client.config.client === 'mysql';
  for (const sql of freeradiusDdl(mysql ? 'mysql' : 'sqlite')) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['nasreload', 'nas', 'radpostauth', 'radusergroup', 'radreply', 'radgroupreply', 'radgroupcheck', 'radcheck', 'radacct']) {
    await knex.schema.dropTable(t);
  }
}

import type { Knex } from 'knex';

/**
 * radacct (nasipaddress, acctstoptime): radius_sessions by NAS or router reads a NAS's open sessions newest first
 * from this index alone (the primary key rides along in both engines, so the order needs no sort), and FreeRADIUS's
 * own Accounting-On/Off query (close every open session of a NAS) finds them the same way. The single-column
 * indexes of FreeRADIUS's schema stay.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('radacct', (t) => t.index(['nasipaddress', 'acctstoptime'], 'radacct_nas_open_idx'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('radacct', (t) => t.dropIndex(['nasipaddress', 'acctstoptime'], 'radacct_nas_open_idx'));
}

import type { Knex } from 'knex';

/**
 * An inventory node's SNMP settings move to snmp_devices (kind 'inventory'), where routers' already are, so one
 * table says how to reach every device and the collection cycle polls approved nodes alongside routers. A node
 * saved with a community and an address is copied as v2c (its sealed community as is: same APP_KEY); a legacy v1
 * or community-less entry had nothing a poll could use and is not copied. The old columns are dropped by the next
 * migration.
 */
export async function up(knex: Knex): Promise<void> {
  const rows = await knex('inventory_nodes')
    .whereIn('snmp_version', ['1', '2c'])
    .whereNotNull('snmp_community_enc')
    .whereNotNull('ip')
    .select('id', 'name', 'ip', 'snmp_port', 'snmp_community_enc');
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  for (const r of rows) {
    const exists = await knex('snmp_devices').where({ kind: 'inventory', ref_id: r.id }).first('id');
    if (exists) continue;
    await knex('snmp_devices').insert({
      kind: 'inventory',
      ref_id: r.id,
      host: r.ip,
      name: r.name,
      snmp_version: '2c',
      snmp_port: r.snmp_port ?? 161,
      community_enc: r.snmp_community_enc,
      created_at: now,
      updated_at: now,
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  const rows = await knex('snmp_devices').where({ kind: 'inventory', snmp_version: '2c' }).select('ref_id', 'snmp_port', 'community_enc');
  for (const r of rows) {
    await knex('inventory_nodes').where({ id: r.ref_id }).update({ snmp_version: '2c', snmp_port: r.snmp_port, snmp_community_enc: r.community_enc });
  }
  await knex('snmp_devices').where({ kind: 'inventory' }).delete();
}

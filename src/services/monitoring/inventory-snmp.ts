/**
 * SNMP settings typed on an inventory node (save_inventory_node: snmp_version 2c, snmp_port, snmp_community) made
 * pollable: each approved node with an address and v2c settings has its snmp_devices row (kind 'inventory'), which
 * the collection cycle polls like a router's and whose last poll is the node's status (OLTs, ONUs, Ubiquiti and
 * Cambium radios). A node that is gone, no longer approved, without an address or without v2c settings loses its
 * row. The sealed community is copied as sealed: both rows are sealed with the same APP_KEY.
 */
import type { Knex } from 'knex';
import { nowUtc } from '../../db/knex';

type Db = Knex | Knex.Transaction;

export async function syncInventorySnmp(db: Db): Promise<{ added: number; updated: number; removed: number }> {
  const nodes = await db('inventory_nodes')
    .where({ status: 'approved', snmp_version: '2c' })
    .whereNotNull('ip')
    .whereNotNull('snmp_community_enc')
    .select('id', 'name', 'ip', 'snmp_port', 'snmp_community_enc');
  const want = new Map(nodes.map((n) => [Number(n.id), n]));
  const have = await db('snmp_devices').where({ kind: 'inventory' }).select('id', 'ref_id', 'host', 'name', 'snmp_version', 'snmp_port', 'community_enc');
  let added = 0;
  let updated = 0;
  const stale: number[] = [];
  const now = nowUtc();
  for (const row of have) {
    const n = want.get(Number(row.ref_id));
    if (!n) {
      stale.push(Number(row.id));
      continue;
    }
    want.delete(Number(row.ref_id));
    const next = { host: n.ip, name: n.name, snmp_version: '2c', snmp_port: Number(n.snmp_port ?? 161), community_enc: n.snmp_community_enc };
    const moved = next.host !== row.host || next.name !== row.name || row.snmp_version !== '2c' || Number(row.snmp_port) !== next.snmp_port || row.community_enc !== next.community_enc;
    if (moved) {
      // A new address or community is another device as far as the last poll goes: its status starts unknown.
      const reset = next.host !== row.host || row.community_enc !== next.community_enc ? { reachable: null, last_error: null, last_error_message: null, last_poll_at: null } : {};
      await db('snmp_devices').where({ id: row.id }).update({ ...next, snmp_user: null, auth_protocol: null, auth_key_enc: null, priv_protocol: null, priv_key_enc: null, ...reset, updated_at: now });
      updated += 1;
    }
  }
  for (const n of want.values()) {
    await db('snmp_devices').insert({ kind: 'inventory', ref_id: n.id, host: n.ip, name: n.name, snmp_version: '2c', snmp_port: Number(n.snmp_port ?? 161), community_enc: n.snmp_community_enc, created_at: now, updated_at: now });
    added += 1;
  }
  if (stale.length) {
    await db('snmp_interfaces').whereIn('device_id', stale).delete();
    await db('snmp_devices').whereIn('id', stale).delete();
  }
  return { added, updated, removed: stale.length };
}

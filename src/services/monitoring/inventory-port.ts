/**
 * The monitoring area's view of the inventory (inventory_nodes and its approval workflow belong to the network
 * area). Everything goes through these functions so the two areas meet in one place:
 * - listApprovedNodes: approved nodes with an address, for SNMP targets and topology merging;
 * - recordDiscoveredDevice: a device a topology source knows and the inventory does not becomes a *pending* node,
 *   never an approved one.
 * Both go through the inventory service (src/services/network/inventory.ts).
 */
import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { approvedNodes, upsertDiscoveredNode } from '../network/inventory';

type Db = Knex | Knex.Transaction;

export interface InventoryNode {
  id: number;
  name: string | null;
  ip: string | null;
  mac: string | null;
  type: string | null;
  status: string | null;
  lat: number | null;
  lng: number | null;
}

export interface DiscoveredDevice {
  name: string;
  ip?: string | null;
  mac?: string | null;
  type?: string | null;
  source: string;
}

/** The inventory is always there now; kept for callers that asked. */
export async function inventoryAvailable(_db: Db): Promise<boolean> {
  return true;
}

type NodeLike = { id: number; name: string | null; ip: string | null; mac: string | null; type: string | null; status: string | null; coordinates?: { lat: number | null; lng: number | null } | null };

function shape(r: NodeLike): InventoryNode {
  return { id: Number(r.id), name: r.name, ip: r.ip, mac: r.mac, type: r.type, status: r.status, lat: r.coordinates?.lat ?? null, lng: r.coordinates?.lng ?? null };
}

export async function listApprovedNodes(ctx: { db: Db }): Promise<InventoryNode[]> {
  return (await approvedNodes(ctx.db)).map(shape);
}

export async function findNode(ctx: { db: Db }, id: number): Promise<InventoryNode | null> {
  const r = await ctx.db('inventory_nodes').where({ id }).first('id', 'name', 'ip', 'mac_address as mac', 'type', 'status');
  return r ? shape(r) : null;
}

export const normMac = (m: string | null | undefined) => (m ? m.toLowerCase().replace(/[^0-9a-f]/g, '') : null);

const NODE_TYPES = ['router', 'switch', 'olt', 'ap', 'server', 'cpe', 'other'] as const;

/**
 * A device a topology source knows: 'created' (a new pending node, through the inventory's own discovery path, so
 * its approval workflow and one-holder-per-address rule apply), 'known' (the same IP or MAC is already there, or the
 * address is held by a subscriber or a pool), or 'unavailable' (no IPv4 address to file it under).
 */
export async function recordDiscoveredDevice(ctx: { db: Knex }, d: DiscoveredDevice): Promise<'created' | 'known' | 'unavailable'> {
  const mac = normMac(d.mac);
  const byIp = d.ip ? await ctx.db('inventory_nodes').where({ ip: d.ip }).first('id') : undefined;
  if (byIp) return 'known';
  if (mac) {
    const macs = await ctx.db('inventory_nodes').whereNotNull('mac_address').pluck('mac_address');
    if (macs.some((m: string) => normMac(m) === mac)) return 'known';
  }
  if (!d.ip || !/^\d{1,3}(\.\d{1,3}){3}$/.test(d.ip)) return 'unavailable';
  const type = (NODE_TYPES as readonly string[]).includes(d.type ?? '') ? (d.type as (typeof NODE_TYPES)[number]) : 'other';
  try {
    const node = await upsertDiscoveredNode(ctx, { ip: d.ip, name: d.name, type, mac: d.mac ?? undefined, source: d.source });
    return node ? 'created' : 'known';
  } catch (e) {
    // A source's malformed MAC or address is its problem, not a reason to stop filing the other devices.
    if (e instanceof AppError && e.status < 500) return 'unavailable';
    throw e;
  }
}

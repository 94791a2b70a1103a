/**
 * The monitoring area's view of the inventory (inventory_nodes and its approval workflow belong to the network
 * area). Everything goes through these functions so the two areas meet in one place:
 * - listApprovedNodes: approved nodes with an address, for SNMP targets and topology merging;
 * - recordDiscoveredDevice: a device a topology source knows and the inventory does not becomes a *pending* node,
 *   never an approved one.
 * While the inventory_nodes table does not exist (the inventory area not merged yet) both do nothing.
 * Column names used: id, name, ip, mac, type, status ('pending' | 'approved' …), source, created_at, updated_at;
 * columns the table lacks are left out of the insert.
 */
import type { Knex } from 'knex';
import { nowUtc } from '../../db/knex';

type Db = Knex | Knex.Transaction;

export interface InventoryNode {
  id: number;
  name: string | null;
  ip: string | null;
  mac: string | null;
  type: string | null;
  status: string | null;
}

export interface DiscoveredDevice {
  name: string;
  ip?: string | null;
  mac?: string | null;
  type?: string | null;
  source: string;
}

async function columns(db: Db): Promise<Set<string> | null> {
  if (!(await db.schema.hasTable('inventory_nodes'))) return null;
  const info = await db('inventory_nodes').columnInfo();
  return new Set(Object.keys(info));
}

export async function inventoryAvailable(db: Db): Promise<boolean> {
  return (await columns(db)) !== null;
}

function shape(r: Record<string, unknown>): InventoryNode {
  const s = (v: unknown) => (v === undefined || v === null ? null : String(v));
  return { id: Number(r.id), name: s(r.name), ip: s(r.ip), mac: s(r.mac), type: s(r.type), status: s(r.status) };
}

export async function listApprovedNodes(ctx: { db: Db }): Promise<InventoryNode[]> {
  const cols = await columns(ctx.db);
  if (!cols) return [];
  const q = ctx.db('inventory_nodes').limit(100_000);
  if (cols.has('status')) q.where({ status: 'approved' });
  return (await q).map(shape);
}

export async function findNode(ctx: { db: Db }, id: number): Promise<InventoryNode | null> {
  const cols = await columns(ctx.db);
  if (!cols) return null;
  const r = await ctx.db('inventory_nodes').where({ id }).first();
  return r ? shape(r) : null;
}

export const normMac = (m: string | null | undefined) => (m ? m.toLowerCase().replace(/[^0-9a-f]/g, '') : null);

/** Returns 'created' (a new pending node), 'known' (same IP or MAC already there) or 'unavailable' (no inventory). */
export async function recordDiscoveredDevice(ctx: { db: Db }, d: DiscoveredDevice): Promise<'created' | 'known' | 'unavailable'> {
  const cols = await columns(ctx.db);
  if (!cols) return 'unavailable';
  const existing = await ctx.db('inventory_nodes').select('*').limit(100_000);
  const mac = normMac(d.mac);
  if (existing.some((r) => (d.ip && r.ip === d.ip) || (mac && normMac(r.mac as string) === mac))) return 'known';
  const now = nowUtc();
  const row: Record<string, unknown> = {
    name: d.name.slice(0, 100),
    ip: d.ip ?? null,
    mac: d.mac ?? null,
    type: d.type ?? 'other',
    status: 'pending',
    source: d.source,
    created_at: now,
    updated_at: now,
  };
  await ctx.db('inventory_nodes').insert(Object.fromEntries(Object.entries(row).filter(([k]) => cols.has(k))));
  return 'created';
}

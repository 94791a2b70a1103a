/**
 * Device inventory (IPAM nodes) with an approval workflow.
 *
 * Who may approve: an actor holding write on both `inventory` and `network`. Such an actor's own nodes are approved
 * at once; anyone else's (an admin with inventory.write only) and every node found by discovery start `pending`.
 * Approval records who and when. Only approved nodes are monitored and drawn on the topology
 * (`approvedNodes()` is what those read).
 *
 * An IP address is held by at most one node, and not by a subscriber's static IP, a WireGuard tunnel or a pool
 * gateway (see ./ipam.ts).
 */
import { nowUtc, toIso } from '../../db/knex';
import { AppError, errors } from '../../errors';
import { normalizeIpv4, normalizeMac } from '../../domain/net';
import { allows } from '../../gateway/permissions';
import type { Actor } from '../../domain/actor';
import { assertAddressFree } from './ipam';
import type { Db, NetCtx } from './common';
import { containsPattern, LIKE_ESCAPE } from '../../db/like';
import { checkSnmp, findSnmpDevice, hasSnmpInput, publicSnmp, saveSnmpSettings, type SnmpDeviceRow, type SnmpInput } from '../monitoring/snmp-settings';

/** `onu`: an optical network unit, under its OLT (parent_id). */
export const NODE_TYPES = ['router', 'switch', 'olt', 'ap', 'server', 'cpe', 'other', 'onu'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

interface NodeRow {
  id: number;
  name: string;
  ip: string | null;
  type: NodeType;
  location: string | null;
  notes: string | null;
  mac_address: string | null;
  vendor: string | null;
  model: string | null;
  serial: string | null;
  latitude: string | number | null;
  longitude: string | number | null;
  parent_id: number | null;
  status: 'pending' | 'approved';
  source: 'manual' | 'discovery';
  created_by: string | null;
  approved_by: string | null;
  approved_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface NodeInput {
  id?: number;
  name?: string;
  ip?: string | null;
  type?: NodeType;
  location?: string | null;
  notes?: string | null;
  mac?: string | null;
  vendor?: string | null;
  model?: string | null;
  serial?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  parent_id?: number | null;
  /** SNMP settings (kept in snmp_devices, as a router's are); snmp_version=none removes them. */
  snmp?: SnmpInput;
}

type InvCtx = Pick<NetCtx, 'db' | 'secrets'> & { actor?: Actor };

export function mayApprove(actor: Actor | undefined): boolean {
  if (!actor) return false;
  if (actor.type === 'system') return true;
  return allows(actor.permissions, 'inventory', 'write') && allows(actor.permissions, 'network', 'write');
}

function actorName(actor: Actor | undefined): string {
  if (!actor) return 'system';
  return actor.username ?? (actor.apiKeyId ? `api_key:${actor.apiKeyId}` : actor.type);
}

type SnmpView = ReturnType<typeof publicSnmp>;

function publicNode(n: NodeRow, snmp: SnmpView) {
  const num = (v: string | number | null) => (v === null || v === undefined ? null : Number(v));
  return {
    id: n.id,
    name: n.name,
    ip: n.ip,
    type: n.type,
    location: n.location,
    notes: n.notes,
    mac: n.mac_address,
    vendor: n.vendor,
    model: n.model,
    serial: n.serial,
    coordinates: n.latitude !== null && n.longitude !== null ? { lat: num(n.latitude), lng: num(n.longitude) } : null,
    parent_id: n.parent_id,
    snmp,
    status: n.status,
    source: n.source,
    created_by: n.created_by,
    approved_by: n.approved_by,
    approved_at: toIso(n.approved_at),
    created_at: toIso(n.created_at),
    updated_at: toIso(n.updated_at),
  };
}
export type PublicNode = ReturnType<typeof publicNode>;

/** Nodes with their SNMP settings (secrets only as `…_set`), read in one query per 500 nodes. */
async function withSnmp(db: Db, rows: NodeRow[]): Promise<PublicNode[]> {
  const byRef = new Map<number, SnmpDeviceRow>();
  const ids = rows.map((r) => r.id);
  for (let i = 0; i < ids.length; i += 500) {
    for (const d of await db<SnmpDeviceRow>('snmp_devices').where({ kind: 'inventory' }).whereIn('ref_id', ids.slice(i, i + 500))) byRef.set(Number(d.ref_id), d);
  }
  return rows.map((r) => publicNode(r, publicSnmp(byRef.get(r.id))));
}

async function nodeView(db: Db, id: number): Promise<PublicNode> {
  return (await withSnmp(db, [await requireNode(db, id)]))[0];
}

async function requireNode(db: Db, id: number): Promise<NodeRow> {
  const n = await db<NodeRow>('inventory_nodes').where({ id }).first();
  if (!n) throw new AppError('node_not_found', `No inventory node with id ${id}. list_inventory lists them.`, 404);
  return n;
}

function checkIp(ip: string | null | undefined): string | null | undefined {
  if (ip === undefined || ip === null) return ip;
  const n = normalizeIpv4(ip);
  if (!n) throw errors.invalid('ip', `"${ip}" is not an IPv4 address like 192.0.2.10.`);
  return n;
}

function checkMac(mac: string | null | undefined): string | null | undefined {
  if (mac === undefined || mac === null) return mac;
  const n = normalizeMac(mac);
  if (!n) throw errors.invalid('mac', `"${mac}" is not a MAC address like AA:BB:CC:DD:EE:FF.`);
  return n;
}

async function checkParent(db: Db, parentId: number | null | undefined, selfId?: number) {
  if (parentId === undefined || parentId === null) return;
  if (parentId === selfId) throw errors.invalid('parent_id', 'A node cannot be its own parent.');
  // Walk up to refuse a loop (a parent that is one of this node's descendants).
  let cursor: number | null = parentId;
  for (let depth = 0; cursor !== null; depth++) {
    const row: Pick<NodeRow, 'id' | 'parent_id'> | undefined = await db<NodeRow>('inventory_nodes').where({ id: cursor }).first('id', 'parent_id');
    if (!row) throw new AppError('parent_not_found', `No inventory node with id ${cursor} to be the parent.`, 404, { details: { parent_id: 'not found' } });
    if (selfId !== undefined && row.parent_id === selfId) throw errors.invalid('parent_id', 'That parent is below this node: the tree would loop.');
    cursor = row.parent_id;
    if (depth > 64) throw errors.invalid('parent_id', 'The parent chain is deeper than 64 nodes.');
  }
}

function fieldsOf(ctx: InvCtx, input: NodeInput): Partial<NodeRow> {
  const row: Partial<NodeRow> = {};
  const set = <K extends keyof NodeRow>(k: K, v: NodeRow[K] | undefined) => {
    if (v !== undefined) row[k] = v;
  };
  set('name', input.name);
  set('ip', checkIp(input.ip) as string | null | undefined);
  set('type', input.type);
  set('location', input.location);
  set('notes', input.notes);
  set('mac_address', checkMac(input.mac) as string | null | undefined);
  set('vendor', input.vendor);
  set('model', input.model);
  set('serial', input.serial);
  set('latitude', input.latitude);
  set('longitude', input.longitude);
  set('parent_id', input.parent_id);
  return row;
}

/**
 * Saves the node's SNMP settings in the node's own transaction (no network call here), so a refused SNMP field
 * leaves the node as it was. A node polled over SNMP needs an address: giving SNMP settings to a node without an
 * ip, or clearing the ip of a node that has them, is refused.
 */
async function saveNodeSnmp(ctx: InvCtx, trx: Db, nodeId: number, snmp: SnmpInput): Promise<void> {
  const node = await requireNode(trx, nodeId);
  const cur = await findSnmpDevice(trx, 'inventory', nodeId);
  if (snmp.snmp_version !== 'none' && (hasSnmpInput(snmp) || cur) && !node.ip) {
    throw new AppError('missing_ip', 'A node polled over SNMP needs its ip address: give ip, or snmp_version=none to remove its SNMP settings.', 422, {
      details: { ip: 'required with SNMP settings' },
    });
  }
  await saveSnmpSettings({ db: trx, secrets: ctx.secrets }, 'inventory', nodeId, { host: node.ip ?? '', name: node.name }, snmp);
}

/** save_inventory_node: create, or with `id` update. */
export async function saveInventoryNode(ctx: InvCtx, input: NodeInput) {
  const fields = fieldsOf(ctx, input);
  const snmp = input.snmp ?? {};
  // The SNMP fields are checked before anything is written: a bad one refuses the whole call.
  checkSnmp(snmp, input.id !== undefined ? await findSnmpDevice(ctx.db, 'inventory', input.id) : undefined);
  return ctx.db.transaction(async (trx) => {
    if (input.id !== undefined) {
      const existing = await requireNode(trx, input.id);
      if (fields.ip) await assertAddressFree(trx, fields.ip, 'ip', { kind: 'inventory_node', id: existing.id });
      await checkParent(trx, fields.parent_id, existing.id);
      if (Object.keys(fields).length > 0) await trx('inventory_nodes').where({ id: existing.id }).update({ ...fields, updated_at: nowUtc() });
      await saveNodeSnmp(ctx, trx, existing.id, snmp);
      return nodeView(trx, existing.id);
    }
    if (!fields.name) throw errors.missing('name');
    if (!fields.type) fields.type = 'other';
    if (fields.ip) await assertAddressFree(trx, fields.ip, 'ip');
    await checkParent(trx, fields.parent_id);
    const now = nowUtc();
    const approved = mayApprove(ctx.actor);
    const [id] = await trx('inventory_nodes').insert({
      ...fields,
      status: approved ? 'approved' : 'pending',
      source: 'manual',
      created_by: actorName(ctx.actor),
      approved_by: approved ? actorName(ctx.actor) : null,
      approved_at: approved ? now : null,
      created_at: now,
      updated_at: now,
    });
    await saveNodeSnmp(ctx, trx, Number(id), snmp);
    return nodeView(trx, Number(id));
  });
}

export interface DiscoveredNode {
  ip: string;
  name?: string;
  type?: NodeType;
  mac?: string;
  vendor?: string;
  model?: string;
  serial?: string;
  location?: string;
  /** Which discovery found it (librenms, observium, zabbix, mikrotik …); 'discovery' when not said. */
  source?: string;
}

/**
 * For discovery (the monitoring area calls this): a device seen at `ip` becomes a pending node, or an existing node
 * at that address gets the facts it was missing. What an operator typed is never overwritten, and a discovered device
 * is never approved here. An address held by a subscriber, a tunnel or a pool gateway is not a node: null.
 */
export async function upsertDiscoveredNode(ctx: Pick<NetCtx, 'db'>, d: DiscoveredNode): Promise<PublicNode | null> {
  const ip = normalizeIpv4(d.ip);
  if (!ip) throw errors.invalid('ip', `"${d.ip}" is not an IPv4 address.`);
  const mac = d.mac ? normalizeMac(d.mac) : null;
  const clip = (v: string | undefined, n: number) => (v === undefined ? undefined : v.slice(0, n));
  return ctx.db.transaction(async (trx) => {
    const existing = await trx<NodeRow>('inventory_nodes').where({ ip }).first();
    if (existing) {
      const fill: Partial<NodeRow> = {};
      if (!existing.mac_address && mac) fill.mac_address = mac;
      if (!existing.vendor && d.vendor) fill.vendor = clip(d.vendor, 64);
      if (!existing.model && d.model) fill.model = clip(d.model, 64);
      if (!existing.serial && d.serial) fill.serial = clip(d.serial, 64);
      if (Object.keys(fill).length > 0) await trx('inventory_nodes').where({ id: existing.id }).update({ ...fill, updated_at: nowUtc() });
      return nodeView(trx, existing.id);
    }
    try {
      await assertAddressFree(trx, ip, 'ip');
    } catch (e) {
      if (e instanceof AppError && e.code === 'ip_in_use') return null;
      throw e;
    }
    const now = nowUtc();
    const [id] = await trx('inventory_nodes').insert({
      name: clip(d.name, 100) || ip,
      ip,
      type: d.type && (NODE_TYPES as readonly string[]).includes(d.type) ? d.type : 'other',
      location: clip(d.location, 255) ?? null,
      mac_address: mac,
      vendor: clip(d.vendor, 64) ?? null,
      model: clip(d.model, 64) ?? null,
      serial: clip(d.serial, 64) ?? null,
      status: 'pending',
      source: clip(d.source, 16) || 'discovery',
      created_by: 'discovery',
      created_at: now,
      updated_at: now,
    });
    return nodeView(trx, Number(id));
  });
}

function requireApprover(actor: Actor | undefined) {
  if (!mayApprove(actor)) {
    throw new AppError('approval_not_allowed', 'Approving inventory nodes needs write access to both inventory and network.', 403);
  }
}

export async function approveInventoryNode(ctx: InvCtx, id: number) {
  requireApprover(ctx.actor);
  return ctx.db.transaction(async (trx) => {
    const n = await requireNode(trx, id);
    if (n.status === 'approved') throw new AppError('already_approved', `Inventory node ${id} is already approved.`, 409);
    await trx('inventory_nodes').where({ id, status: 'pending' }).update({ status: 'approved', approved_by: actorName(ctx.actor), approved_at: nowUtc(), updated_at: nowUtc() });
    return nodeView(trx, id);
  });
}

export async function approveInventoryAll(ctx: InvCtx) {
  requireApprover(ctx.actor);
  const now = nowUtc();
  const approved = await ctx.db('inventory_nodes').where({ status: 'pending' }).update({ status: 'approved', approved_by: actorName(ctx.actor), approved_at: now, updated_at: now });
  return { approved: Number(approved) };
}

export async function deleteInventoryNode(ctx: Pick<NetCtx, 'db'>, id: number) {
  return ctx.db.transaction(async (trx) => {
    const n = await requireNode(trx, id);
    await trx('inventory_nodes').where({ parent_id: id }).update({ parent_id: null });
    await trx('snmp_devices').where({ kind: 'inventory', ref_id: id }).delete();
    await trx('inventory_nodes').where({ id }).delete();
    return { id: n.id, deleted: true };
  });
}

export async function deleteInventoryBulk(ctx: Pick<NetCtx, 'db'>, scope: 'all_pending' | 'all_approved' | 'all') {
  return ctx.db.transaction(async (trx) => {
    const q = () => {
      const b = trx('inventory_nodes');
      if (scope === 'all_pending') b.where({ status: 'pending' });
      if (scope === 'all_approved') b.where({ status: 'approved' });
      return b;
    };
    const ids = (await q().select('id')).map((r: { id: number }) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      await trx('inventory_nodes').whereIn('parent_id', ids.slice(i, i + 500)).update({ parent_id: null });
    }
    let deleted = 0;
    for (let i = 0; i < ids.length; i += 500) {
      await trx('snmp_devices').where({ kind: 'inventory' }).whereIn('ref_id', ids.slice(i, i + 500)).delete();
      deleted += Number(await trx('inventory_nodes').whereIn('id', ids.slice(i, i + 500)).delete());
    }
    return { scope, deleted };
  });
}

export async function listInventory(
  ctx: Pick<NetCtx, 'db'>,
  f: { status?: 'pending' | 'approved'; type?: NodeType; search?: string; page: number; per_page: number },
) {
  const base = () => {
    const q = ctx.db<NodeRow>('inventory_nodes');
    if (f.status) q.where({ status: f.status });
    if (f.type) q.where({ type: f.type });
    if (f.search) {
      const like = containsPattern(f.search);
      q.where((w) => {
        for (const col of ['name', 'ip', 'location', 'mac_address', 'vendor', 'model', 'serial']) w.orWhereRaw(`${col} LIKE ? ${LIKE_ESCAPE}`, [like]);
      });
    }
    return q;
  };
  const [{ n }] = await base().count({ n: '*' });
  const rows = await base().orderBy('id').limit(f.per_page).offset((f.page - 1) * f.per_page);
  return { total: Number(n), items: await withSnmp(ctx.db, rows) };
}

export async function getInventoryNode(ctx: Pick<NetCtx, 'db'>, id: number) {
  return nodeView(ctx.db, id);
}

/** What monitoring and the topology draw: approved nodes only. */
export async function approvedNodes(db: Db) {
  return withSnmp(db, await db<NodeRow>('inventory_nodes').where({ status: 'approved' }).orderBy('id'));
}


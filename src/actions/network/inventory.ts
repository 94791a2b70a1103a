import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, clearableText, id, optionalText, Page, page, perPage, strictInt } from '../../gateway/fields';
import {
  approveInventoryAll,
  approveInventoryNode,
  deleteInventoryBulk,
  deleteInventoryNode,
  getInventoryNode,
  listInventory,
  NODE_TYPES,
  saveInventoryNode,
} from '../../services/network/inventory';
import { ipamUsage } from '../../services/network/ipam';
import { snmpFields, splitSnmp } from '../../services/monitoring/snmp-settings';

const clearable = <T extends z.ZodType>(t: T) => z.preprocess((v) => (v === '' ? null : v), t.nullable().optional());
const coordinates = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? null : v.split(',').map((x) => x.trim())) : v && typeof v === 'object' && !Array.isArray(v) ? [ (v as Record<string, unknown>).lat, (v as Record<string, unknown>).lng ] : v),
  z.tuple([z.coerce.number().min(-90).max(90), z.coerce.number().min(-180).max(180)]).nullable().optional(),
);

export const saveInventoryNodeAction = defineAction({
  name: 'save_inventory_node',
  section: 'inventory',
  summary: 'Add or update an inventory node (name, IP, type, location, notes, MAC, vendor, model, serial, coordinates, parent, SNMP)',
  input: z.object({
    id: z.preprocess(blank, id.optional()),
    name: optionalText(100),
    ip: clearableText(45),
    type: z.preprocess(blank, z.enum(NODE_TYPES).optional()),
    location: clearableText(255),
    notes: clearableText(2000),
    mac: clearableText(32),
    vendor: clearableText(64),
    model: clearableText(64),
    serial: clearableText(64),
    coordinates,
    parent_id: clearable(z.preprocess(strictInt, z.number().int().positive())),
    ...snmpFields,
  }),
  permission: 'inventory.write',
  rateClass: 'standard',
  run(ctx, { coordinates: c, ...input }) {
    const { snmp, rest } = splitSnmp(input);
    return saveInventoryNode(ctx, {
      ...rest,
      snmp,
      ...(c === undefined ? {} : { latitude: c === null ? null : c[0], longitude: c === null ? null : c[1] }),
    });
  },
});

export const approveInventoryNodeAction = defineAction({
  name: 'approve_inventory_node',
  section: 'inventory',
  summary: 'Approve a pending inventory node (needs write on inventory and network)',
  input: z.object({ id }),
  permission: 'inventory.write',
  rateClass: 'standard',
  run: (ctx, input) => approveInventoryNode(ctx, input.id),
});

export const approveInventoryAllAction = defineAction({
  name: 'approve_inventory_all',
  section: 'inventory',
  summary: 'Approve every pending inventory node',
  input: z.object({}).passthrough(),
  permission: 'inventory.write',
  rateClass: 'standard',
  run: (ctx) => approveInventoryAll(ctx),
});

export const deleteInventoryNodeAction = defineAction({
  name: 'delete_inventory_node',
  section: 'inventory',
  summary: 'Delete one inventory node (its children lose their parent)',
  input: z.object({ id }),
  permission: 'inventory.write',
  rateClass: 'standard',
  run: (ctx, input) => deleteInventoryNode(ctx, input.id),
});

export const deleteInventoryBulkAction = defineAction({
  name: 'delete_inventory_bulk',
  section: 'inventory',
  summary: 'Delete inventory nodes in bulk: scope=all_pending, all_approved or all',
  input: z.object({ scope: z.enum(['all_pending', 'all_approved', 'all']) }),
  permission: 'inventory.write',
  rateClass: 'bulk',
  run: (ctx, input) => deleteInventoryBulk(ctx, input.scope),
});

export const listInventoryAction = defineAction({
  name: 'list_inventory',
  section: 'inventory',
  summary: 'Inventory nodes, filtered by status, type and a search over name, IP, location, MAC, vendor, model, serial',
  input: z.object({
    status: z.preprocess(blank, z.enum(['pending', 'approved']).optional()),
    type: z.preprocess(blank, z.enum(NODE_TYPES).optional()),
    search: optionalText(100),
    page,
    per_page: perPage(100, 25),
  }),
  permission: 'inventory.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const { total, items } = await listInventory(ctx, input);
    return Page.of(items, input.page, input.per_page, total);
  },
});

export const getInventoryNodeAction = defineAction({
  name: 'get_inventory_node',
  section: 'inventory',
  summary: 'One inventory node',
  input: z.object({ id }),
  permission: 'inventory.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => getInventoryNode(ctx, input.id),
});

export const ipamUsageAction = defineAction({
  name: 'ipam_usage',
  section: 'inventory',
  summary: 'Per IP pool: size, used, free, next free address and utilisation (percent)',
  input: z.object({}).passthrough(),
  permission: 'inventory.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => ipamUsage(ctx.db),
});

export const inventoryActions = [
  saveInventoryNodeAction,
  approveInventoryNodeAction,
  approveInventoryAllAction,
  deleteInventoryNodeAction,
  deleteInventoryBulkAction,
  listInventoryAction,
  getInventoryNodeAction,
  ipamUsageAction,
];

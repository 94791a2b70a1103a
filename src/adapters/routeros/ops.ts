/**
 * What ispgate does on a router: PPP profiles and secrets, simple queues, static DHCP leases, kicking active PPP
 * sessions, reading /system/resource. Every change returns an undo so the provisioning path can roll a
 * half-done subscriber back off the router.
 *
 * Items are always looked up first and addressed by their .id: routeros-client's where().update() sends a
 * set without =numbers= when nothing matches, and a blind add traps on duplicates. Look-up-then-set/add makes a
 * retry after a partial failure converge instead of failing on its own leftovers.
 */
import type { RouterRow } from './session';

/** A session, or a link that reconnects: all an operation needs is to send a command. */
export interface RouterWriter {
  write(command: string, words?: string[]): Promise<RouterRow[]>;
}

export type Undo = () => Promise<void>;
export const noUndo: Undo = async () => {};

export const MENU = {
  pppSecret: '/ppp/secret',
  pppProfile: '/ppp/profile',
  pppActive: '/ppp/active',
  queue: '/queue/simple',
  lease: '/ip/dhcp-server/lease',
  resource: '/system/resource',
} as const;

const attrs = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `=${k}=${v}`);

export async function findOne(s: RouterWriter, menu: string, key: string, value: string): Promise<RouterRow | null> {
  const rows = await s.write(`${menu}/print`, [`?${key}=${value}`]);
  return rows.find((r) => r['.id'] !== undefined) ?? null;
}

/**
 * Makes the item identified by key=value carry `fields`. Undo removes what was added, or puts back the
 * previous values of exactly the fields that were changed (read-only fields printed by the router cannot be set).
 */
export async function upsert(
  s: RouterWriter,
  menu: string,
  key: string,
  value: string,
  fields: Record<string, string>,
): Promise<{ id: string; created: boolean; undo: Undo }> {
  const existing = await findOne(s, menu, key, value);
  if (!existing) {
    const rows = await s.write(`${menu}/add`, attrs({ [key]: value, ...fields }));
    const id = rows.find((r) => r.ret)?.ret;
    if (!id) throw new Error(`${menu}/add returned no id`);
    return { id, created: true, undo: () => s.write(`${menu}/remove`, [`=.id=${id}`]).then(() => undefined) };
  }
  const id = existing['.id'];
  const changed = Object.fromEntries(Object.entries(fields).filter(([k, v]) => existing[k] !== v));
  if (Object.keys(changed).length > 0) await s.write(`${menu}/set`, [`=.id=${id}`, ...attrs(changed)]);
  const previous = Object.fromEntries(
    Object.keys(changed)
      .filter((k) => existing[k] !== undefined)
      .map((k) => [k, existing[k]]),
  );
  return {
    id,
    created: false,
    undo: async () => {
      if (Object.keys(previous).length > 0) await s.write(`${menu}/set`, [`=.id=${id}`, ...attrs(previous)]);
    },
  };
}

const NOT_RESTORED = new Set(['.id', 'dynamic', 'invalid', 'bytes', 'packets', 'rate', 'total-bytes', 'total-packets',
  'queued-bytes', 'queued-packets', 'dropped', 'packet-rate', 'last-logged-out', 'last-caller-id',
  'last-disconnect-reason', 'status', 'active-address', 'active-mac-address', 'active-client-id',
  'active-server', 'expires-after', 'last-seen', 'host-name', 'blocked', 'radius']);

/** Removes the item if present; undo re-adds it with the fields a router lets one set. */
export async function removeIfPresent(s: RouterWriter, menu: string, key: string, value: string): Promise<Undo> {
  const existing = await findOne(s, menu, key, value);
  if (!existing) return noUndo;
  await s.write(`${menu}/remove`, [`=.id=${existing['.id']}`]);
  const restorable = Object.fromEntries(Object.entries(existing).filter(([k]) => !NOT_RESTORED.has(k)));
  return async () => {
    await s.write(`${menu}/add`, attrs(restorable));
  };
}

export interface PppSecretSpec {
  name: string;
  password: string;
  profile: string;
  remoteAddress?: string | null;
  callerId?: string | null;
  disabled?: boolean;
  comment: string;
}

export function applyPppSecret(s: RouterWriter, spec: PppSecretSpec, previousName?: string) {
  const fields: Record<string, string> = {
    password: spec.password,
    profile: spec.profile,
    service: 'pppoe',
    comment: spec.comment,
    disabled: spec.disabled ? 'true' : 'false',
  };
  if (spec.remoteAddress) fields['remote-address'] = spec.remoteAddress;
  if (spec.callerId) fields['caller-id'] = spec.callerId;
  return renameThenUpsert(s, MENU.pppSecret, spec.name, previousName, fields);
}

export interface QueueSpec {
  name: string;
  target: string;
  fields: Record<string, string>;
  comment: string;
}

export function applyQueue(s: RouterWriter, spec: QueueSpec, previousName?: string) {
  return renameThenUpsert(s, MENU.queue, spec.name, previousName, { target: spec.target, comment: spec.comment, ...spec.fields });
}

export interface LeaseSpec {
  macAddress: string;
  address: string;
  comment: string;
}

export function applyLease(s: RouterWriter, spec: LeaseSpec) {
  return upsert(s, MENU.lease, 'mac-address', spec.macAddress, { address: spec.address, comment: spec.comment });
}

export function applyPppProfile(s: RouterWriter, name: string, rateLimit: string) {
  return upsert(s, MENU.pppProfile, 'name', name, { 'rate-limit': rateLimit });
}

/** A username rename moves the existing item (keeping its .id and counters) instead of leaving the old one behind. */
async function renameThenUpsert(
  s: RouterWriter,
  menu: string,
  name: string,
  previousName: string | undefined,
  fields: Record<string, string>,
): Promise<{ id: string; created: boolean; undo: Undo }> {
  if (previousName && previousName !== name) {
    const old = await findOne(s, menu, 'name', previousName);
    if (old && (await findOne(s, menu, 'name', name))) {
      // The new name is already there (a leftover of an interrupted attempt, or made by hand): it is taken over,
      // and the old item goes, or the old login would keep working next to the new one.
      const inner = await upsert(s, menu, 'name', name, fields);
      const undoRemove = await removeIfPresent(s, menu, 'name', previousName);
      return {
        id: inner.id,
        created: false,
        undo: async () => {
          await undoRemove();
          await inner.undo();
        },
      };
    }
    if (old) {
      await s.write(`${menu}/set`, [`=.id=${old['.id']}`, `=name=${name}`]);
      const inner = await upsert(s, menu, 'name', name, fields);
      return {
        id: inner.id,
        created: false,
        undo: async () => {
          await inner.undo();
          await s.write(`${menu}/set`, [`=.id=${old['.id']}`, `=name=${previousName}`]);
        },
      };
    }
  }
  return upsert(s, menu, 'name', name, fields);
}

/** Ends the subscriber's live PPP sessions; returns how many were ended. Nothing to undo: they redial. */
export async function kickPppActive(s: RouterWriter, name: string): Promise<number> {
  const rows = await s.write(`${MENU.pppActive}/print`, [`?name=${name}`]);
  for (const r of rows) if (r['.id']) await s.write(`${MENU.pppActive}/remove`, [`=.id=${r['.id']}`]);
  return rows.filter((r) => r['.id']).length;
}

export interface SystemResource {
  uptime: string | null;
  version: string | null;
  cpu_load_percent: number | null;
  free_memory_bytes: number | null;
  total_memory_bytes: number | null;
  board_name: string | null;
  architecture: string | null;
}

export async function readSystemResource(s: RouterWriter): Promise<SystemResource> {
  const [r = {}] = await s.write(`${MENU.resource}/print`);
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    uptime: r.uptime ?? null,
    version: r.version ?? null,
    cpu_load_percent: num(r['cpu-load']),
    free_memory_bytes: num(r['free-memory']),
    total_memory_bytes: num(r['total-memory']),
    board_name: r['board-name'] ?? null,
    architecture: r['architecture-name'] ?? null,
  };
}

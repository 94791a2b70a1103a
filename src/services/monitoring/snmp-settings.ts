/**
 * SNMP settings of a device (a router or an inventory node), stored in snmp_devices. Taken as flat fields on
 * add_router / edit_router (routerWithSnmp) and save_inventory_node (src/services/network/inventory.ts). Community and
 * v3 keys are sealed and never returned: a reply says only whether they are set.
 */
import { z } from 'zod';
import type { Knex } from 'knex';
import { nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import type { SecretBox } from '../../secrets';
import { blank } from '../../gateway/fields';

type Db = Knex | Knex.Transaction;
export type DeviceKind = 'router' | 'inventory';

/** USM keys must be at least 8 characters (RFC 3414 §11.2); communities are short printable strings. */
const key = z.preprocess(blank, z.string().min(8).max(128).optional());

export const snmpFields = {
  snmp_version: z.preprocess(blank, z.enum(['2c', '3', 'none']).optional()),
  snmp_port: z.preprocess(blank, z.coerce.number().int().min(1).max(65535).optional()),
  snmp_community: z.preprocess(blank, z.string().min(1).max(64).optional()),
  snmp_user: z.preprocess(blank, z.string().trim().min(1).max(64).optional()),
  snmp_auth_protocol: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase().replace('-', '') : blank(v)), z.enum(['sha', 'sha256']).optional()),
  snmp_auth_key: key,
  snmp_priv_protocol: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase().replace('-', '') : blank(v)), z.enum(['aes', 'aes256']).optional()),
  snmp_priv_key: key,
};
const snmpObject = z.object(snmpFields);
export type SnmpInput = z.infer<typeof snmpObject>;

export const SNMP_KEYS = Object.keys(snmpFields) as Array<keyof SnmpInput>;

/** Splits the SNMP fields off an action's input. */
export function splitSnmp<T extends Record<string, unknown>>(input: T): { snmp: SnmpInput; rest: Omit<T, keyof SnmpInput> } {
  const snmp: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) ((SNMP_KEYS as string[]).includes(k) ? snmp : rest)[k] = v;
  return { snmp: snmp as SnmpInput, rest: rest as Omit<T, keyof SnmpInput> };
}

export const hasSnmpInput = (s: SnmpInput) => SNMP_KEYS.some((k) => s[k] !== undefined);

export interface SnmpDeviceRow {
  id: number;
  kind: DeviceKind;
  ref_id: number;
  host: string;
  name: string | null;
  snmp_version: '2c' | '3';
  snmp_port: number;
  community_enc: string | null;
  snmp_user: string | null;
  auth_protocol: 'sha' | 'sha256' | null;
  auth_key_enc: string | null;
  priv_protocol: 'aes' | 'aes256' | null;
  priv_key_enc: string | null;
  reachable: number | boolean | null;
  sys_descr: string | null;
  sys_name: string | null;
  uptime_ticks: number | string | null;
  latency_ms: number | null;
  last_error: string | null;
  last_error_message: string | null;
  last_poll_at: string | null;
}

export function publicSnmp(r: SnmpDeviceRow | undefined | null) {
  if (!r) return null;
  return {
    device_id: r.id,
    version: r.snmp_version,
    port: r.snmp_port,
    community_set: Boolean(r.community_enc),
    user: r.snmp_user,
    auth_protocol: r.auth_protocol,
    auth_key_set: Boolean(r.auth_key_enc),
    priv_protocol: r.priv_protocol,
    priv_key_set: Boolean(r.priv_key_enc),
  };
}

const bad = (field: string, message: string) => new AppError(`invalid_${field}`, message, 422);

/**
 * Checks the SNMP fields against what is stored, without writing. Throws the error the caller would get, so an
 * action can refuse before it writes anything else.
 */
export function checkSnmp(input: SnmpInput, cur: SnmpDeviceRow | undefined): void {
  if (!hasSnmpInput(input) || input.snmp_version === 'none') return;
  const version = input.snmp_version ?? cur?.snmp_version;
  if (!version) throw bad('snmp_version', 'snmp_version (2c or 3) is required with the other snmp_ fields.');
  if (version === '2c') {
    if (!input.snmp_community && !cur?.community_enc) throw new AppError('missing_snmp_community', 'SNMP v2c needs snmp_community.', 422);
    return;
  }
  if (!input.snmp_user && !cur?.snmp_user) throw new AppError('missing_snmp_user', 'SNMP v3 needs snmp_user.', 422);
  if (!input.snmp_auth_key && !cur?.auth_key_enc) throw new AppError('missing_snmp_auth_key', 'SNMP v3 needs snmp_auth_key (at least 8 characters).', 422);
  if (input.snmp_priv_protocol && !input.snmp_priv_key && !cur?.priv_key_enc) {
    throw new AppError('missing_snmp_priv_key', 'snmp_priv_protocol was given without snmp_priv_key.', 422);
  }
}

export async function findSnmpDevice(db: Db, kind: DeviceKind, refId: number): Promise<SnmpDeviceRow | undefined> {
  return db<SnmpDeviceRow>('snmp_devices').where({ kind, ref_id: refId }).first();
}

/**
 * Creates, updates or (snmp_version=none) removes the SNMP settings of a device. Returns the public view, or
 * undefined when no SNMP field was given (nothing changed).
 */
export async function saveSnmpSettings(
  ctx: { db: Db; secrets: SecretBox },
  kind: DeviceKind,
  refId: number,
  device: { host: string; name?: string | null },
  input: SnmpInput,
): Promise<ReturnType<typeof publicSnmp> | undefined> {
  const cur = await findSnmpDevice(ctx.db, kind, refId);
  if (!hasSnmpInput(input)) {
    if (cur) await ctx.db('snmp_devices').where({ id: cur.id }).update({ host: device.host, name: device.name ?? cur.name, updated_at: nowUtc() });
    return undefined;
  }
  if (input.snmp_version === 'none') {
    if (cur) await ctx.db('snmp_devices').where({ id: cur.id }).delete();
    return null;
  }
  checkSnmp(input, cur);
  const version = (input.snmp_version ?? cur!.snmp_version) as '2c' | '3';
  const now = nowUtc();
  const seal = (v: string | undefined, old: string | null | undefined) => (v !== undefined ? ctx.secrets.encrypt(v) : (old ?? null));
  const row: Record<string, unknown> = {
    host: device.host,
    name: device.name ?? cur?.name ?? null,
    snmp_version: version,
    snmp_port: input.snmp_port ?? cur?.snmp_port ?? 161,
    updated_at: now,
  };
  if (version === '2c') {
    Object.assign(row, { community_enc: seal(input.snmp_community, cur?.community_enc), snmp_user: null, auth_protocol: null, auth_key_enc: null, priv_protocol: null, priv_key_enc: null });
  } else {
    const privKey = seal(input.snmp_priv_key, cur?.priv_key_enc);
    Object.assign(row, {
      community_enc: null,
      snmp_user: input.snmp_user ?? cur?.snmp_user,
      auth_protocol: input.snmp_auth_protocol ?? cur?.auth_protocol ?? 'sha',
      auth_key_enc: seal(input.snmp_auth_key, cur?.auth_key_enc),
      priv_protocol: privKey ? (input.snmp_priv_protocol ?? cur?.priv_protocol ?? 'aes') : null,
      priv_key_enc: privKey,
    });
  }
  if (cur) await ctx.db('snmp_devices').where({ id: cur.id }).update(row);
  else await ctx.db('snmp_devices').insert({ ...row, kind, ref_id: refId, created_at: now });
  return publicSnmp(await findSnmpDevice(ctx.db, kind, refId));
}

export function deviceStatus(r: SnmpDeviceRow) {
  return {
    reachable: r.reachable === null ? null : Boolean(r.reachable),
    sys_descr: r.sys_descr,
    sys_name: r.sys_name,
    sys_uptime_ticks: r.uptime_ticks === null ? null : Number(r.uptime_ticks),
    latency_ms: r.latency_ms,
    error: r.last_error,
    last_poll_at: toIso(r.last_poll_at),
  };
}

/**
 * add_router / edit_router with SNMP fields: the SNMP fields are checked before the router is written (so a bad
 * SNMP field refuses the whole call and writes nothing), then saved after it. The reply gains `snmp` (settings
 * without secrets) when the router has SNMP settings.
 */
export async function routerWithSnmp<I extends Record<string, unknown>, R extends { id: number; ip: string; name: string }>(
  ctx: { db: Db; secrets: SecretBox },
  input: I,
  existingId: number | undefined,
  write: (rest: Omit<I, keyof SnmpInput>) => Promise<R>,
): Promise<R & { snmp?: ReturnType<typeof publicSnmp> }> {
  const { snmp, rest } = splitSnmp(input);
  const cur = existingId !== undefined ? await findSnmpDevice(ctx.db, 'router', existingId) : undefined;
  checkSnmp(snmp, cur);
  const router = await write(rest);
  const saved = await saveSnmpSettings(ctx, 'router', router.id, { host: router.ip, name: router.name }, snmp);
  const view = saved === undefined ? publicSnmp(await findSnmpDevice(ctx.db, 'router', router.id)) : saved;
  return view ? { ...router, snmp: view } : router;
}

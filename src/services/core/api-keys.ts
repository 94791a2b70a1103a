import type { Knex } from 'knex';
import { nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import { randomToken, sha256Hex } from '../../secrets';
import { flushKeyUses } from '../../gateway/last-used';
import { adminsByUsername, assertNotBeyond, effectivePermissions, type AdminActor, type AdminRow } from './admins';

const PREFIX = 'isg_';

/** Keys are shown once and stored only as SHA-256 hashes (they are long random tokens, so no slow hash is needed). */
export async function createApiKey(db: Knex, name: string, adminId: number | null): Promise<{ id: number; key: string; name: string; prefix: string }> {
  const key = PREFIX + randomToken(32);
  const prefix = key.slice(0, 12);
  const [id] = await db('api_keys').insert({ name, key_hash: sha256Hex(key), key_prefix: prefix, admin_id: adminId, created_at: nowUtc() });
  return { id: Number(id), key, name, prefix };
}

export async function listApiKeys(db: Knex) {
  await flushKeyUses(db);
  const rows = await db('api_keys as k').leftJoin('admins as a', 'a.id', 'k.admin_id').select('k.*', 'a.username as admin_username').orderBy('k.id');
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.key_prefix,
    admin: r.admin_username ?? null,
    created_at: toIso(r.created_at),
    last_used_at: toIso(r.last_used_at),
    revoked_at: toIso(r.revoked_at),
    active: !r.revoked_at,
  }));
}

export async function revokeApiKey(db: Knex, id: number): Promise<{ id: number; revoked: true }> {
  const row = await db('api_keys').where({ id }).first();
  if (!row) throw new AppError('not_found', `API key ${id} was not found.`, 404);
  if (!row.revoked_at) await db('api_keys').where({ id }).update({ revoked_at: nowUtc() });
  return { id, revoked: true };
}

export async function findActiveKey(db: Knex, key: string) {
  if (!key.startsWith(PREFIX) || key.length > 200) return null;
  return db('api_keys').where({ key_hash: sha256Hex(key) }).whereNull('revoked_at').first();
}

/** Last use is recorded at most once a minute per key, so a busy integration does not write on every call. */
export async function touchApiKey(db: Knex, row: { id: number; last_used_at: string | null }) {
  const now = new Date();
  if (row.last_used_at && now.getTime() - Date.parse(String(row.last_used_at).replace(' ', 'T') + 'Z') < 60_000) return;
  await db('api_keys').where({ id: row.id }).update({ last_used_at: nowUtc(now) });
}

/**
 * The primary admin and keys bound to no admin (made on the server's CLI) stand above every other account: only
 * they edit the primary. A key bound to the primary, or bound to no one, would carry that standing, so only
 * they may mint one or revoke one — another admin holding every permission is still not the primary.
 */
async function isTop(db: Knex, actor: AdminActor): Promise<boolean> {
  if (actor.type === 'api_key' && actor.adminId === null) return true;
  if (actor.adminId === null) return false;
  const me = await db('admins').where({ id: actor.adminId }).first('is_primary');
  return Boolean(me?.is_primary);
}

/**
 * Who a new credential acts for (an API key, or a dialect's API client): see isTop. A credential for another admin
 * carries that admin's rights, so it needs them; anyone but the top gets one bound to itself when none is named.
 */
export async function credentialOwner(db: Knex, actor: AdminActor, admin: string | null | undefined): Promise<number | null> {
  if (admin) {
    const a = (await adminsByUsername(db, admin).first()) as AdminRow | undefined;
    if (!a) throw new AppError('admin_not_found', `No admin is called "${admin}".`, 404);
    if (a.is_primary && !(await isTop(db, actor))) throw new AppError('forbidden', 'Only the primary admin (or a CLI key) can create a credential for the primary admin.', 403);
    assertNotBeyond(effectivePermissions(a), actor.permissions, `A credential for "${a.username}"`);
    return a.id;
  }
  if (await isTop(db, actor)) return null;
  if (actor.adminId === null) throw new AppError('forbidden', 'Name the admin the credential acts for with "admin".', 403);
  return actor.adminId;
}

export async function mintApiKey(db: Knex, actor: AdminActor, input: { name: string; admin?: string | null }) {
  const k = await createApiKey(db, input.name, await credentialOwner(db, actor, input.admin));
  return { id: k.id, name: k.name, key: k.key, prefix: k.prefix, note: 'The key is shown only now; store it safely.' };
}

/** Whether the actor may revoke a credential bound to this admin (null: bound to no admin). */
export async function assertMayRevokeCredentialOf(db: Knex, actor: AdminActor, adminId: number | null): Promise<void> {
  if (await isTop(db, actor)) return;
  const owner = adminId === null ? null : ((await db('admins').where({ id: adminId }).first()) as AdminRow | undefined);
  if (adminId === null || owner?.is_primary)
    throw new AppError('forbidden', 'Only the primary admin (or a CLI key) can revoke a credential of the primary admin or one bound to no admin.', 403);
  if (owner) assertNotBeyond(effectivePermissions(owner), actor.permissions, `The credential of "${owner.username}"`);
}

/** Revokes a key, unless it belongs to the primary, to no admin, or to an admin stronger than the caller. */
export async function revokeApiKeyAs(db: Knex, actor: AdminActor, id: number) {
  const row = await db('api_keys').where({ id }).first('id', 'admin_id');
  if (row) await assertMayRevokeCredentialOf(db, actor, row.admin_id);
  return revokeApiKey(db, id);
}

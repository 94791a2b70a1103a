import type { Knex } from 'knex';
import { nowUtc, toIso } from '../db/knex';
import { AppError } from '../errors';
import { randomToken, sha256Hex } from '../secrets';

const PREFIX = 'isg_';

/** Keys are shown once and stored only as SHA-256 hashes (they are long random tokens, so no slow hash is needed). */
export async function createApiKey(db: Knex, name: string, adminId: number | null): Promise<{ id: number; key: string; name: string; prefix: string }> {
  const key = PREFIX + randomToken(32);
  const prefix = key.slice(0, 12);
  const [id] = await db('api_keys').insert({ name, key_hash: sha256Hex(key), key_prefix: prefix, admin_id: adminId, created_at: nowUtc() });
  return { id: Number(id), key, name, prefix };
}

export async function listApiKeys(db: Knex) {
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

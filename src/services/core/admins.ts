import type { Knex } from 'knex';
import { isSqlite, nowUtc, parseJson, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import { fullPermissions, type Level, type Permissions, rolePermissions, type Role, SECTIONS } from '../../gateway/permissions';
import { hashPassword, randomToken } from '../../secrets';
import { isTelegramChatId } from '../../domain/telegram';

export interface AdminRow {
  id: number;
  username: string;
  email: string | null;
  password_hash: string;
  role: string;
  permissions: string;
  is_primary: number | boolean;
  totp_enabled: number | boolean;
  totp_secret_enc: string | null;
  totp_pending_enc: string | null;
  totp_last_step: number | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  telegram_chat_id?: string | null;
  telegram_blocked_at?: string | null;
}

/** The only shape an admin leaves the server in: no hash, no TOTP secret. */
export function publicAdmin(r: AdminRow) {
  return {
    id: r.id,
    username: r.username,
    email: r.email,
    telegram_chat_id: r.telegram_chat_id ?? null,
    role: r.role,
    permissions: effectivePermissions(r),
    is_primary: Boolean(r.is_primary),
    two_factor_enabled: Boolean(r.totp_enabled),
    last_login_at: toIso(r.last_login_at),
    created_at: toIso(r.created_at),
  };
}

/**
 * An admin's rights are exactly what was granted: explicit permissions, when any were given, are the whole grant
 * (a section not named is `none`); the role supplies the rights only when no permissions were given. Merging the
 * two would let `role=operator&permissions[billing]=read` still add routers and take payments.
 */
export function effectivePermissions(r: Pick<AdminRow, 'role' | 'permissions' | 'is_primary'>): Permissions {
  if (r.is_primary || r.role === 'superadmin') return fullPermissions();
  // Built once per distinct grant and shared (frozen): the gateway asks for it on every request.
  const memoKey = `${r.role}\u0000${typeof r.permissions === 'string' ? r.permissions : JSON.stringify(r.permissions ?? null)}`;
  const hit = PERMISSIONS_MEMO.get(memoKey);
  if (hit) return hit;
  const explicit = parseJson<Permissions>(r.permissions, {});
  const granted = Object.keys(explicit).length ? explicit : rolePermissions(r.role as Role);
  const built = Object.freeze(Object.fromEntries(SECTIONS.map((s) => [s, granted[s] ?? 'none'])) as Permissions);
  if (PERMISSIONS_MEMO.size >= 1000) PERMISSIONS_MEMO.clear();
  PERMISSIONS_MEMO.set(memoKey, built);
  return built;
}
const PERMISSIONS_MEMO = new Map<string, Permissions>();

/** Sections where `wanted` holds more than `held`: what an admin without those rights must not hand out. */
export function permissionsBeyond(wanted: Permissions, held: Permissions): string[] {
  const rank = { none: 0, read: 1, write: 2 } as const;
  return SECTIONS.filter((s) => rank[wanted[s] ?? 'none'] > rank[held[s] ?? 'none']);
}

/**
 * An admin with admins.write (or api_keys.write) could otherwise make an account or key with more rights than
 * their own and use it. Callers holding every permission are not limited.
 */
export function assertNotBeyond(wanted: Permissions, held: Permissions, what: string) {
  const beyond = permissionsBeyond(wanted, held);
  if (beyond.length)
    throw new AppError('forbidden', `${what} would hold rights your account does not have (${beyond.join(', ')}).`, 403, { details: Object.fromEntries(beyond.map((s) => [`permissions.${s}`, 'beyond your own rights'])) });
}

export function normalizePermissions(input: Record<string, string> | undefined): Permissions {
  const out: Permissions = {};
  for (const [k, v] of Object.entries(input ?? {})) {
    if (!(SECTIONS as readonly string[]).includes(k)) throw new AppError('invalid_permissions', `Unknown permission section "${k}". Known: ${SECTIONS.join(', ')}.`, 422, { details: { [`permissions.${k}`]: 'unknown section' } });
    if (!['none', 'read', 'write'].includes(v)) throw new AppError('invalid_permissions', `Permission for "${k}" must be none, read or write.`, 422, { details: { [`permissions.${k}`]: 'must be none, read or write' } });
    out[k as keyof Permissions] = v as Level;
  }
  return out;
}

export async function createAdmin(
  db: Knex,
  input: { username: string; password: string; email?: string | null; telegram_chat_id?: string | null; role?: Role; permissions?: Permissions; isPrimary?: boolean },
) {
  const now = nowUtc();
  const [id] = await db('admins').insert({
    username: input.username,
    email: input.email ?? null,
    ...(input.telegram_chat_id ? { telegram_chat_id: checkedChatId(input.telegram_chat_id) } : {}),
    password_hash: await hashPassword(input.password),
    role: input.role ?? 'operator',
    permissions: JSON.stringify(input.permissions ?? {}),
    is_primary: Boolean(input.isPrimary),
    created_at: now,
    updated_at: now,
  });
  return publicAdmin((await db('admins').where({ id: Number(id) }).first()) as AdminRow);
}

/**
 * Admins by username, ignoring case on both dialects: MariaDB's collation already does, SQLite needs NOCASE,
 * or "Admin" would be a second account on SQLite and the same one on MariaDB.
 */
export function adminsByUsername(db: Knex, username: string) {
  return isSqlite(db) ? db('admins').whereRaw('username = ? COLLATE NOCASE', [username]) : db('admins').where({ username });
}

export async function getAdmin(db: Knex, id: number): Promise<AdminRow> {
  const r = await db('admins').where({ id }).first();
  if (!r) throw new AppError('not_found', `Admin ${id} was not found.`, 404);
  return r as AdminRow;
}

/** First start on an empty database: the primary admin, its password (given or generated) and one API key. */
export async function bootstrapPrimaryAdmin(db: Knex, password?: string): Promise<{ username: string; password: string; generated: boolean } | null> {
  const existing = await db('admins').count<{ n: number }[]>({ n: '*' });
  if (Number(existing[0].n) > 0) return null;
  const pw = password ?? randomToken(15);
  await createAdmin(db, { username: 'admin', password: pw, role: 'superadmin', isPrimary: true });
  return { username: 'admin', password: pw, generated: !password };
}

/** Who is acting: the parts of the gateway's actor the admin rules look at. */
export interface AdminActor {
  type: string;
  adminId: number | null;
  permissions: Permissions;
}

/** Adds an admin; nobody hands out rights they do not hold. */
/** Where an admin's Telegram notifications go (the same rule as a subscriber's). */
function checkedChatId(v: string): string {
  if (!isTelegramChatId(v)) throw new AppError('invalid_telegram_chat_id', `"${v.slice(0, 64)}" is not a Telegram chat id (digits, or @channel).`, 422, { details: { telegram_chat_id: 'a numeric chat id or @channel' } });
  return v;
}

export async function addAdmin(db: Knex, actor: AdminActor, input: { username: string; password: string; email?: string | null; telegram_chat_id?: string | null; role: Role; permissions?: Record<string, string> }) {
  const perms = normalizePermissions(input.permissions);
  assertNotBeyond(effectivePermissions({ role: input.role, permissions: JSON.stringify(perms), is_primary: false }), actor.permissions, 'The new admin');
  if (await adminsByUsername(db, input.username).first()) throw new AppError('duplicate_username', `The username "${input.username}" is taken.`, 409);
  return createAdmin(db, { username: input.username, password: input.password, email: input.email, telegram_chat_id: input.telegram_chat_id, role: input.role, permissions: perms });
}

/**
 * Edits an admin. Only the primary admin itself, or a key bound to no admin (made on the server's CLI), edits the
 * primary; nobody edits an admin holding rights they do not hold, or grants rights beyond their own. A new role
 * sent without permissions[] gives the admin exactly that role's rights (the explicit grant is cleared).
 */
export async function updateAdmin(
  db: Knex,
  actor: AdminActor,
  id: number,
  input: { username?: string; password?: string; email?: string | null; telegram_chat_id?: string | null; role?: Role; permissions?: Record<string, string> },
) {
  const row = await getAdmin(db, id);
  const systemKey = actor.type === 'api_key' && actor.adminId === null;
  if (row.is_primary && actor.adminId !== row.id && !systemKey) throw new AppError('forbidden', 'Only the primary admin can edit the primary admin.', 403);
  assertNotBeyond(effectivePermissions(row), actor.permissions, `The admin "${row.username}"`);
  const patch: Partial<AdminRow> = { updated_at: nowUtc() };
  if (input.username && input.username !== row.username) {
    if (await adminsByUsername(db, input.username).whereNot({ id: row.id }).first()) throw new AppError('duplicate_username', `The username "${input.username}" is taken.`, 409);
    patch.username = input.username;
  }
  if (input.email !== undefined) patch.email = input.email;
  if (input.telegram_chat_id !== undefined) Object.assign(patch, { telegram_chat_id: input.telegram_chat_id ? checkedChatId(input.telegram_chat_id) : null, telegram_blocked_at: null });
  if (input.role && !row.is_primary) {
    patch.role = input.role;
    if (!input.permissions) patch.permissions = '{}';
  }
  if (input.permissions) patch.permissions = JSON.stringify(normalizePermissions(input.permissions));
  assertNotBeyond(effectivePermissions({ ...row, ...patch } as AdminRow), actor.permissions, `The admin "${row.username}"`);
  await db('admins').where({ id: row.id }).update(patch);
  if (input.password) {
    await db('admins').where({ id: row.id }).update({ password_hash: await hashPassword(input.password), updated_at: nowUtc() });
    // A new password ends every other way in that the old one opened.
    await db('sessions').where({ admin_id: row.id }).delete();
  }
  return publicAdmin(await getAdmin(db, row.id));
}

/** Deletes an admin: never the primary, never oneself, never one holding rights the caller does not. */
export async function removeAdmin(db: Knex, actor: AdminActor, id: number) {
  const row = await getAdmin(db, id);
  if (row.is_primary) throw new AppError('primary_admin_protected', 'The primary admin cannot be deleted.', 409);
  if (row.id === actor.adminId) throw new AppError('cannot_delete_self', 'You cannot delete your own account.', 409);
  assertNotBeyond(effectivePermissions(row), actor.permissions, `The admin "${row.username}"`);
  await db('admins').where({ id: row.id }).delete();
  return { id: row.id, deleted: true };
}

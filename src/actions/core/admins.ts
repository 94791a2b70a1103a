import { z } from 'zod';
import { nowUtc } from '../../db/knex';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { clearableText, id, optionalText } from '../../gateway/fields';
import { ROLES } from '../../gateway/permissions';
import { adminsByUsername, assertNotBeyond, createAdmin, effectivePermissions, getAdmin, normalizePermissions, publicAdmin, type AdminRow } from '../../services/admins';
import { changePassword } from '../../services/auth';

const username = z.string().trim().min(3).max(64).regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');
const password = z.string().min(10, 'at least 10 characters').max(1024);
const email = z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().email().max(191).optional());
const permissions = z.record(z.string(), z.string()).optional();

export const addWebAdmin = defineAction({
  name: 'add_web_admin',
  section: 'admins',
  summary: 'Create a new admin account with role-based permissions',
  input: z.object({ username, password, email, role: z.enum(ROLES).default('operator'), permissions }),
  permission: 'admins.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const perms = normalizePermissions(input.permissions);
    assertNotBeyond(effectivePermissions({ role: input.role, permissions: JSON.stringify(perms), is_primary: false }), ctx.actor.permissions, 'The new admin');
    if (await adminsByUsername(ctx.db, input.username).first()) throw new AppError('duplicate_username', `The username "${input.username}" is taken.`, 409);
    return createAdmin(ctx.db, { username: input.username, password: input.password, email: input.email, role: input.role, permissions: perms });
  },
});

export const editWebAdmin = defineAction({
  name: 'edit_web_admin',
  section: 'admins',
  summary: 'Update admin account (password, permissions, role)',
  input: z.object({ id, username: username.optional(), password: password.optional(), email: clearableText(191), role: z.enum(ROLES).optional(), permissions }),
  permission: 'admins.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const row = await getAdmin(ctx.db, input.id);
    // A key bound to an admin acts as that admin; only a key bound to no admin (made on the server's CLI) stands above.
    const systemKey = ctx.actor.type === 'api_key' && ctx.actor.adminId === null;
    if (row.is_primary && ctx.actor.adminId !== row.id && !systemKey)
      throw new AppError('forbidden', 'Only the primary admin can edit the primary admin.', 403);
    assertNotBeyond(effectivePermissions(row), ctx.actor.permissions, `The admin "${row.username}"`);
    if (input.email && !z.string().email().safeParse(input.email).success) throw new AppError('invalid_email', 'The e-mail address is not valid.', 422);
    const patch: Partial<AdminRow> = { updated_at: nowUtc() };
    if (input.username && input.username !== row.username) {
      if (await adminsByUsername(ctx.db, input.username).whereNot({ id: row.id }).first()) throw new AppError('duplicate_username', `The username "${input.username}" is taken.`, 409);
      patch.username = input.username;
    }
    if (input.email !== undefined) patch.email = input.email;
    if (input.role) patch.role = row.is_primary ? row.role : input.role;
    if (input.permissions) patch.permissions = JSON.stringify(normalizePermissions(input.permissions));
    assertNotBeyond(effectivePermissions({ ...row, ...patch } as AdminRow), ctx.actor.permissions, `The admin "${row.username}"`);
    await ctx.db('admins').where({ id: row.id }).update(patch);
    if (input.password) await changePassword(ctx.db, row.id, input.password);
    return publicAdmin(await getAdmin(ctx.db, row.id));
  },
});

export const deleteWebAdmin = defineAction({
  name: 'delete_web_admin',
  section: 'admins',
  summary: 'Delete admin account (cannot delete primary admin)',
  input: z.object({ id }),
  permission: 'admins.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const row = await getAdmin(ctx.db, input.id);
    if (row.is_primary) throw new AppError('primary_admin_protected', 'The primary admin cannot be deleted.', 409);
    if (row.id === ctx.actor.adminId) throw new AppError('cannot_delete_self', 'You cannot delete your own account.', 409);
    assertNotBeyond(effectivePermissions(row), ctx.actor.permissions, `The admin "${row.username}"`);
    await ctx.db('admins').where({ id: row.id }).delete();
    return { id: row.id, deleted: true };
  },
});

export const listWebAdmins = defineAction({
  name: 'list_web_admins',
  section: 'admins',
  summary: 'List admin accounts with their roles and permissions',
  input: z.object({ search: optionalText(64) }),
  permission: 'admins.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const q = ctx.db('admins').orderBy('id');
    // '!' escapes the LIKE wildcards as in list_customers: "_" or "%" in a search is a character, not a pattern.
    if (input.search) q.whereRaw("username LIKE ? ESCAPE '!'", [`%${input.search.replace(/[!%_]/g, (m) => '!' + m)}%`]);
    return ((await q) as AdminRow[]).map(publicAdmin);
  },
});

export const adminActions = [addWebAdmin, editWebAdmin, deleteWebAdmin, listWebAdmins];

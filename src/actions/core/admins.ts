import { z } from 'zod';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { clearableText, id, optionalText } from '../../gateway/fields';
import { ROLES } from '../../gateway/permissions';
import { addAdmin, publicAdmin, removeAdmin, updateAdmin, type AdminRow } from '../../services/core/admins';
import { containsPattern, LIKE_ESCAPE } from '../../db/like';
import { telegramChatId } from '../notifications/fields';

const username = z.string().trim().min(3).max(64).regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');
const password = z.string().min(10, 'at least 10 characters').max(1024);
const email = z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().email().max(191).optional());
const permissions = z.record(z.string(), z.string()).optional();

export const addWebAdmin = defineAction({
  name: 'add_web_admin',
  section: 'admins',
  summary: 'Create a new admin account with role-based permissions',
  input: z.object({ username, password, email, telegram_chat_id: telegramChatId, role: z.enum(ROLES).default('operator'), permissions }),
  permission: 'admins.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return addAdmin(ctx.db, ctx.actor, input);
  },
});

export const editWebAdmin = defineAction({
  name: 'edit_web_admin',
  section: 'admins',
  summary: 'Update admin account (password, permissions, role)',
  input: z.object({ id, username: username.optional(), password: password.optional(), email: clearableText(191), telegram_chat_id: telegramChatId, role: z.enum(ROLES).optional(), permissions }),
  permission: 'admins.write',
  rateClass: 'standard',
  async run(ctx, input) {
    if (input.email && !z.string().email().safeParse(input.email).success) throw new AppError('invalid_email', 'The e-mail address is not valid.', 422);
    return updateAdmin(ctx.db, ctx.actor, input.id, input);
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
    return removeAdmin(ctx.db, ctx.actor, input.id);
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
    if (input.search) q.whereRaw(`username LIKE ? ${LIKE_ESCAPE}`, [containsPattern(input.search)]);
    return ((await q) as AdminRow[]).map(publicAdmin);
  },
});

export const adminActions = [addWebAdmin, editWebAdmin, deleteWebAdmin, listWebAdmins];

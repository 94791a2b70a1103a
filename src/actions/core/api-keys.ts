import { z } from 'zod';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { id, optionalText, text } from '../../gateway/fields';
import { createApiKey, listApiKeys, revokeApiKey } from '../../services/api-keys';
import { adminsByUsername, assertNotBeyond, effectivePermissions, type AdminRow } from '../../services/admins';
import type { ActionContext } from '../../gateway/action';

/**
 * The primary admin and keys bound to no admin (made on the server's CLI) stand above every other account: only
 * they edit the primary. A key bound to the primary, or bound to no one, would carry that standing, so only
 * they may mint one or revoke one — another admin holding every permission is still not the primary.
 */
async function isTop(ctx: ActionContext): Promise<boolean> {
  if (ctx.actor.type === 'api_key' && ctx.actor.adminId === null) return true;
  if (ctx.actor.adminId === null) return false;
  const me = await ctx.db('admins').where({ id: ctx.actor.adminId }).first('is_primary');
  return Boolean(me?.is_primary);
}

export const apiKeyCreate = defineAction({
  name: 'api_key_create',
  section: 'api_keys',
  summary: 'Create an API key (shown once); optionally bound to an admin whose permissions it carries',
  input: z.object({ name: text(128), admin: optionalText(64) }),
  permission: 'api_keys.write',
  rateClass: 'standard',
  async run(ctx, input) {
    let adminId: number | null = null;
    if (input.admin) {
      const a = await adminsByUsername(ctx.db, input.admin).first();
      if (!a) throw new AppError('admin_not_found', `No admin is called "${input.admin}".`, 404);
      if (a.is_primary && !(await isTop(ctx))) throw new AppError('forbidden', 'Only the primary admin (or a CLI key) can create a key for the primary admin.', 403);
      assertNotBeyond(effectivePermissions(a), ctx.actor.permissions, `A key for "${a.username}"`);
      adminId = a.id;
    } else if (!(await isTop(ctx))) {
      // A key bound to no admin stands where a CLI key does; anyone else gets a key bound to itself.
      adminId = ctx.actor.adminId;
      if (adminId === null) throw new AppError('forbidden', 'Name the admin the key acts for with "admin".', 403);
    }
    const k = await createApiKey(ctx.db, input.name, adminId);
    return { id: k.id, name: k.name, key: k.key, prefix: k.prefix, note: 'The key is shown only now; store it safely.' };
  },
});

export const apiKeyList = defineAction({
  name: 'api_key_list',
  section: 'api_keys',
  summary: 'List API keys (never the keys themselves)',
  input: z.object({}).passthrough(),
  permission: 'api_keys.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    return listApiKeys(ctx.db);
  },
});

export const apiKeyRevoke = defineAction({
  name: 'api_key_revoke',
  section: 'api_keys',
  summary: 'Revoke an API key; it stops working at once',
  input: z.object({ id }),
  permission: 'api_keys.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const row = await ctx.db('api_keys').where({ id: input.id }).first('id', 'admin_id');
    if (row && !(await isTop(ctx))) {
      const owner = row.admin_id === null ? null : ((await ctx.db('admins').where({ id: row.admin_id }).first()) as AdminRow | undefined);
      if (row.admin_id === null || owner?.is_primary)
        throw new AppError('forbidden', 'Only the primary admin (or a CLI key) can revoke a key of the primary admin or a key bound to no admin.', 403);
      if (owner) assertNotBeyond(effectivePermissions(owner), ctx.actor.permissions, `The key of "${owner.username}"`);
    }
    return revokeApiKey(ctx.db, input.id);
  },
});

export const apiKeyActions = [apiKeyCreate, apiKeyList, apiKeyRevoke];

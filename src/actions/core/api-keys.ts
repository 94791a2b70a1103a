import { z } from 'zod';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { id, optionalText, text } from '../../gateway/fields';
import { createApiKey, listApiKeys, revokeApiKey } from '../../services/api-keys';
import { adminsByUsername, assertNotBeyond, effectivePermissions, permissionsBeyond } from '../../services/admins';
import { fullPermissions } from '../../gateway/permissions';

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
      assertNotBeyond(effectivePermissions(a), ctx.actor.permissions, `A key for "${a.username}"`);
      adminId = a.id;
    } else if (permissionsBeyond(fullPermissions(), ctx.actor.permissions).length) {
      // A key bound to no admin holds every permission; a caller without them gets a key bound to itself.
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
    return revokeApiKey(ctx.db, input.id);
  },
});

export const apiKeyActions = [apiKeyCreate, apiKeyList, apiKeyRevoke];

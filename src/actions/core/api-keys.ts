import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { id, optionalText, text } from '../../gateway/fields';
import { listApiKeys, mintApiKey, revokeApiKeyAs } from '../../services/core/api-keys';

export const apiKeyCreate = defineAction({
  name: 'api_key_create',
  section: 'api_keys',
  summary: 'Create an API key (shown once); optionally bound to an admin whose permissions it carries',
  input: z.object({ name: text(128), admin: optionalText(64) }),
  permission: 'api_keys.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return mintApiKey(ctx.db, ctx.actor, input);
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
    return revokeApiKeyAs(ctx.db, ctx.actor, input.id);
  },
});

export const apiKeyActions = [apiKeyCreate, apiKeyList, apiKeyRevoke];

import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { id, optionalText, text } from '../../gateway/fields';
import { DIALECTS, listApiClients, mintApiClient, revokeApiClient } from '../../services/core/api-clients';

export const apiClientCreate = defineAction({
  name: 'api_client_create',
  section: 'api_keys',
  summary: 'Create a credential for another API dialect (shown once): dialect=ispbills answers client_id/client_secret, dialect=smartisp answers key',
  input: z.object({ name: text(128), dialect: z.enum(DIALECTS), admin: optionalText(64) }),
  permission: 'api_keys.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return mintApiClient(ctx.db, ctx.actor, input);
  },
});

export const apiClientList = defineAction({
  name: 'api_client_list',
  section: 'api_keys',
  summary: 'List the dialect credentials (never their secrets)',
  input: z.object({ dialect: z.preprocess((v) => (v === '' ? undefined : v), z.enum(DIALECTS).optional()) }),
  permission: 'api_keys.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return listApiClients(ctx.db, input.dialect);
  },
});

export const apiClientRevoke = defineAction({
  name: 'api_client_revoke',
  section: 'api_keys',
  summary: 'Revoke a dialect credential; it and the tokens issued with it stop working at once',
  input: z.object({ id }),
  permission: 'api_keys.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return revokeApiClient(ctx.db, ctx.actor, input.id);
  },
});

export const apiClientActions = [apiClientCreate, apiClientList, apiClientRevoke];

import { z } from 'zod';
import { defineAction, type AnyAction } from '../../gateway/action';

/** `describe` publishes the registry it is part of, so it is built with the final list. */
export function describeAction(list: () => Array<Record<string, unknown>>): AnyAction {
  return defineAction({
    name: 'describe',
    section: 'system',
    summary: 'Every registered action with its JSON Schema, section, permission and rate class',
    input: z.object({}).passthrough(),
    permission: { authenticated: true },
    rateClass: 'standard',
    methods: ['GET', 'POST'],
    async run(ctx) {
      // A tenant's own admins never see the platform's tenant actions.
      return ctx.tenant.id === null ? list() : list().filter((a) => a.section !== 'tenants');
    },
  });
}

import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, optionalId, optionalText, Page, page, perPage } from '../../gateway/fields';
import { AppError, errors } from '../../errors';
import { requireCustomer } from '../../services/network/customers';
import type { Db } from '../../services/network/common';
import { listSessions, coaCustomer, disconnectCustomer } from '../../services/network/sessions';

/** Digits, k/M/G units, '/' pairs and spaces between the positional fields: nothing else is a rate limit. */
const rateLimit = z.preprocess(
  blank,
  z
    .string()
    .trim()
    .max(128)
    .regex(/^[0-9.]+[kKmMgG]?(\/[0-9.]+[kKmMgG]?)?( [0-9.]+[kKmMgG]?(\/[0-9.]+[kKmMgG]?)?){0,5}$/, 'must be a Mikrotik-Rate-Limit like "10M/100M"')
    .optional(),
);

async function customerFrom(ctx: { db: Db }, input: { id?: number; username?: string }) {
  if (input.id === undefined && input.username === undefined) throw errors.missing('username');
  return requireCustomer(ctx.db, input.id !== undefined ? { id: input.id } : { username: input.username });
}

export const radiusSessions = defineAction({
  name: 'radius_sessions',
  section: 'radius',
  summary: 'RADIUS sessions from radacct with traffic counters (open by default; state=closed|all); filter by username, router, NAS IP; page or keyset cursor',
  input: z.object({
    page,
    per_page: perPage(100, 25),
    username: optionalText(64),
    router: optionalText(100),
    nas_ip: optionalText(45),
    search: optionalText(64),
    state: z.preprocess(blank, z.enum(['open', 'closed', 'all']).optional()),
    cursor: optionalText(64),
  }),
  permission: 'radius.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: async (ctx, input) => {
    const r = await listSessions(ctx, input);
    return new Page(r.sessions, r.meta);
  },
});

export const radiusDisconnect = defineAction({
  name: 'radius_disconnect',
  section: 'radius',
  summary: "RFC 5176 Disconnect-Request to the subscriber's NAS (all their sessions, or acct_session_id)",
  input: z.object({ id: optionalId, username: optionalText(64), acct_session_id: optionalText(64) }),
  permission: 'radius.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const c = await customerFrom(ctx, input);
    return disconnectCustomer(ctx, c, input.acct_session_id);
  },
});

export const radiusCoa = defineAction({
  name: 'radius_coa',
  section: 'radius',
  summary: "CoA-Request with the plan's Mikrotik-Rate-Limit (or rate_limit) to live sessions, without dropping them",
  input: z.object({ id: optionalId, username: optionalText(64), acct_session_id: optionalText(64), rate_limit: rateLimit }),
  permission: 'radius.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const c = await customerFrom(ctx, input);
    if (c.status === 'suspended') {
      throw new AppError('customer_suspended', `"${c.username}" is suspended; unsuspend with toggle_status before changing their speed.`, 409);
    }
    return coaCustomer(ctx, c, input.rate_limit, input.acct_session_id);
  },
});

export const radiusActions = [radiusSessions, radiusDisconnect, radiusCoa];

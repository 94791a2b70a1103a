import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { nowUtc } from '../../db/knex';

/** Who a VoIP action is about: our subscriber (by username) and/or the MOR user it is linked to. */
export interface VoipTarget {
  customerId: number | null;
  username: string | null;
  email: string | null;
  fullname: string | null;
  morUserId: number | null;
  morUsername: string | null;
}

export async function resolveTarget(db: Knex, input: { username?: string; mor_user_id?: number }): Promise<VoipTarget> {
  if (input.username !== undefined) {
    const c = await db('customers').where({ username: input.username }).first('id', 'username', 'email', 'fullname', 'mor_user_id', 'mor_username');
    if (!c) throw new AppError('customer_not_found', `No subscriber has the username "${input.username}".`, 404);
    if (input.mor_user_id !== undefined && c.mor_user_id !== null && Number(c.mor_user_id) !== input.mor_user_id) {
      throw new AppError('invalid_mor_user_id', `Subscriber "${c.username}" is linked to MOR user ${c.mor_user_id}, not ${input.mor_user_id}.`, 422, { details: { mor_user_id: 'does not match the subscriber' } });
    }
    return {
      customerId: Number(c.id), username: c.username, email: c.email ?? null, fullname: c.fullname ?? null,
      morUserId: c.mor_user_id !== null && c.mor_user_id !== undefined ? Number(c.mor_user_id) : (input.mor_user_id ?? null),
      morUsername: c.mor_username ?? null,
    };
  }
  if (input.mor_user_id !== undefined) {
    const c = await db('customers').where({ mor_user_id: input.mor_user_id }).first('id', 'username', 'email', 'fullname', 'mor_username');
    return {
      customerId: c ? Number(c.id) : null, username: c?.username ?? null, email: c?.email ?? null, fullname: c?.fullname ?? null,
      morUserId: input.mor_user_id, morUsername: c?.mor_username ?? null,
    };
  }
  throw new AppError('missing_username', 'Name the subscriber with username, or the MOR user with mor_user_id.', 422, { details: { username: 'required' } });
}

export function needMorUserId(t: VoipTarget): number {
  if (t.morUserId === null) throw notLinked(t, 'mor_user_id');
  return t.morUserId;
}

export function needMorUsername(t: VoipTarget): string {
  if (!t.morUsername) throw notLinked(t, 'mor_username');
  return t.morUsername;
}

function notLinked(t: VoipTarget, field: string): AppError {
  const who = t.username ? `Subscriber "${t.username}"` : `MOR user ${t.morUserId}`;
  return new AppError('voip_not_linked', `${who} has no ${field}; link it with mor_provisioning or edit (${field}).`, 409, { details: { [field]: 'not linked' } });
}

/** Links a subscriber to a MOR user (edit's mor_user_id / mor_username; null clears). */
export async function linkMorUser(db: Knex, customerId: number, link: { mor_user_id?: number | null; mor_username?: string | null }) {
  const patch: Record<string, unknown> = {};
  if (link.mor_user_id !== undefined) patch.mor_user_id = link.mor_user_id;
  if (link.mor_username !== undefined) patch.mor_username = link.mor_username;
  if (!Object.keys(patch).length) return null;
  await db('customers').where({ id: customerId }).update({ ...patch, updated_at: nowUtc() });
  const c = await db('customers').where({ id: customerId }).first('mor_user_id', 'mor_username');
  return { mor_user_id: c.mor_user_id !== null ? Number(c.mor_user_id) : null, mor_username: c.mor_username ?? null };
}

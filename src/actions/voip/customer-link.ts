import { z } from 'zod';
import { strictInt } from '../../gateway/fields';
import { AppError } from '../../errors';
import type { ActionContext } from '../../gateway/action';
import { linkMorUser } from '../../services/voip/subscribers';

/** edit's fields linking a subscriber to a MOR user ("" clears). */
export const morLinkFields = {
  mor_user_id: z.preprocess((v) => (v === '' ? null : v), z.preprocess(strictInt, z.number().int().positive()).nullable().optional()),
  mor_username: z.preprocess((v) => (v === '' ? null : v), z.string().trim().min(1).max(64).nullable().optional()),
};

type Link = { mor_user_id?: number | null; mor_username?: string | null };

/**
 * Runs edit's update with the MOR link: the link is checked before anything is written (one MOR user belongs to
 * one subscriber), applied after the update, and added to the reply.
 */
export async function withMorLink<T>(ctx: ActionContext, ref: { id?: number; username?: string }, link: Link, update: () => Promise<T>): Promise<T> {
  if (link.mor_user_id === undefined && link.mor_username === undefined) return update();
  const cur = await ctx.db('customers').where(ref.id !== undefined ? { id: ref.id } : { username: ref.username }).first('id');
  if (cur && link.mor_user_id) {
    const other = await ctx.db('customers').where({ mor_user_id: link.mor_user_id }).whereNot({ id: cur.id }).first('username');
    if (other) throw new AppError('duplicate_mor_user_id', `MOR user ${link.mor_user_id} is already linked to subscriber "${other.username}".`, 409, { details: { mor_user_id: 'linked to another subscriber' } });
  }
  const updated = await update();
  const id = (updated as { id?: unknown })?.id;
  if (typeof id !== 'number') return updated;
  return { ...updated, ...(await linkMorUser(ctx.db, id, link)) } as T;
}

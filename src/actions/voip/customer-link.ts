import { z } from 'zod';
import type { ActionContext } from '../../gateway/action';
import { linkMorUser } from '../../services/voip/subscribers';

/** edit's fields linking a subscriber to a MOR user ("" clears). */
export const morLinkFields = {
  mor_user_id: z.preprocess((v) => (v === '' ? null : v), z.coerce.number().int().positive().nullable().optional()),
  mor_username: z.preprocess((v) => (v === '' ? null : v), z.string().trim().min(1).max(64).nullable().optional()),
};

/** Applies the MOR link after edit has saved the subscriber and adds it to the reply. */
export async function withMorLink<T>(ctx: ActionContext, updated: T, link: { mor_user_id?: number | null; mor_username?: string | null }): Promise<T> {
  const id = (updated as { id?: unknown })?.id;
  if ((link.mor_user_id === undefined && link.mor_username === undefined) || typeof id !== 'number') return updated;
  const saved = await linkMorUser(ctx.db, id, link);
  return { ...updated, ...saved } as T;
}

/**
 * A plan may name an IPv4 pool (`pool`) and an IPv6 prefix-delegation pool (`pool6`) from the Network Settings.
 * FreeRADIUS then replies Framed-Pool / Delegated-IPv6-Prefix-Pool (RFC 6911) and the NAS allocates from its local
 * pool of that name, the one `save_network_settings apply=1` put on the router.
 */
import { AppError } from '../../errors';
import { currentSettings } from './settings';
import type { Db } from './common';

/** Checks the names against the current settings; returns the columns to write ("" or null clears). */
export async function planPoolColumns(db: Db, input: { pool?: string | null; pool6?: string | null }): Promise<{ pool?: string | null; pool6?: string | null }> {
  const out: { pool?: string | null; pool6?: string | null } = {};
  if (input.pool === undefined && input.pool6 === undefined) return out;
  const settings = await currentSettings(db);
  for (const [field, family] of [['pool', 4], ['pool6', 6]] as const) {
    const name = input[field];
    if (name === undefined) continue;
    if (name === null || name === '') {
      out[field] = null;
      continue;
    }
    const pool = settings.pools.find((p) => p.name === name);
    if (!pool) {
      throw new AppError('pool_not_found', `No IP pool named "${name}". get_network_settings lists the pools.`, 404, { details: { [field]: 'not found' } });
    }
    if (pool.family !== family) {
      throw new AppError(`invalid_${field}`, `Pool "${name}" is an IPv${pool.family} pool; ${field} takes an IPv${family} ${family === 6 ? 'prefix-delegation ' : ''}pool.`, 422, {
        details: { [field]: `not an IPv${family} pool` },
      });
    }
    out[field] = name;
  }
  return out;
}

/** The radgroupreply rows for a plan's pools (none when it names none). */
export function planPoolReplies(group: string, plan: { pool?: string | null; pool6?: string | null }) {
  const rows: { groupname: string; attribute: string; op: string; value: string }[] = [];
  if (plan.pool) rows.push({ groupname: group, attribute: 'Framed-Pool', op: ':=', value: plan.pool });
  if (plan.pool6) rows.push({ groupname: group, attribute: 'Delegated-IPv6-Prefix-Pool', op: ':=', value: plan.pool6 });
  return rows;
}

/** The pool names as a plan is shown. */
export function poolsOf(plan: { pool?: string | null; pool6?: string | null }) {
  return { pool: plan.pool ?? null, pool6: plan.pool6 ?? null };
}

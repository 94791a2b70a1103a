import type { Knex } from 'knex';
import { nowUtc } from '../db/knex';

/**
 * An API key's last use is remembered in memory and written in batches (every FLUSH_MS, one UPDATE per key used
 * since), so a request never writes to the database for it. A key whose stored time is under a minute old is not
 * even queued. Readers that show last_used_at (api_key_list) flush first, so this instance's uses are never lost
 * from view; other instances' uses appear within FLUSH_MS.
 */
const FLUSH_MS = 5_000;

interface Pending {
  at: Map<number, Date>;
  /** When each key's use was last queued: the key row the gate holds may be a cached copy with an old time. */
  queued: Map<number, number>;
  timer: NodeJS.Timeout | null;
}
const pendingByDb = new WeakMap<Knex, Pending>();

export function recordKeyUse(db: Knex, row: { id: number; last_used_at: string | null }, now = Date.now()): void {
  let p = pendingByDb.get(db);
  // This instance's own recent use is the cheap check (a number), made before the stored time is parsed.
  const last = p?.queued.get(row.id);
  if (last !== undefined && now - last < 60_000) return;
  if (row.last_used_at && now - Date.parse(String(row.last_used_at).replace(' ', 'T') + 'Z') < 60_000) return;
  if (!p) pendingByDb.set(db, (p = { at: new Map(), queued: new Map(), timer: null }));
  if (p.queued.size >= 10_000) p.queued.clear();
  p.queued.set(row.id, now);
  p.at.set(row.id, new Date(now));
  if (!p.timer) {
    p.timer = setTimeout(() => void flushKeyUses(db).catch(() => undefined), FLUSH_MS);
    p.timer.unref();
  }
}

/** Writes every queued last-used time of this database now. */
export async function flushKeyUses(db: Knex): Promise<void> {
  const p = pendingByDb.get(db);
  if (!p) return;
  if (p.timer) clearTimeout(p.timer);
  p.timer = null;
  const batch = [...p.at];
  p.at.clear();
  for (const [id, at] of batch) await db('api_keys').where({ id }).update({ last_used_at: nowUtc(at) });
}

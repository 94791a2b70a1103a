import type { Knex } from 'knex';

/**
 * Page numbers (the reference's `page`) on lists ordered by id, without reading every row before the page. A deep
 * page used to be `OFFSET n`: the engine walks n rows first, so page 20,000 of a million subscribers cost ~0.5 s.
 * For a deep page the ids at every STEP-th position of the filtered list are read once (one index walk, the
 * engine numbering the rows), kept per filter, and the page becomes "from the anchor before it, skip fewer than
 * STEP rows".
 *
 * The anchors stay right while rows are appended (ascending ids: a new row sorts after every anchor). A change that
 * moves rows in or out of a filter (an edit, a status change, a delete) calls `forgetAnchors`, so on one instance
 * page numbers are exactly OFFSET's; a change made by another instance is seen within TTL_MS (a page may be
 * shifted by the rows it moved until then). Exact walks under concurrent change are what `cursor` is for.
 */
const STEP = 1000;
/** Below this offset OFFSET itself is cheap. */
const MIN_OFFSET = 5 * STEP;
const TTL_MS = 60_000;
const MAX_FILTERS = 200;

interface Entry {
  ids: number[];
  at: number;
  generation: number;
}
interface PerDb {
  entries: Map<string, Entry>;
  building: Map<string, Promise<Entry>>;
  generation: Map<string, number>;
}
const state = new WeakMap<object, PerDb>();

function perDb(db: object): PerDb {
  let s = state.get(db);
  if (!s) state.set(db, (s = { entries: new Map(), building: new Map(), generation: new Map() }));
  return s;
}

/** Rows of `table` changed in a way that can move them between positions of a filtered list. */
export function forgetAnchors(db: object, table: string): void {
  const s = perDb(db);
  s.generation.set(table, (s.generation.get(table) ?? 0) + 1);
}

async function build(db: Knex, q: Knex.QueryBuilder, col: string): Promise<number[]> {
  // ROW_NUMBER() over the filtered ids, ascending: MariaDB 10.2+ and SQLite 3.25+ both have it.
  const inner = q.clone().clearSelect().clearOrder().select({ anchor_id: col }).select(db.raw(`ROW_NUMBER() OVER (ORDER BY ?? ASC) AS rn`, [col]));
  const rows = (await db.from(inner.as('numbered')).whereRaw(`(rn - 1) % ${STEP} = 0`).orderBy('rn').select('anchor_id')) as Array<{ anchor_id: number | string }>;
  return rows.map((r) => Number(r.anchor_id));
}

async function anchors(db: Knex, table: string, key: string, q: Knex.QueryBuilder, col: string): Promise<number[]> {
  const s = perDb(db);
  const generation = s.generation.get(table) ?? 0;
  const hit = s.entries.get(key);
  if (hit && hit.generation === generation && Date.now() - hit.at < TTL_MS) return hit.ids;
  const flight = `${generation}|${key}`;
  let p = s.building.get(flight);
  if (!p) {
    p = build(db, q, col).then((ids) => {
      const e = { ids, at: Date.now(), generation };
      if (s.entries.size >= MAX_FILTERS) s.entries.clear();
      if ((s.generation.get(table) ?? 0) === generation) s.entries.set(key, e);
      return e;
    });
    s.building.set(flight, p);
    void p.catch(() => undefined).finally(() => s.building.delete(flight));
  }
  return (await p).ids;
}

/**
 * `q` (filtered, not ordered) as the page at `offset`, ascending by `col` (an integer key), `limit` rows. `key` names
 * the table and filter, as for list totals.
 */
export async function offsetPage(db: Knex, table: string, key: string, q: Knex.QueryBuilder, col: string, offset: number, limit: number): Promise<Knex.QueryBuilder> {
  const page = q.clone().orderBy(col, 'asc').limit(limit);
  if (offset < MIN_OFFSET) return page.offset(offset);
  const ids = await anchors(db, table, key, q, col);
  const k = Math.floor(offset / STEP);
  if (k >= ids.length) return page.whereRaw('1 = 0'); // past the last row
  return page.where(col, '>=', ids[k]).offset(offset - k * STEP);
}

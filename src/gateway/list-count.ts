import type { Knex } from 'knex';
import { isSqlite } from '../db/knex';

/**
 * meta.total for lists over tables that grow with the ISP (customers, radacct). A small table (under
 * EXACT_BELOW rows by the engine's own estimate) is always counted exactly. On a large one a count is kept per
 * filter: under FRESH_MS old it is the answer; up to STALE_MS old it is the answer, marked `estimated`, while a
 * fresh count runs in the background. A filter not counted yet is counted exactly when that is quick (at most
 * COUNT_BUDGET_MS on MariaDB); when it would cost more than the page, the answer is the optimizer's row estimate,
 * marked `estimated`, and the exact count is made in the background.
 */
const EXACT_BELOW = 10_000;
const COUNT_BUDGET_MS = 10;
const FRESH_MS = 5_000;
const STALE_MS = 60_000;

interface Entry {
  n: number;
  at: number;
}
const counts = new WeakMap<Knex, Map<string, Entry>>();
const tableSizes = new WeakMap<Knex, Map<string, { n: number; at: number }>>();

async function tableEstimate(db: Knex, table: string): Promise<number> {
  let m = tableSizes.get(db);
  if (!m) tableSizes.set(db, (m = new Map()));
  const hit = m.get(table);
  if (hit && Date.now() - hit.at < 60_000) return hit.n;
  let n: number;
  if (isSqlite(db)) {
    // SQLite keeps no row estimate; the largest rowid bounds it from above and costs one index step.
    const r = (await db(table).max({ n: 'rowid' })) as Array<{ n: number | null }>;
    n = Number(r[0]?.n ?? 0);
  } else {
    const r = (await db('information_schema.TABLES').where({ TABLE_SCHEMA: db.raw('DATABASE()'), TABLE_NAME: table }).first('TABLE_ROWS as n')) as { n: number } | undefined;
    n = Number(r?.n ?? 0);
  }
  m.set(table, { n, at: Date.now() });
  return n;
}

function mapFor(db: Knex): Map<string, Entry> {
  let m = counts.get(db);
  if (!m) counts.set(db, (m = new Map()));
  return m;
}

function remember(db: Knex, key: string, n: number) {
  const m = mapFor(db);
  if (m.size >= 1000) m.clear();
  m.set(key, { n, at: Date.now() });
}

async function exact(q: Knex.QueryBuilder): Promise<number> {
  return Number(((await q.clone().clearOrder().count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
}

const refreshing = new Set<string>();
/** Databases with a background count running: one at a time each, so a burst of new filters (every NAS of a list,
 *  say) does not start a burst of full counts competing with the pages they are counted for. */
const countingDbs = new Set<number>();
const dbIds = new WeakMap<Knex, number>();
let nextDbId = 1;
function dbId(db: Knex): number {
  if (!dbIds.has(db)) dbIds.set(db, nextDbId++);
  return dbIds.get(db)!;
}
function refresh(db: Knex, key: string, q: Knex.QueryBuilder) {
  const id = dbId(db);
  const flight = `${id}|${key}`;
  if (refreshing.has(flight) || countingDbs.has(id)) return;
  refreshing.add(flight);
  countingDbs.add(id);
  exact(q)
    .then((n) => remember(db, key, n))
    .catch(() => undefined)
    .finally(() => {
      refreshing.delete(flight);
      countingDbs.delete(id);
    });
}

/** Optimizer estimates recently answered per filter (while the exact count is pending), so that a filter whose
 *  exact count is over budget does not pay the budget again on every page. */
const estimates = new WeakMap<Knex, Map<string, Entry>>();

/** The total of a filtered list: `key` names the table and filter (e.g. `customers|{"status":"active"}`). */
export async function listTotal(db: Knex, table: string, key: string, q: Knex.QueryBuilder): Promise<{ total: number; estimated: boolean }> {
  if ((await tableEstimate(db, table)) < EXACT_BELOW) return { total: await exact(q), estimated: false };
  const m = mapFor(db);
  const hit = m.get(key);
  if (hit && Date.now() - hit.at < FRESH_MS) return { total: hit.n, estimated: false };
  // A count a little older than FRESH_MS is answered at once (marked) while a fresh one is made in the background.
  if (hit && Date.now() - hit.at < STALE_MS) {
    refresh(db, key, q);
    return { total: hit.n, estimated: true };
  }
  if (isSqlite(db)) {
    const n = await exact(q);
    remember(db, key, n);
    return { total: n, estimated: false };
  }
  let est = estimates.get(db);
  if (!est) estimates.set(db, (est = new Map()));
  const guess = est.get(key);
  if (guess && Date.now() - guess.at < STALE_MS) {
    refresh(db, key, q);
    return { total: guess.n, estimated: true };
  }
  const { sql, bindings } = q.clone().clearOrder().count({ n: '*' }).toSQL();
  try {
    const [rows] = (await db.raw(`SET STATEMENT max_statement_time=${COUNT_BUDGET_MS / 1000} FOR ${sql}`, bindings as Knex.RawBinding[])) as unknown as [Array<{ n: number | string }>];
    const n = Number(rows[0].n);
    remember(db, key, n);
    return { total: n, estimated: false };
  } catch (e) {
    if ((e as { errno?: number }).errno !== 1969) throw e; // ER_STATEMENT_TIMEOUT: over budget
  }
  refresh(db, key, q);
  const [plan] = (await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as unknown as [Array<{ rows: number | string | null }>];
  const n = Math.max(0, ...plan.map((p) => Number(p.rows ?? 0)));
  if (est.size >= 1000) est.clear();
  est.set(key, { n, at: Date.now() });
  return { total: n, estimated: true };
}

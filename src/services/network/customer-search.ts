/**
 * Subscriber search (`list_customers search=`, SmartISP `/clients?search=`, ISPBills `/customers?search=`) from a
 * word index, so it costs the same at a thousand subscribers as at a million.
 *
 * Meaning: every word of the query must start a word of the subscriber's username, full name, e-mail or Tax ID
 * (AFM), or start the phone number or any of its last digits (from 4). Case and accents are ignored in Latin and
 * Greek (`fold`), so "παπαδ" finds "Παπαδόπουλος" and "MARIA" finds "María". A query that is only a phone number
 * ("+30 697 123 4567", "697-1234567") is read as its digits. `%` and `_` are characters, never wildcards.
 *
 * The index is the table customer_search_terms (term, customer_id), kept in the same transaction as every write of
 * those columns (`indexCustomerSearch`). Rows written around the services (an SQL import) are picked up by
 * `reindexCustomerSearch` (CLI: `npm run cli -- search reindex`).
 */
import type { Knex } from 'knex';
import { fold } from '../../domain/fold';

export const SEARCH_TABLE = 'customer_search_terms';
/** The searched columns: a write that changes none of them leaves the index alone. */
export const SEARCHED_COLUMNS = ['username', 'fullname', 'email', 'phone', 'afm'] as const;
const TERM_MAX = 64;
const PHONE_SUFFIX_MIN = 4;
/** Above the largest code point: `term < prefix + TOP` bounds a prefix range on both databases (binary order). */
const TOP = '\u{10FFFF}';

type Searched = { [K in (typeof SEARCHED_COLUMNS)[number]]?: string | null };

function words(text: string | null | undefined): string[] {
  const f = fold(text);
  return f ? f.split(/[^\p{L}\p{N}]+/u).filter(Boolean) : [];
}

/** The terms a subscriber is found by (distinct, each at most 64 characters). */
export function searchTerms(c: Searched): string[] {
  const out = new Set<string>();
  for (const col of ['username', 'fullname', 'email', 'afm'] as const) for (const w of words(c[col])) out.add(w.slice(0, TERM_MAX));
  const digits = String(c.phone ?? '').replace(/\D+/g, '');
  if (digits) {
    out.add(digits.slice(0, TERM_MAX));
    for (let i = 1; digits.length - i >= PHONE_SUFFIX_MIN; i++) out.add(digits.slice(i, i + TERM_MAX));
  }
  // Words of the phone as written (an extension "ext 12", a note) are found too.
  for (const w of words(c.phone)) if (!/^\d+$/.test(w)) out.add(w.slice(0, TERM_MAX));
  return [...out];
}

/** The query's words, each a prefix every match must have a term for; longest (most selective) first. */
export function queryWords(text: string): string[] {
  const t = text.trim();
  if (/^\+?[\d\s\-().]+$/.test(t) && /\d/.test(t)) return [t.replace(/\D+/g, '').slice(0, TERM_MAX)];
  return [...new Set(words(t).map((w) => w.slice(0, TERM_MAX)))].sort((a, b) => b.length - a.length);
}

/**
 * Makes the index hold exactly the terms of the given subscribers (call inside the transaction that wrote them).
 * Only the difference is written, and a term is removed by its primary key: an exact-key delete takes a record
 * lock only, while "delete every term of customer N" takes gap locks on MariaDB, and two transactions holding
 * the gaps around neighbouring subscribers then deadlock on each other's inserts. `fresh`: new subscribers, who
 * have no terms yet (nothing is read).
 */
export async function indexCustomerSearch(db: Knex | Knex.Transaction, rows: Array<Searched & { id: number }>, opts: { fresh?: boolean } = {}): Promise<void> {
  if (!rows.length) return;
  const want = new Map(rows.map((r) => [r.id, new Set(searchTerms(r))]));
  const have = opts.fresh ? [] : ((await db(SEARCH_TABLE).whereIn('customer_id', [...want.keys()]).select('term', 'customer_id')) as Array<{ term: string; customer_id: number }>);
  for (const h of have) {
    const w = want.get(Number(h.customer_id))!;
    if (w.has(h.term)) w.delete(h.term);
    else await db(SEARCH_TABLE).where({ term: h.term, customer_id: h.customer_id }).delete();
  }
  const terms = [...want].flatMap(([customer_id, set]) => [...set].map((term) => ({ term, customer_id })));
  // 400 rows a statement: SQLite's multi-row insert is a compound SELECT, limited to 500 terms.
  for (let i = 0; i < terms.length; i += 400) await db(SEARCH_TABLE).insert(terms.slice(i, i + 400));
}

/** True when a patch touches a searched column (so the terms must be rewritten). */
export function touchesSearch(patch: Record<string, unknown>): boolean {
  return SEARCHED_COLUMNS.some((c) => c in patch);
}

/**
 * Rebuilds the index for every subscriber (or those with id in `ids`), in batches of `batch` subscribers; returns
 * how many were indexed. For rows written around the services, and after a restore.
 */
export async function reindexCustomerSearch(db: Knex, opts: { ids?: number[]; batch?: number } = {}): Promise<number> {
  const batch = opts.batch ?? 2000;
  let last = 0;
  let n = 0;
  for (;;) {
    const q = db('customers').where('id', '>', last).orderBy('id').limit(batch).select('id', ...SEARCHED_COLUMNS);
    if (opts.ids) q.whereIn('id', opts.ids);
    const rows = (await q) as Array<Searched & { id: number }>;
    if (!rows.length) return n;
    await db.transaction((trx) => indexCustomerSearch(trx, rows));
    n += rows.length;
    last = rows[rows.length - 1].id;
  }
}

/**
 * How many index entries a word's prefix range is read to judge it; past this a word counts as common (1 % of a
 * million subscribers: walking subscribers in order then finds a page's 25 within a few thousand rows). Under it,
 * the candidates are read as ids: at 1,000 a word like "00328" (thousands of phone endings, a few per mille of the
 * subscribers) was walked through tens of thousands of rows, 0.2 s.
 */
const PROBE_LIMIT = 10_000;

function range(b: Knex.QueryBuilder, w: string, col = 'term'): Knex.QueryBuilder {
  return b.where(col, '>=', w).andWhere(col, '<', w + TOP);
}

/**
 * Narrows a query over `customers` to the subscribers matching `text`. Each word's prefix range of the term index is
 * first counted up to PROBE_LIMIT entries (an index-only read of at most that many entries), then:
 * - the rarest word under the limit drives: its range, de-duplicated, gives the candidates' ids ("subscriber 12345"
 *   starts from "12345", not from a word every subscriber has), and every other word is checked per candidate on
 *   the (customer_id, term) index;
 * - when every word is common, subscribers are walked in id order (the page's order, from the cursor) and each word
 *   is checked per subscriber, so a page costs about its own rows instead of de-duplicating the whole range.
 * The per-subscriber check is a correlated `(SELECT 1 … LIMIT 1) IS NOT NULL`, which MariaDB does not turn into a
 * semi-join (an EXISTS may be, and then driven from the common word's range). A query with no word matches nothing.
 */
export async function whereSearch(db: Knex, q: Knex.QueryBuilder, text: string): Promise<void> {
  const words = queryWords(text);
  if (!words.length) {
    void q.whereRaw('1 = 0');
    return;
  }
  const sizes = new Map<string, number>();
  for (const w of words) {
    const probe = range(db(SEARCH_TABLE).select('customer_id'), w).limit(PROBE_LIMIT);
    const r = (await db.from(probe.as('p')).count({ n: '*' })) as Array<{ n: number | string }>;
    sizes.set(w, Number(r[0].n));
  }
  const ordered = [...words].sort((a, b) => sizes.get(a)! - sizes.get(b)! || b.length - a.length);
  const driver = sizes.get(ordered[0])! < PROBE_LIMIT ? ordered[0] : null;
  if (driver) {
    // Fewer than PROBE_LIMIT entries: their subscribers are read here and given as ids, so the engine reads those
    // rows by primary key. (As a subquery, MariaDB sometimes chose to walk every subscriber in id order for the
    // page's ORDER BY … LIMIT and test each against it: 0.3 s at a million subscribers.)
    const ids = ((await range(db(SEARCH_TABLE).distinct('customer_id'), driver)) as Array<{ customer_id: number | string }>).map((r) => Number(r.customer_id));
    if (!ids.length) void q.whereRaw('1 = 0');
    else void q.whereIn('id', ids);
  }
  for (const w of ordered) {
    if (w === driver) continue;
    const check = range(db(`${SEARCH_TABLE} as st`).select(db.raw('1')).whereRaw('st.customer_id = customers.id'), w, 'st.term').limit(1);
    const { sql, bindings } = check.toSQL();
    void q.whereRaw(`(${sql}) IS NOT NULL`, bindings as Knex.RawBinding[]);
  }
}

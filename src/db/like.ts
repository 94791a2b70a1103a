import type { Knex } from 'knex';
import { isSqlite } from './knex';

/**
 * The one LIKE-escape. '!' escapes the wildcards (a backslash would need different quoting on MariaDB and
 * SQLite), so a "_" or "%" a caller searches for is a character, not a pattern.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";

/** `%text%` with `!`, `%` and `_` escaped; use with `col LIKE ? ${LIKE_ESCAPE}`. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (m) => '!' + m)}%`;
}

/**
 * Narrows `q` to rows where any of `columns` contains `text` as typed (wildcards escaped). Case and accents are
 * ignored on both dialects: MariaDB's collation does it, SQLite's LIKE folds ASCII only, so there both sides go
 * through `ispgate_fold()` (Greek too, src/domain/fold.ts). Column names are ours, never the caller's.
 */
export function whereContains(db: Knex, q: Knex.QueryBuilder, columns: readonly string[], text: string): void {
  const pat = containsPattern(text);
  const sqlite = isSqlite(db);
  void q.where((b) => {
    for (const col of columns) b.orWhereRaw(sqlite ? `ispgate_fold(${col}) LIKE ispgate_fold(?) ${LIKE_ESCAPE}` : `${col} LIKE ? ${LIKE_ESCAPE}`, [pat]);
  });
}

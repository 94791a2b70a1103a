/**
 * The comparison key of a name or search text, the same on both databases: MariaDB's utf8mb4_unicode_ci
 * ignores case and accents in Latin and Greek ("Αλέξης" = "ΑΛΕΞΗΣ" = "αλεξης", "José" = "jose"), SQLite's
 * NOCASE and LIKE fold ASCII letters only. SQLite gets this function as `ispgate_fold()` on every connection,
 * and its unique indexes and searches use it.
 */
export function fold(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return String(s)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ς/g, 'σ');
}

/** The name the SQL function is registered under on SQLite connections. */
export const FOLD_SQL = 'ispgate_fold';

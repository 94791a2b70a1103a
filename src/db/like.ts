/**
 * The one LIKE-escape. '!' escapes the wildcards (a backslash would need different quoting on MariaDB and
 * SQLite), so a "_" or "%" a caller searches for is a character, not a pattern.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";

/** `%text%` with `!`, `%` and `_` escaped; use with `col LIKE ? ${LIKE_ESCAPE}`. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (m) => '!' + m)}%`;
}

import { AppError } from '../errors';

/**
 * Keyset cursors for lists: an opaque token naming the list and the last key returned. The next page is read from
 * the index after that key (`id > last`), so its cost does not grow with the depth of the page, and rows inserted
 * or deleted between pages neither repeat nor skip a row that existed throughout.
 */
export function encodeCursor(list: string, last: number): string {
  return Buffer.from(`${list}:${last}`).toString('base64url');
}

export function decodeCursor(list: string, cursor: string): number {
  const raw = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '';
  const m = /^([a-z_]+):(\d{1,19})$/.exec(raw);
  if (!m || m[1] !== list) throw new AppError('invalid_cursor', 'The cursor is not one this list returned; start again without it.', 400);
  return Number(m[2]);
}

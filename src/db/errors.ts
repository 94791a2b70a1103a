import { AppError } from '../errors';

/**
 * Database errors from either dialect become one wire error; raw driver text never reaches a client.
 * Unique violations name the column when it can be read from the message.
 */
export function translateDbError(err: unknown): AppError | null {
  const e = err as { code?: string; errno?: number; message?: string; sqlMessage?: string };
  if (!e || typeof e !== 'object') return null;
  const msg = e.sqlMessage ?? e.message ?? '';
  if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062 || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const field = uniqueField(msg);
    return new AppError(field ? `duplicate_${field}` : 'duplicate', field ? `A record with this ${field} already exists.` : 'A record with these values already exists.', 409, {
      details: field ? { [field]: 'already exists' } : undefined,
    });
  }
  if (e.code === 'ER_NO_REFERENCED_ROW_2' || e.errno === 1452 || e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new AppError('invalid_reference', 'The record refers to something that does not exist.', 422);
  }
  if (e.code === 'ER_ROW_IS_REFERENCED_2' || e.errno === 1451) {
    return new AppError('in_use', 'The record is still in use by other records.', 409);
  }
  if (e.code === 'ER_LOCK_DEADLOCK' || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.code === 'SQLITE_BUSY') {
    return new AppError('busy', 'The database was busy; try again.', 503);
  }
  return null;
}

function uniqueField(msg: string): string | null {
  // SQLite: "UNIQUE constraint failed: customers.username"
  const s = /constraint failed: \w+\.(\w+)/.exec(msg);
  if (s) return s[1];
  // MariaDB: "Duplicate entry 'x' for key 'customers_username_unique'" / "for key 'username'"
  const m = /for key '(?:[\w]+\.)?([\w]+)'/.exec(msg);
  if (m) {
    const k = m[1].replace(/_unique$/, '');
    const parts = k.split('_');
    return parts.length > 1 ? parts.slice(1).join('_') : k;
  }
  return null;
}

import { AppError } from '../errors';

/**
 * Database errors from either dialect become one wire error; raw driver text never reaches a client.
 * Every constraint family is mapped on both dialects, so the same mistake answers the same code on SQLite and
 * MariaDB (deleting a subscriber who has invoices was a 500 on SQLite and `in_use` on MariaDB):
 *
 * | family            | SQLite (better-sqlite3 code)                         | MariaDB (code / errno)                        | wire             |
 * |-------------------|------------------------------------------------------|-----------------------------------------------|------------------|
 * | unique            | SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY                | ER_DUP_ENTRY 1062                             | duplicate_<col>  |
 * | row still in use  | SQLITE_CONSTRAINT_TRIGGER / _FOREIGNKEY on a delete  | ER_ROW_IS_REFERENCED(_2) 1451, 1217           | in_use           |
 * | missing parent    | SQLITE_CONSTRAINT_FOREIGNKEY on an insert/update     | ER_NO_REFERENCED_ROW(_2) 1452, 1216           | invalid_reference|
 * | not null          | SQLITE_CONSTRAINT_NOTNULL                            | ER_BAD_NULL_ERROR 1048, ER_NO_DEFAULT 1364    | missing_<col>    |
 * | check             | SQLITE_CONSTRAINT_CHECK                              | ER_CONSTRAINT_FAILED 4025, 3819               | invalid_<col>    |
 * | value out of range| (not enforced: bounded by input validation)          | 1264, 1406, 1292, 1366                        | invalid_value    |
 * | other constraint  | SQLITE_CONSTRAINT(_*)                                | —                                             | constraint_violation |
 * | busy / deadlock   | SQLITE_BUSY, SQLITE_LOCKED                           | ER_LOCK_DEADLOCK 1213, ER_LOCK_WAIT_TIMEOUT   | busy (503)       |
 * | unreachable       | SQLITE_CANTOPEN, SQLITE_IOERR*                       | ECONNREFUSED, timeouts, lost connection …     | service_unavailable (503) |
 */
export function translateDbError(err: unknown): AppError | null {
  const e = err as { code?: string; errno?: number; message?: string; sqlMessage?: string };
  if (!e || typeof e !== 'object') return null;
  if (isConnectionError(err)) return serviceUnavailable();
  const code = typeof e.code === 'string' ? e.code : '';
  const msg = e.sqlMessage ?? e.message ?? '';
  if (code === 'ER_DUP_ENTRY' || e.errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const field = uniqueField(msg, tableOf(e.message ?? ''));
    return new AppError(field ? `duplicate_${field}` : 'duplicate', field ? `A record with this ${field} already exists.` : 'A record with these values already exists.', 409, {
      details: field ? { [field]: 'already exists' } : undefined,
    });
  }
  const sqliteFk = (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === 'SQLITE_CONSTRAINT_TRIGGER') && /FOREIGN KEY/i.test(msg);
  // SQLite reports ON DELETE RESTRICT as a trigger and NO ACTION as a foreign key; only the statement tells a
  // delete of a referenced row from an insert that names a missing one. (knex prefixes the SQL to the message.)
  if (code === 'ER_ROW_IS_REFERENCED_2' || code === 'ER_ROW_IS_REFERENCED' || e.errno === 1451 || e.errno === 1217 || (sqliteFk && /^\s*delete\b/i.test(msg))) {
    return new AppError('in_use', 'The record is still in use by other records.', 409);
  }
  if (code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW' || e.errno === 1452 || e.errno === 1216 || sqliteFk) {
    return new AppError('invalid_reference', 'The record refers to something that does not exist.', 422);
  }
  if (code === 'SQLITE_CONSTRAINT_NOTNULL' || code === 'ER_BAD_NULL_ERROR' || e.errno === 1048 || code === 'ER_NO_DEFAULT_FOR_FIELD' || e.errno === 1364) {
    const field = columnOf(msg);
    return new AppError(field ? `missing_${field}` : 'missing_value', field ? `The field "${field}" is required.` : 'A required value is missing.', 422, {
      details: field ? { [field]: 'required' } : undefined,
    });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK' || code === 'ER_CONSTRAINT_FAILED' || e.errno === 4025 || e.errno === 3819) {
    const field = columnOf(msg);
    return new AppError(field ? `invalid_${field}` : 'invalid_value', field ? `The field "${field}" has a value that is not allowed.` : 'A value is not allowed.', 422, {
      details: field ? { [field]: 'not allowed' } : undefined,
    });
  }
  if (code === 'ER_WARN_DATA_OUT_OF_RANGE' || code === 'ER_DATA_TOO_LONG' || code === 'ER_TRUNCATED_WRONG_VALUE' || code === 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD' || [1264, 1406, 1292, 1366].includes(e.errno ?? 0)) {
    const field = columnOf(msg);
    return new AppError('invalid_value', field ? `The value for "${field}" does not fit.` : 'A value does not fit its field.', 422, { details: field ? { [field]: 'out of range' } : undefined });
  }
  if (code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
    return new AppError('busy', 'The database was busy; try again.', 503, { extra: { retry_after: 1 } });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new AppError('constraint_violation', 'The change breaks a rule of the stored data.', 409);
  }
  return null;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_NORMAL_SHUTDOWN', 'ER_SERVER_GONE_ERROR', 'ER_SERVER_LOST', 'ER_QUERY_INTERRUPTED',
  'DB_QUERY_TIMEOUT', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_NOTADB',
]);

/**
 * True when the database could not be reached or did not answer in time (refused, reset, frozen, pool
 * exhausted, query deadline passed): the request is answered `service_unavailable` (503, Retry-After), never
 * `internal_error`. Follows `cause` chains, since knex and our own code wrap driver errors.
 */
export function isConnectionError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; fatal?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (CONNECTION_CODES.has(code) || code.startsWith('SQLITE_IOERR')) return true;
  if (e.name === 'KnexTimeoutError') return true;
  // mysql2 marks errors that broke the connection as fatal; a fatal error with a server errno is still data.
  if (e.fatal === true && !(err as { errno?: unknown }).errno) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  if (/connection is in closed state|Connection lost|Timeout acquiring a connection|connect ETIMEDOUT|Pool is closed/i.test(msg)) return true;
  return isConnectionError(e.cause, depth + 1);
}

export const RETRY_AFTER_SECONDS = 5;

export function serviceUnavailable(): AppError {
  return new AppError('service_unavailable', 'The database is not answering; try again in a few seconds.', 503, { extra: { retry_after: RETRY_AFTER_SECONDS } });
}

function uniqueField(msg: string, table: string | null): string | null {
  // SQLite: "UNIQUE constraint failed: customers.username"; an expression index: "UNIQUE constraint failed: index 'customers_username_nocase'"
  const s = /constraint failed: \w+\.(\w+)/.exec(msg);
  if (s) return s[1];
  const idx = /constraint failed: index '(\w+)'/.exec(msg);
  if (idx) return fieldOfIndex(idx[1], table);
  // MariaDB: "Duplicate entry 'x' for key 'customers_username_unique'" / "for key 'username'"
  const m = /for key '(?:[\w]+\.)?([\w]+)'/.exec(msg);
  if (m) return fieldOfIndex(m[1], table);
  return null;
}

/** knex puts the statement before the driver's message: its table tells where an index name's column starts. */
function tableOf(msg: string): string | null {
  const m = /^\s*(?:insert\s+(?:ignore\s+)?into|update|replace\s+into)\s+[`"]?(\w+)[`"]?/i.exec(msg);
  return m ? m[1] : null;
}

/** Index names follow `<table>_<column>_<unique|nocase|ci>`; the column is what a person can act on. */
function fieldOfIndex(name: string, table: string | null = null): string {
  const k = name.replace(/_(unique|nocase|fold|ci|uq)$/, '');
  if (table && k.startsWith(`${table}_`) && k.length > table.length + 1) return k.slice(table.length + 1);
  const parts = k.split('_');
  return parts.length > 1 ? parts.slice(1).join('_') : k;
}

function columnOf(msg: string): string | null {
  // SQLite: "NOT NULL constraint failed: invoices.series", "CHECK constraint failed: price_cents_range"
  const s = /constraint failed: (?:\w+\.)?(\w+)/.exec(msg);
  if (s) return s[1];
  // MariaDB: "Column 'series' cannot be null", "Field 'x' doesn't have a default value", "Out of range value for column 'price_cents'",
  // "CONSTRAINT `plans_price_range` failed for `db`.`plans`"
  const m = /(?:Column|Field|for column) '(\w+)'/.exec(msg);
  if (m) return m[1];
  const c = /CONSTRAINT [`'](\w+)[`'] failed/.exec(msg);
  return c ? c[1] : null;
}

import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { nowUtc } from './knex';

/**
 * A lease on one row: one holder at a time until an expiry, so a holder that dies (process killed, instance gone)
 * loses the row when the expiry passes and another may take it over. Used wherever several workers or instances
 * may reach for the same row: a job, a webhook delivery, an e-invoice submission.
 *
 * Every step is one conditional UPDATE (`… WHERE <row> AND (until IS NULL OR until < now)` to take it, `… AND
 * <holder is me>` to renew or let go): exactly one contender sees a changed row, on MariaDB and SQLite alike,
 * across processes, with no transaction and no SELECT … FOR UPDATE. (mysql2 counts matched rows, as SQLite does.)
 *
 * The holder is named by a token column when the table has one. A table without one uses the expiry itself as
 * the holder's mark: a taker only gets a row whose expiry has passed and writes a later one, so no two holders
 * ever write the same expiry.
 */
export interface LeaseSpec {
  table: string;
  /** The expiry column (DATETIME, UTC); NULL means nobody holds the row. */
  until: string;
  /** The holder column, if the table has one. */
  token?: string;
  /** How long a lease lasts unless renewed. */
  ms: number;
}

/** Names the row (its primary key): conditions on its state go in `acquire`'s `where`, since `set` may change them. */
export type RowKey = Record<string, string | number>;

/** A lease held. `token` names the holder: its token, or (tokenless) the expiry it last wrote. */
export interface Lease {
  readonly key: RowKey;
  token: string;
  until: string;
}

export interface RowLease {
  readonly spec: LeaseSpec;
  /** A where-clause for rows nobody holds at `now` (for a SELECT of candidates before taking them). */
  vacant(now?: Date): (q: Knex.QueryBuilder) => void;
  /**
   * Takes the row if nobody holds it (or the holder's lease ran out). `where` narrows further (state, attempts …),
   * `set` is written in the same UPDATE (e.g. a state change). Null when someone else holds it.
   */
  acquire(db: Knex, key: RowKey, opts?: { now?: Date; ms?: number; where?: (q: Knex.QueryBuilder) => void; set?: Record<string, unknown> }): Promise<Lease | null>;
  /** Extends a held lease (and writes `set`); false when it was lost to another holder. */
  renew(db: Knex, lease: Lease, opts?: { now?: Date; ms?: number; set?: Record<string, unknown> }): Promise<boolean>;
  /** Lets go of a held lease, writing `set` in the same UPDATE; false (nothing written) when it was lost. */
  release(db: Knex, lease: Lease, set?: Record<string, unknown>): Promise<boolean>;
}

export function rowLease(spec: LeaseSpec): RowLease {
  const { table, until, token: tokenCol } = spec;
  const markCol = tokenCol ?? until;
  const vacant = (now: Date = new Date()) => (q: Knex.QueryBuilder) => {
    void q.whereNull(until).orWhere(until, '<', nowUtc(now));
  };
  const expiry = (now: Date | undefined, ms: number | undefined) => nowUtc(new Date((now ?? new Date()).getTime() + (ms ?? spec.ms)));
  const held = (db: Knex, lease: Lease) => db(table).where(lease.key).andWhere(markCol, lease.token);
  return {
    spec,
    vacant,
    async acquire(db, key, opts = {}) {
      const untilValue = expiry(opts.now, opts.ms);
      const token = tokenCol ? crypto.randomUUID() : untilValue;
      const q = db(table).where(key).andWhere(vacant(opts.now));
      if (opts.where) q.andWhere(opts.where);
      const n = await q.update({ ...opts.set, [until]: untilValue, ...(tokenCol ? { [tokenCol]: token } : {}) });
      return Number(n) === 1 ? { key, token, until: untilValue } : null;
    },
    async renew(db, lease, opts = {}) {
      const untilValue = expiry(opts.now, opts.ms);
      // Tokenless, the expiry is the mark: it never goes back, so a renewal keeps it unique to this holder.
      const next = untilValue > lease.until ? untilValue : lease.until;
      const n = await held(db, lease).update({ ...opts.set, [until]: next });
      if (Number(n) !== 1) return false;
      lease.until = next;
      if (!tokenCol) lease.token = next;
      return true;
    },
    async release(db, lease, set = {}) {
      const n = await held(db, lease).update({ ...set, [until]: null, ...(tokenCol ? { [tokenCol]: null } : {}) });
      return Number(n) === 1;
    },
  };
}

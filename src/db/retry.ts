import type { Knex } from 'knex';

/**
 * A transaction that died of a deadlock (MariaDB 1213) or a lock wait timeout, or found SQLite busy, did nothing:
 * InnoDB rolled it back whole. Running it again is safe and usually succeeds, so it is retried a few times with a
 * short random wait before the caller answers `busy`.
 */
export function isRetryableTxError(e: unknown): boolean {
  const err = e as { code?: string; errno?: number } | undefined;
  return err?.code === 'ER_LOCK_DEADLOCK' || err?.errno === 1213 || err?.code === 'ER_LOCK_WAIT_TIMEOUT' || err?.errno === 1205 || err?.code === 'SQLITE_BUSY';
}

export async function withTransaction<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>, opts: { retries?: number } = {}): Promise<T> {
  const retries = opts.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (e) {
      if (attempt >= retries || !isRetryableTxError(e)) throw e;
      // Jitter so the transactions that collided do not collide again on the next try.
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

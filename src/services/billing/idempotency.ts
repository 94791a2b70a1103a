import { createHash } from 'node:crypto';
import { AppError, isAppError } from '../../errors';
import { nowUtc } from '../../db/knex';
import type { ServiceContext } from '../context';

export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Checks the key the caller sent: the action passes the `idempotency_key` field, or else the `Idempotency-Key`
 * header (the field wins if both are sent).
 */
export function idempotencyKeyOf(sent: string | undefined, required: boolean): string | null {
  const key = (sent ?? '').trim();
  if (!key) {
    if (required) throw new AppError('missing_idempotency_key', 'Send an idempotency_key field or Idempotency-Key header (8–128 letters, digits, . _ : -), new for each payment and the same on a retry.', 422, { details: { idempotency_key: 'required' } });
    return null;
  }
  if (!IDEMPOTENCY_KEY_RE.test(key)) {
    throw new AppError('invalid_idempotency_key', 'The idempotency key must be 8–128 characters of letters, digits, . _ : -.', 422, { details: { idempotency_key: 'format' } });
  }
  return key;
}

/** How long an unfinished request keeps its key; bulk pay walks several gateway calls of up to 15 s each. */
export const IN_PROGRESS_LEASE_MS = 15 * 60_000;

function hashRequest(action: string, input: unknown): string {
  return createHash('sha256').update(action).update(JSON.stringify(input)).digest('hex');
}

/**
 * Runs a money action once per key. A repeat with the same key and request gets the stored answer with
 * `replayed: true`; the same key on a different request is refused. An error answer is not stored as final:
 * the retry runs again, and the attempts table makes sure a gateway is not charged twice by it.
 */
export async function withIdempotency<T extends Record<string, unknown>>(
  ctx: ServiceContext,
  action: string,
  key: string | null,
  input: unknown,
  fn: () => Promise<T>,
): Promise<T & { replayed?: boolean }> {
  if (!key) return fn();
  const scoped = `${action}:${key}`;
  const hash = hashRequest(action, input);
  const now = nowUtc();
  const claimed = await ctx.db.transaction(async (trx) => {
    const row = await trx('idempotency_keys').where({ idem_key: scoped }).first();
    if (!row) {
      await trx('idempotency_keys').insert({ idem_key: scoped, action, request_hash: hash, status: 'in_progress', created_at: now, updated_at: now });
      return { replay: null };
    }
    if (row.request_hash !== hash) {
      throw new AppError('idempotency_key_reused', 'This idempotency key was already used for a different request; use a new key for a new payment.', 409);
    }
    if (row.status === 'done') return { replay: JSON.parse(row.response) as T };
    // A request that died mid-way (process restart) leaves its key in progress for ever; after a lease far longer
    // than any gateway timeout the key is taken over, and the attempts table decides what may be re-sent.
    if (row.status === 'in_progress' && String(row.updated_at) >= nowUtc(new Date(Date.now() - IN_PROGRESS_LEASE_MS))) {
      throw new AppError('idempotency_key_in_progress', 'A request with this idempotency key is still being processed; retry in a moment with the same key.', 409);
    }
    // Conditional on the state read, so two retries racing on one key cannot both take it.
    const taken = await trx('idempotency_keys').where({ id: row.id, status: row.status, updated_at: row.updated_at }).update({ status: 'in_progress', updated_at: now });
    if (Number(taken) !== 1) {
      throw new AppError('idempotency_key_in_progress', 'A request with this idempotency key is still being processed; retry in a moment with the same key.', 409);
    }
    return { replay: null };
  }).catch((e) => {
    // two first requests racing on the unique key: the loser sees the winner in progress
    if (!isAppError(e) && /DUP|UNIQUE/i.test(String((e as { code?: string }).code ?? ''))) {
      throw new AppError('idempotency_key_in_progress', 'A request with this idempotency key is still being processed; retry in a moment with the same key.', 409);
    }
    throw e;
  });
  if (claimed.replay) return { ...claimed.replay, replayed: true };
  try {
    const result = await fn();
    await ctx.db('idempotency_keys').where({ idem_key: scoped }).update({ status: 'done', response: JSON.stringify(result), updated_at: nowUtc() });
    return result;
  } catch (e) {
    await ctx.db('idempotency_keys').where({ idem_key: scoped }).update({ status: 'failed', updated_at: nowUtc() });
    throw e;
  }
}

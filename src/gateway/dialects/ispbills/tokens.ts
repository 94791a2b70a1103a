/**
 * ISPBills' bearer tokens (table dialect_tokens, hashed): v1 access + refresh pairs from an admin's e-mail and
 * password, v2 access tokens from an API client's credentials. A token carries the admin it acts for; the
 * admin's permissions are read at every request, so a narrowed role narrows its tokens at once.
 */
import type { Knex } from 'knex';
import { nowUtc } from '../../../db/knex';
import { randomToken, sha256Hex } from '../../../secrets';

export type TokenKind = 'v1_access' | 'v1_refresh' | 'v2_access';

export interface TokenRow {
  id: number;
  kind: TokenKind;
  admin_id: number | null;
  api_client_id: number | null;
  pair_id: number | null;
  expires_at: string;
}

async function insertToken(db: Knex, kind: TokenKind, token: string, ttlSeconds: number, owner: { adminId: number | null; apiClientId: number | null; pairId?: number | null }) {
  const now = new Date();
  const [id] = await db('dialect_tokens').insert({
    dialect: 'ispbills',
    kind,
    token_hash: sha256Hex(token),
    admin_id: owner.adminId,
    api_client_id: owner.apiClientId,
    pair_id: owner.pairId ?? null,
    created_at: nowUtc(now),
    expires_at: nowUtc(new Date(now.getTime() + ttlSeconds * 1000)),
  });
  return Number(id);
}

/**
 * Housekeeping as tokens are issued: rows a day past their expiry are of no use to anyone (indexed on expires_at).
 * Its own statement, outside the issuing transaction; a failure only leaves the sweep to the next issue.
 */
async function sweepExpired(db: Knex) {
  await db('dialect_tokens').where('expires_at', '<', nowUtc(new Date(Date.now() - 86400_000))).delete().catch(() => undefined);
}

/** v1: an access token and the refresh token that can replace it once. */
export async function issueV1Pair(db: Knex, adminId: number, accessTtl: number, refreshTtlDays: number) {
  await sweepExpired(db);
  const access = 'ispb1_' + randomToken(32);
  const refresh = 'ispbr_' + randomToken(40);
  await db.transaction(async (trx) => {
    const accessId = await insertToken(trx, 'v1_access', access, accessTtl, { adminId, apiClientId: null });
    await insertToken(trx, 'v1_refresh', refresh, refreshTtlDays * 86400, { adminId, apiClientId: null, pairId: accessId });
  });
  return { access_token: access, token_type: 'bearer', expires_in: accessTtl, refresh_token: refresh };
}

export async function issueV2Token(db: Knex, client: { id: number; admin_id: number | null }, ttl: number) {
  await sweepExpired(db);
  const access = 'v2_' + randomToken(32);
  await insertToken(db, 'v2_access', access, ttl, { adminId: client.admin_id, apiClientId: client.id });
  return { access_token: access, token_type: 'bearer', expires_in: ttl };
}

/** A live token of the kind asked for, or null (unknown, expired, revoked). */
export async function findToken(db: Knex, token: string, kind: TokenKind): Promise<TokenRow | null> {
  if (token.length > 200) return null;
  const row = await db('dialect_tokens').where({ token_hash: sha256Hex(token), kind, dialect: 'ispbills' }).whereNull('revoked_at').where('expires_at', '>', nowUtc()).first();
  return (row as TokenRow | undefined) ?? null;
}

/**
 * Spends a refresh token: revoked together with the access token it came with, in one conditional update, so
 * two refreshes racing with the same token get one new pair between them.
 */
export async function spendRefresh(db: Knex, row: TokenRow): Promise<boolean> {
  const now = nowUtc();
  return db.transaction(async (trx) => {
    const n = await trx('dialect_tokens').where({ id: row.id }).whereNull('revoked_at').update({ revoked_at: now });
    if (n !== 1) return false;
    if (row.pair_id) await trx('dialect_tokens').where({ id: row.pair_id }).whereNull('revoked_at').update({ revoked_at: now });
    return true;
  });
}

export async function revokeToken(db: Knex, id: number) {
  await db('dialect_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: nowUtc() });
}

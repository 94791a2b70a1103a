import type { Knex } from 'knex';
import { nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import { randomToken, sha256Hex } from '../../secrets';
import type { AdminActor } from './admins';
import { assertMayRevokeCredentialOf, credentialOwner } from './api-keys';

export const DIALECTS = ['ispbills', 'smartisp'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface ApiClientRow {
  id: number;
  name: string;
  dialect: Dialect;
  client_id: string;
  admin_id: number | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/**
 * A credential for a dialect's front door, shown once: ISPBills v2 gets `client_id` + `client_secret` (for
 * `POST /api/v2/auth/token`), SmartISP an app `key` (sent as `X-Authorization`). Who may mint one for whom follows
 * the API keys' rule (credentialOwner).
 */
export async function mintApiClient(db: Knex, actor: AdminActor, input: { name: string; dialect: Dialect; admin?: string | null }) {
  const adminId = await credentialOwner(db, actor, input.admin);
  const now = nowUtc();
  if (input.dialect === 'ispbills') {
    const clientId = 'ispb_' + randomToken(12);
    const secret = randomToken(32);
    const [id] = await db('api_clients').insert({ name: input.name, dialect: 'ispbills', client_id: clientId, secret_hash: sha256Hex(secret), admin_id: adminId, created_at: now });
    return { id: Number(id), name: input.name, dialect: input.dialect, client_id: clientId, client_secret: secret, note: 'The secret is shown only now; store it safely.' };
  }
  const key = 'smisp_' + randomToken(32);
  const [id] = await db('api_clients').insert({ name: input.name, dialect: 'smartisp', client_id: key.slice(0, 14), secret_hash: sha256Hex(key), admin_id: adminId, created_at: now });
  return { id: Number(id), name: input.name, dialect: input.dialect, key, note: 'The key is shown only now; store it safely.' };
}

export async function listApiClients(db: Knex, dialect?: Dialect) {
  const q = db('api_clients as c').leftJoin('admins as a', 'a.id', 'c.admin_id').select('c.*', 'a.username as admin_username').orderBy('c.id');
  if (dialect) q.where('c.dialect', dialect);
  return (await q).map((r) => ({
    id: r.id,
    name: r.name,
    dialect: r.dialect,
    client_id: r.dialect === 'ispbills' ? r.client_id : null,
    prefix: r.dialect === 'smartisp' ? r.client_id : null,
    admin: r.admin_username ?? null,
    created_at: toIso(r.created_at),
    last_used_at: toIso(r.last_used_at),
    revoked_at: toIso(r.revoked_at),
    active: !r.revoked_at,
  }));
}

export async function revokeApiClient(db: Knex, actor: AdminActor, id: number) {
  const row = await db('api_clients').where({ id }).first('id', 'admin_id', 'revoked_at');
  if (!row) throw new AppError('not_found', `API client ${id} was not found.`, 404);
  await assertMayRevokeCredentialOf(db, actor, row.admin_id);
  if (!row.revoked_at) await db('api_clients').where({ id }).update({ revoked_at: nowUtc() });
  return { id, revoked: true as const };
}

/** ISPBills v2 client credentials: the active client whose id and secret match, or null. */
export async function findIspbillsClient(db: Knex, clientId: string, secret: string): Promise<ApiClientRow | null> {
  if (clientId.length > 64 || secret.length > 200) return null;
  const row = await db('api_clients').where({ dialect: 'ispbills', client_id: clientId, secret_hash: sha256Hex(secret) }).whereNull('revoked_at').first();
  return row ?? null;
}

/** A SmartISP app key: the active client it belongs to, or null. */
export async function findSmartIspClient(db: Knex, key: string): Promise<ApiClientRow | null> {
  if (!key.startsWith('smisp_') || key.length > 200) return null;
  const row = await db('api_clients').where({ dialect: 'smartisp', secret_hash: sha256Hex(key) }).whereNull('revoked_at').first();
  return row ?? null;
}

/** Last use, at most once a minute per client. */
export async function touchApiClient(db: Knex, row: Pick<ApiClientRow, 'id' | 'last_used_at'>) {
  const now = new Date();
  if (row.last_used_at && now.getTime() - Date.parse(String(row.last_used_at).replace(' ', 'T') + 'Z') < 60_000) return;
  await db('api_clients').where({ id: row.id }).update({ last_used_at: nowUtc(now) });
}

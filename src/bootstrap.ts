import type { Knex } from 'knex';
import { migrateLatest } from './db/migrate';
import { bootstrapPrimaryAdmin } from './services/core/admins';
import { createApiKey } from './services/core/api-keys';

/**
 * Migrates, and on an empty database creates the primary admin and one API key. Returns what must be
 * shown to the operator once (the password only when it was generated).
 */
export async function prepareDatabase(db: Knex, adminPassword?: string) {
  const applied = await migrateLatest(db);
  const admin = await bootstrapPrimaryAdmin(db, adminPassword);
  let key: string | null = null;
  if (admin) {
    const row = await db('admins').where({ username: admin.username }).first();
    key = (await createApiKey(db, 'initial', row.id)).key;
  }
  return { applied, admin, key };
}

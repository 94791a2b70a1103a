import type { Knex } from 'knex';

/**
 * Idempotency keys, attempt keys and gateway / bank references are case-sensitive (Stripe ids are base62): under
 * MariaDB's default *_ci collation "Key-1" and "key-1" were one key, so a client's new payment was refused as a
 * reused key, or two gateway payments counted as one. SQLite already compares them byte for byte.
 */
const COLUMNS: [table: string, column: string, nullable: boolean][] = [
  ['idempotency_keys', 'idem_key', false],
  ['payment_attempts', 'attempt_key', false],
  ['payment_attempts', 'gateway_ref', true],
  ['payments', 'reference', true],
];

async function setCollation(knex: Knex, collation: string | null): Promise<void> {
  if (knex.client.config.client === 'better-sqlite3') return;
  for (const [table, column, nullable] of COLUMNS) {
    await knex.raw(`ALTER TABLE ?? MODIFY ?? VARCHAR(191) CHARACTER SET utf8mb4${collation ? ` COLLATE ${collation}` : ''} ${nullable ? 'NULL' : 'NOT NULL'}`, [table, column]);
  }
}

export async function up(knex: Knex): Promise<void> {
  await setCollation(knex, 'utf8mb4_bin');
}

export async function down(knex: Knex): Promise<void> {
  await setCollation(knex, null);
}

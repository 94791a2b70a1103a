import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { setQueryDeadline } from './knex';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/**
 * Loads migration files with the running module system (tsx, ts-jest or compiled JS alike), so knex
 * never has to guess how to import TypeScript.
 */
class DirectorySource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    return fs
      .readdirSync(this.dir)
      .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .sort();
  }

  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js)$/, '');
  }

  async getMigration(file: string): Promise<Knex.Migration> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(this.dir, file)) as Knex.Migration;
  }
}

export function migrationConfig(dir = MIGRATIONS_DIR): Knex.MigratorConfig {
  return { migrationSource: new DirectorySource(dir), tableName: 'knex_migrations' };
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const prev = setQueryDeadline(db, 0);
  try {
    const [, applied] = (await db.migrate.latest(migrationConfig())) as [number, string[]];
    return applied;
  } finally {
    setQueryDeadline(db, prev);
  }
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(migrationConfig(), true);
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';

export type TestDialect = 'sqlite' | 'mysql';

export function testDialect(): TestDialect {
  const d = (process.env.TEST_DATABASE ?? 'sqlite').toLowerCase();
  if (d !== 'sqlite' && d !== 'mysql') throw new Error(`TEST_DATABASE must be sqlite or mysql, not ${d}`);
  return d;
}

export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/**
 * A fresh, empty database for one test file: a temporary SQLite file, or a new MariaDB database that
 * `drop()` removes. Returns its DATABASE_URL.
 */
export async function freshDatabase(dialect: TestDialect = testDialect()): Promise<{ url: string; dir: string; drop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ispgate-test-'));
  if (dialect === 'sqlite') {
    return { url: `sqlite:${path.join(dir, 'test.sqlite')}`, dir, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `ispgate_t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const u = new URL(MYSQL_ADMIN_URL);
  const admin = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  const url = `${MYSQL_ADMIN_URL.replace(/\/$/, '')}/${name}`;
  return {
    url,
    dir,
    drop: async () => {
      const a = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
      await a.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

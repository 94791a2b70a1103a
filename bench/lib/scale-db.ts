/**
 * The database the scale benches share: N subscribers (5 % suspended, a quarter on a second plan, spread over 50
 * routers/NAS, with their search index) and M radacct rows (1 in 20 an open session), seeded on MariaDB with
 * INSERT … SELECT from the sequence engine (not through the API: a million adds would take an hour). With `keep`
 * the database is named after its size and reused by the next run (lists.ts, memory.ts); a reused database gets
 * the migrations made since it was seeded.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { closeRuntime, createRuntime } from '../../src/app';
import { prepareDatabase } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { nowUtc } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { SEARCHED_COLUMNS, searchTerms } from '../../src/services/network/customer-search';

export interface ScaleDb {
  rt: ReturnType<typeof createRuntime>;
  db: Knex;
  /** DATABASE_URL of the seeded database (for a server in another process). */
  url: string;
  name: string;
  close(): Promise<void>;
}

export async function scaleDatabase(opts: { subscribers: number; radacct: number; server: string; keep: boolean }): Promise<ScaleDb> {
  const subs = opts.subscribers;
  const acct = opts.radacct;
  const server = opts.server.replace(/\/$/, '');
  const dbName = opts.keep ? `ispgate_bench_lists_${subs}_${acct}` : `ispgate_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const u = new URL(server);
  const root = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
  const existed = ((await root.raw('SHOW DATABASES LIKE ?', [dbName])) as unknown as [unknown[]])[0].length > 0;
  if (!existed) await root.raw(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = `${server}/${dbName}`;
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: `${url}?query_timeout_ms=600000`, DATA_DIR: path.join(os.tmpdir(), dbName), APP_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'error', JOBS_ENABLED: 'false' });
  const rt = createRuntime(config, { log: createLogger({ level: 'error', json: true }), rateLimits: false });
  const db = rt.db;
  const close = async () => {
    await closeRuntime(rt);
    if (!opts.keep) await root.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await root.destroy();
  };
  try {
    if (!existed) {
    await prepareDatabase(db, crypto.randomBytes(12).toString('hex'));
    const now = nowUtc();
    const [p1] = await db('plans').insert({ name: 'FTTH 100', download_bps: 100_000_000, upload_bps: 10_000_000, price_cents: 2990, created_at: now, updated_at: now });
    const [p2] = await db('plans').insert({ name: 'VDSL 50', download_bps: 50_000_000, upload_bps: 5_000_000, price_cents: 1990, created_at: now, updated_at: now });
    for (let r = 1; r <= 50; r++)
      await db('routers').insert({ name: `nas${r}`, ip: `10.1.${r}.1`, api_port: 8728, api_user: 'api', api_password_enc: 'x', radius_ip: `10.1.${r}.1`, radius_secret_enc: 'x', created_at: now, updated_at: now });
    const firstRouter = Number((await db('routers').min({ m: 'id' }))[0].m);
    const t0 = Date.now();
    const chunk = 200_000;
    for (let a = 1; a <= subs; a += chunk) {
      const b = Math.min(subs, a + chunk - 1);
      await db.raw(
        `INSERT INTO customers (username, password, fullname, email, phone, plan_id, router_id, status, activated_at, created_at, updated_at)
         SELECT CONCAT('sub', seq), 'x', CONCAT('Subscriber ', seq), CONCAT('sub', seq, '@isp.example'), CONCAT('69', LPAD(seq, 8, '0')),
                IF(seq % 4 = 0, ?, ?), ? + seq % 50, IF(seq % 20 = 0, 'suspended', 'active'), ?, ?, ? FROM seq_${a}_to_${b}`,
        [p2, p1, firstRouter, now, now, now],
      );
    }
    console.error(`seeded ${subs} subscribers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // The search index, as the services would write it (checked against searchTerms() on a sample below): the
    // username, the full name's two words, the e-mail's three, the phone's digits and its endings of 4–9 digits.
    const tt = Date.now();
    const phoneEnds = [4, 5, 6, 7, 8, 9].map((k) => `SELECT RIGHT(phone, ${k}), id FROM customers WHERE id BETWEEN ? AND ?`);
    const parts = [
      'SELECT username, id FROM customers WHERE id BETWEEN ? AND ?',
      "SELECT 'subscriber', id FROM customers WHERE id BETWEEN ? AND ?",
      "SELECT SUBSTRING(fullname, 12), id FROM customers WHERE id BETWEEN ? AND ?",
      "SELECT 'isp', id FROM customers WHERE id BETWEEN ? AND ?",
      "SELECT 'example', id FROM customers WHERE id BETWEEN ? AND ?",
      'SELECT phone, id FROM customers WHERE id BETWEEN ? AND ?',
      ...phoneEnds,
    ];
    const maxCust = Number((await db('customers').max({ m: 'id' }))[0].m);
    for (let a = 1; a <= maxCust; a += chunk) {
      const b = Math.min(maxCust, a + chunk - 1);
      for (const sel of parts) await db.raw(`INSERT IGNORE INTO customer_search_terms (term, customer_id) ${sel}`, [a, b]);
    }
    console.error(`indexed ${subs} subscribers for search in ${((Date.now() - tt) / 1000).toFixed(1)} s`);
    const t1 = Date.now();
    const ch2 = 500_000;
    for (let a = 1; a <= acct; a += ch2) {
      const b = Math.min(acct, a + ch2 - 1);
      await db.raw(
        `INSERT INTO radacct (acctsessionid, acctuniqueid, username, nasipaddress, acctstarttime, acctstoptime, framedipaddress, callingstationid)
         SELECT LPAD(HEX(seq), 16, '0'), MD5(seq), CONCAT('sub', 1 + seq % ?), CONCAT('10.1.', 1 + (seq % ?) % 50, '.1'),
                '2026-11-01 00:00:00' + INTERVAL (seq % 2592000) SECOND,
                IF(seq % 20 = 0, NULL, '2026-11-01 00:00:00' + INTERVAL (seq % 2592000) + 3600 SECOND),
                CONCAT('100.64.', (seq DIV 256) % 256, '.', seq % 256), '00:11:22:33:44:55' FROM seq_${a}_to_${b}`,
        [subs, subs],
      );
      if ((b / ch2) % 4 === 0) console.error(`  radacct ${b}/${acct} after ${((Date.now() - t1) / 1000).toFixed(0)} s`);
    }
    console.error(`seeded ${acct} radacct rows in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    await db.raw('ANALYZE TABLE customers, customer_search_terms, radacct');
  }
    else console.error(`reusing ${dbName}; migrations applied: ${(await migrateLatest(db)).length}`);
    // The seeded index must be the one the services write, or the search figures would flatter it.
    for (const row of (await db('customers').orderByRaw('RAND()').limit(50).select('id', ...SEARCHED_COLUMNS)) as Array<{ id: number }>) {
      const seeded = ((await db('customer_search_terms').where({ customer_id: row.id }).pluck('term')) as string[]).sort();
      const expected = searchTerms(row as Parameters<typeof searchTerms>[0]).sort();
      if (JSON.stringify(seeded) !== JSON.stringify(expected)) throw new Error(`seeded search terms of ${row.id} differ: ${seeded} vs ${expected}`);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { rt, db, url, name: dbName, close };
}

/**
 * Benchmark: list_customers and radius_sessions at ISP scale on MariaDB. Seeds N subscribers and M radacct rows
 * with bulk INSERT … SELECT from MariaDB's sequence engine (not through the API), then runs each list query
 * sequentially Q times through the services (the code behind the actions) and prints p50/p99/max in ms.
 * Keyset pages start at a random cursor; page-number pages at a random page (OFFSET, as the reference does).
 *
 *   npx tsx bench/lists.ts [--subscribers 1000000] [--radacct 10000000] [--queries 200] [--mysql mysql://root@127.0.0.1:3306] [--keep]
 *
 * 5% of subscribers are suspended, a quarter are on a second plan, they are spread over 50 routers (NAS); 1 in 20
 * radacct rows is an open session. The database is created and dropped (--keep leaves it for a rerun).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { closeRuntime, createRuntime } from '../src/app';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { systemContext } from '../src/context';
import { nowUtc } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { DEFAULT_TENANT } from '../src/db/tenants';
import { encodeCursor } from '../src/gateway/cursor';
import { createLogger } from '../src/logger';
import { listCustomers } from '../src/services/network/customers';
import { listSessions } from '../src/services/network/sessions';
import { SEARCHED_COLUMNS, searchTerms } from '../src/services/network/customer-search';
import { fmt } from './lib/util';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main() {
  const subs = Number(arg('subscribers', '1000000'));
  const acct = Number(arg('radacct', '10000000'));
  const queries = Number(arg('queries', '200'));
  const server = arg('mysql', process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
  const dbName = process.argv.includes('--keep') ? `ispgate_bench_lists_${subs}_${acct}` : `ispgate_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const u = new URL(server);
  const root = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
  const existed = ((await root.raw('SHOW DATABASES LIKE ?', [dbName])) as unknown as [unknown[]])[0].length > 0;
  if (!existed) await root.raw(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: `${server}/${dbName}?query_timeout_ms=600000`, DATA_DIR: path.join(os.tmpdir(), dbName), APP_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'error', JOBS_ENABLED: 'false' });
  const rt = createRuntime(config, { log: createLogger({ level: 'error', json: true }), rateLimits: false });
  try {
    const db = rt.db;
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
    // A kept database gets the migrations made since it was seeded (new indexes are part of what is measured).
    else console.error(`reusing ${dbName}; migrations applied: ${(await migrateLatest(db)).length}`);
    const ctx = systemContext(rt, DEFAULT_TENANT, db, 'bench');
    // The seeded index must be the one the services write, or the search figures would flatter it.
    for (const row of (await db('customers').orderByRaw('RAND()').limit(50).select('id', ...SEARCHED_COLUMNS)) as Array<Record<string, string> & { id: number }>) {
      const seeded = ((await db('customer_search_terms').where({ customer_id: row.id }).pluck('term')) as string[]).sort();
      const expected = searchTerms(row as Parameters<typeof searchTerms>[0]).sort();
      if (JSON.stringify(seeded) !== JSON.stringify(expected)) throw new Error(`seeded search terms of ${row.id} differ: ${seeded} vs ${expected}`);
    }
    const maxId = Number((await db('customers').max({ m: 'id' }))[0].m);
    const maxAcct = Number((await db('radacct').max({ m: 'radacctid' }))[0].m);
    const rnd = (n: number) => 1 + Math.floor(Math.random() * n);

    const scenarios: Array<[string, () => Promise<unknown>]> = [
      ['list_customers page=random (OFFSET)', () => listCustomers(ctx, { page: rnd(Math.floor(subs / 25)), per_page: 25 })],
      ['list_customers cursor=random', () => listCustomers(ctx, { page: 1, per_page: 25, cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers status=suspended cursor', () => listCustomers(ctx, { page: 1, per_page: 25, status: 'suspended', cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers plan cursor', () => listCustomers(ctx, { page: 1, per_page: 25, plan: 'VDSL 50', cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers router cursor', () => listCustomers(ctx, { page: 1, per_page: 25, router: `nas${rnd(50)}`, cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers search=username', () => listCustomers(ctx, { page: 1, per_page: 25, search: `sub${rnd(subs)}` })],
      ['list_customers search=name words', () => listCustomers(ctx, { page: 1, per_page: 25, search: `subscriber ${rnd(subs)}` })],
      ['list_customers search=phone ending', () => listCustomers(ctx, { page: 1, per_page: 25, search: String(rnd(subs)).padStart(6, '0').slice(-5) })],
      ['list_customers search=common word', () => listCustomers(ctx, { page: 1, per_page: 25, search: 'subscriber', cursor: encodeCursor('customers', rnd(maxId)) })],
      ['radius_sessions open', () => listSessions(ctx, { page: 1, per_page: 25 })],
      ['radius_sessions open cursor=random', () => listSessions(ctx, { page: 1, per_page: 25, cursor: encodeCursor('radius_sessions', rnd(maxAcct)) })],
      ['radius_sessions username', () => listSessions(ctx, { page: 1, per_page: 25, username: `sub${rnd(subs)}`, state: 'all' })],
      ['radius_sessions nas_ip open', () => listSessions(ctx, { page: 1, per_page: 25, nas_ip: `10.1.${rnd(50)}.1` })],
      ['radius_sessions router open', () => listSessions(ctx, { page: 1, per_page: 25, router: `nas${rnd(50)}` })],
      ['radius_sessions closed cursor', () => listSessions(ctx, { page: 1, per_page: 25, state: 'closed', cursor: encodeCursor('radius_sessions', rnd(maxAcct)) })],
      ['radius_sessions nas_ip closed', () => listSessions(ctx, { page: 1, per_page: 25, state: 'closed', nas_ip: `10.1.${rnd(50)}.1` })],
    ];
    const [{ v }] = ((await db.raw('select version() as v')) as unknown as [Array<{ v: string }>])[0];
    const counted = async (table: string) => Number(((await db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
    // The rows actually there (a --keep database may have been seeded only in part).
    console.log(`lists bench: ${await counted('customers')} subscribers, ${await counted('radacct')} radacct rows, ${queries} sequential queries each, ${v}, ${os.cpus().length} CPUs, load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log('scenario'.padEnd(42) + 'p50 ms  p99 ms  max ms  estimated totals');
    for (const [name, run] of scenarios) {
      const times: number[] = [];
      let estimated = 0;
      for (let i = 0; i < queries; i++) {
        const t0 = process.hrtime.bigint();
        const r = (await run()) as { meta: { total_estimated?: boolean } };
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (r.meta.total_estimated) estimated++;
      }
      console.log(`${name.padEnd(42)}${fmt(pct(times, 50), 1).padStart(6)}  ${fmt(pct(times, 99), 1).padStart(6)}  ${fmt(Math.max(...times), 1).padStart(6)}  ${estimated}/${queries}`);
    }
  } finally {
    await closeRuntime(rt);
    if (!process.argv.includes('--keep')) await root.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await root.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

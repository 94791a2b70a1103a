/**
 * Benchmark: generate_invoices_month for N subscribers (default 100,000) on MariaDB, against a plain bulk insert
 * of the same invoice and line rows measured in the same run, on the same server.
 *
 *   npx tsx bench/generate-invoices.ts [subscribers] [mysql://root@127.0.0.1:3306]
 *
 * It creates a throwaway database, migrates it, seeds one plan and N active subscribers, times the generation
 * (numbering, pro rata, VAT, RF codes, invoice.generated events, all in batched transactions), then copies the
 * rows it wrote, empties the tables and times knex batchInsert of exactly those rows. The database is dropped.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { createRuntime, closeRuntime } from '../src/app';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { systemContext } from '../src/context';
import { nowUtc } from '../src/db/knex';
import { DEFAULT_TENANT } from '../src/db/tenants';
import { createLogger } from '../src/logger';
import { generateMonth } from '../src/services/billing/generate';

async function main() {
  const n = Number(process.argv[2] ?? 100_000);
  const server = (process.argv[3] ?? process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
  const dbName = `ispgate_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const u = new URL(server);
  const admin = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
  await admin.raw(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: `${server}/${dbName}`, DATA_DIR: path.join(os.tmpdir(), dbName), APP_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'error', JOBS_ENABLED: 'false' });
  const rt = createRuntime(config, { log: createLogger({ level: 'error', json: true }), rateLimits: false });
  try {
    await prepareDatabase(rt.db, crypto.randomBytes(12).toString('hex'));
    const db = rt.db;
    const now = nowUtc();
    const [planId] = await db('plans').insert({ name: 'FTTH 100', download_bps: 100_000_000, upload_bps: 10_000_000, price_cents: 2990, created_at: now, updated_at: now });
    const t0 = Date.now();
    const rows = Array.from({ length: n }, (_, i) => ({
      username: `sub${i}`, password: 'x', plan_id: planId, status: 'active',
      // one in ten activated mid-month, so pro rata is part of the work
      activated_at: i % 10 === 0 ? `2026-11-${String((i % 28) + 1).padStart(2, '0')} 09:00:00` : '2026-01-01 00:00:00',
      created_at: now, updated_at: now,
    }));
    await db.batchInsert('customers', rows, 2000);
    console.log(`seeded ${n} subscribers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const ctx = systemContext(rt, DEFAULT_TENANT, db, 'bench');
    const g0 = process.hrtime.bigint();
    const result = await generateMonth(ctx, '2026-11');
    const genSec = Number(process.hrtime.bigint() - g0) / 1e9;
    if (result.created !== n) throw new Error(`expected ${n} invoices, got ${result.created}`);

    const invoices = await db('invoices').orderBy('id');
    const lines = await db('invoice_lines').orderBy('id');
    const events = await db('outbox_events').where({ event: 'invoice.generated' }).count({ c: '*' });
    await db('invoice_lines').del();
    await db('invoices').del();
    const b0 = process.hrtime.bigint();
    await db.transaction(async (trx) => {
      await trx.batchInsert('invoices', invoices, 1000);
      await trx.batchInsert('invoice_lines', lines, 1000);
    });
    const bulkSec = Number(process.hrtime.bigint() - b0) / 1e9;

    const [{ v }] = (await db.raw('select version() as v'))[0];
    console.log(JSON.stringify({
      subscribers: n,
      server: v,
      generate_seconds: Number(genSec.toFixed(2)),
      invoices_per_second: Math.round(n / genSec),
      bulk_insert_seconds: Number(bulkSec.toFixed(2)),
      ratio_generate_to_bulk: Number((genSec / bulkSec).toFixed(2)),
      invoice_rows: invoices.length,
      line_rows: lines.length,
      invoice_generated_events: Number(events[0].c),
      numbers: result.numbers,
    }, null, 2));
  } finally {
    await closeRuntime(rt);
    await admin.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Benchmark: generate_invoices_month for N subscribers (default 1,000,000, the figure) on MariaDB, against a
 * plain bulk insert of the same invoice, line and outbox event rows measured in the same run, on the same server.
 * It also prints the process's RSS before and at its peak during the generation (batches stream; memory stays flat)
 * and how many progress reports the generation made (what job_status shows).
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
  const n = Number(process.argv[2] ?? 1_000_000);
  const server = (process.argv[3] ?? process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
  const dbName = `ispgate_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const u = new URL(server);
  const admin = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
  await admin.raw(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: `${server}/${dbName}?query_timeout_ms=600000`, DATA_DIR: path.join(os.tmpdir(), dbName), APP_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'error', JOBS_ENABLED: 'false' });
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
    const outboxBefore = Number((await db('outbox_events').max({ m: 'id' }))[0].m ?? 0);
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    const rssBefore = process.memoryUsage().rss;
    const progress: string[] = [];
    const g0 = process.hrtime.bigint();
    const result = await generateMonth(ctx, '2026-11', {
      progress: async (done, total) => {
        if (progress.length < 1000) progress.push(`${done}/${total}`);
      },
    });
    const genSec = Number(process.hrtime.bigint() - g0) / 1e9;
    clearInterval(sampler);
    if (result.created !== n) throw new Error(`expected ${n} invoices, got ${result.created}`);
    console.error(`generated ${n} invoices in ${genSec.toFixed(1)} s`);

    const invoices = await db('invoices').orderBy('id');
    const lines = await db('invoice_lines').orderBy('id');
    const eventRows = await db('outbox_events').where('id', '>', outboxBefore).orderBy('id');
    const events = [{ c: eventRows.length }];
    await db('outbox_events').where('id', '>', outboxBefore).del();
    await db('invoice_lines').del();
    await db('invoices').del();
    // The baseline writes the same rows the generation wrote: invoices, their lines and the outbox events.
    const b0 = process.hrtime.bigint();
    await db.transaction(async (trx) => {
      await trx.batchInsert('invoices', invoices, 1000);
      await trx.batchInsert('invoice_lines', lines, 1000);
      await trx.batchInsert('outbox_events', eventRows, 1000);
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
      outbox_events: Number(events[0].c),
      progress_reports: progress.length,
      rss_mib_before: Math.round(rssBefore / 2 ** 20),
      rss_mib_peak_during_generation: Math.round(peakRss / 2 ** 20),
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

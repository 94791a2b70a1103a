/**
 * Benchmark: generate_invoices_month for N subscribers (default 1,000,000, the figure) on MariaDB, against a
 * plain bulk insert of the same invoice, line and outbox event rows measured in the same run, on the same server.
 *
 *   npx tsx bench/generate-invoices.ts [subscribers] [mysql://root@127.0.0.1:3306] [--generation-only] [--profile] [--keep]
 *
 * It creates a throwaway database, migrates it, seeds one plan and N active subscribers (in batches), times the
 * generation (numbering, pro rata, VAT, RF codes, invoice.generated events, all in batched transactions), then
 * copies the rows it wrote to a temporary NDJSON file, one line per 5,000 invoices (with their lines and as many
 * outbox events), empties the tables and replays the file with knex batchInsert, one transaction per line. The
 * baseline's clock runs only around its inserts (reading and parsing the file is not counted), so it is the
 * cheapest way to write exactly those rows from an application, and nothing holds all the rows in memory.
 *
 * Memory: RSS is sampled every 100 ms during the generation only (the seed has been written and collected before
 * it starts); `--generation-only` stops after the generation, so a fresh process shows the generation's memory on
 * its own. `--keep` keeps the database (to EXPLAIN against it). `--profile` sums the time the generation spent per statement shape (Knex query events), to see where
 * it goes. The database and the temporary file are removed at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import knexFactory, { type Knex } from 'knex';
import { createRuntime, closeRuntime } from '../src/app';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { systemContext } from '../src/context';
import { nowUtc } from '../src/db/knex';
import { DEFAULT_TENANT } from '../src/db/tenants';
import { createLogger } from '../src/logger';
import { generateMonth } from '../src/services/billing/generate';

const CHUNK = 5000;
const INSERT_ROWS = 2500;

/** Time per statement shape (values stripped), from Knex's query / query-response events. */
function profiler(db: Knex) {
  const started = new Map<string, { t: bigint; shape: string }>();
  const byShape = new Map<string, { n: number; ms: number }>();
  let on = false;
  const shapeOf = (sql: string) => sql.replace(/\((?:\?,\s*)+\?\)(?:,\s*\((?:\?,\s*)*\?\))*/g, '(…)').replace(/\s+/g, ' ').slice(0, 110);
  db.on('query', (q: { __knexQueryUid: string; sql: string }) => {
    if (on) started.set(q.__knexQueryUid, { t: process.hrtime.bigint(), shape: shapeOf(q.sql) });
  });
  const done = (_r: unknown, q: { __knexQueryUid: string }) => {
    const s = started.get(q.__knexQueryUid);
    if (!s) return;
    started.delete(q.__knexQueryUid);
    const e = byShape.get(s.shape) ?? { n: 0, ms: 0 };
    e.n += 1;
    e.ms += Number(process.hrtime.bigint() - s.t) / 1e6;
    byShape.set(s.shape, e);
  };
  db.on('query-response', done);
  db.on('query-error', (_e: unknown, q: { __knexQueryUid: string }) => done(null, q));
  return {
    start: () => (on = true),
    stop: () => (on = false),
    report: (wallMs: number) => {
      const rows = [...byShape.entries()].sort((a, b) => b[1].ms - a[1].ms);
      const dbMs = rows.reduce((s, [, e]) => s + e.ms, 0);
      console.error(`profile: ${rows.reduce((s, [, e]) => s + e.n, 0)} statements, ${(dbMs / 1000).toFixed(1)} s waiting on the database, ${((wallMs - dbMs) / 1000).toFixed(1)} s in the process, of ${(wallMs / 1000).toFixed(1)} s`);
      for (const [shape, e] of rows.slice(0, 15)) console.error(`  ${(e.ms / 1000).toFixed(2).padStart(8)} s ${String(e.n).padStart(7)} × ${shape}`);
    },
  };
}

async function main() {
  const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
  const pos = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const n = Number(pos[0] ?? 1_000_000);
  const server = (pos[1] ?? process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
  const generationOnly = flags.has('--generation-only');
  const dbName = `ispgate_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const dump = path.join(os.tmpdir(), `${dbName}.ndjson`);
  const u = new URL(server);
  const admin = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
  await admin.raw(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: `${server}/${dbName}?query_timeout_ms=600000`, DATA_DIR: path.join(os.tmpdir(), dbName), APP_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'error', JOBS_ENABLED: 'false' });
  const rt = createRuntime(config, { log: createLogger({ level: 'error', json: true }), rateLimits: false });
  try {
    await prepareDatabase(rt.db, crypto.randomBytes(12).toString('hex'));
    const db = rt.db;
    const prof = flags.has('--profile') ? profiler(db) : null;
    const now = nowUtc();
    const [planId] = await db('plans').insert({ name: 'FTTH 100', download_bps: 100_000_000, upload_bps: 10_000_000, price_cents: 2990, created_at: now, updated_at: now });
    const t0 = Date.now();
    for (let from = 0; from < n; from += 10_000) {
      const rows = Array.from({ length: Math.min(10_000, n - from) }, (_, k) => {
        const i = from + k;
        return {
          username: `sub${i}`, password: 'x', plan_id: planId, status: 'active',
          // one in ten activated mid-month, so pro rata is part of the work
          activated_at: i % 10 === 0 ? `2026-11-${String((i % 28) + 1).padStart(2, '0')} 09:00:00` : '2026-01-01 00:00:00',
          created_at: now, updated_at: now,
        };
      });
      await db.batchInsert('customers', rows, 2000);
    }
    console.error(`seeded ${n} subscribers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const ctx = systemContext(rt, DEFAULT_TENANT, db, 'bench');
    const outboxBefore = Number((await db('outbox_events').max({ m: 'id' }))[0].m ?? 0);
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 100);
    let progressReports = 0;
    let lastProgress = '';
    prof?.start();
    const g0 = process.hrtime.bigint();
    const result = await generateMonth(ctx, '2026-11', {
      progress: async (done, total) => {
        progressReports += 1;
        lastProgress = `${done}/${total}`;
      },
    });
    const genSec = Number(process.hrtime.bigint() - g0) / 1e9;
    prof?.stop();
    clearInterval(sampler);
    if (result.created !== n) throw new Error(`expected ${n} invoices, got ${result.created}`);
    console.error(`generated ${n} invoices in ${genSec.toFixed(1)} s`);
    prof?.report(genSec * 1000);
    const out: Record<string, unknown> = {
      subscribers: n,
      server: (await db.raw('select version() as v'))[0][0].v,
      load_avg: os.loadavg().map((x) => Number(x.toFixed(2))),
      generate_seconds: Number(genSec.toFixed(2)),
      invoices_per_second: Math.round(n / genSec),
    };

    if (!generationOnly) {
      // Copy what the generation wrote to a file, a batch a line, then empty the tables.
      const fd = fs.openSync(dump, 'w');
      let lastInvoice = 0;
      let lastEvent = outboxBefore;
      let counts = { invoices: 0, lines: 0, events: 0 };
      for (;;) {
        const invoices = await db('invoices').where('id', '>', lastInvoice).orderBy('id').limit(CHUNK);
        if (invoices.length === 0) break;
        lastInvoice = Number(invoices[invoices.length - 1].id);
        const lines = await db('invoice_lines').whereBetween('invoice_id', [Number(invoices[0].id), lastInvoice]).orderBy('id');
        const events = await db('outbox_events').where('id', '>', lastEvent).orderBy('id').limit(invoices.length);
        if (events.length) lastEvent = Number(events[events.length - 1].id);
        fs.writeSync(fd, JSON.stringify({ invoices, lines, events }) + '\n');
        counts = { invoices: counts.invoices + invoices.length, lines: counts.lines + lines.length, events: counts.events + events.length };
      }
      fs.closeSync(fd);
      // Emptied by TRUNCATE, not DELETE: the baseline then writes into fresh tables as the generation did, with no
      // purge of a million deleted rows running behind it. (One connection: the foreign key switch is per session.)
      await db.transaction(async (trx) => {
        await trx.raw('SET FOREIGN_KEY_CHECKS = 0');
        for (const t of ['outbox_events', 'invoice_lines', 'invoices']) await trx.raw('TRUNCATE TABLE ??', [t]);
        await trx.raw('SET FOREIGN_KEY_CHECKS = 1');
      });

      let bulkNs = 0n;
      const rl = readline.createInterface({ input: fs.createReadStream(dump), crlfDelay: Infinity });
      for await (const line of rl) {
        const batch = JSON.parse(line) as { invoices: object[]; lines: object[]; events: object[] };
        const b0 = process.hrtime.bigint();
        await db.transaction(async (trx) => {
          await trx.batchInsert('invoices', batch.invoices, INSERT_ROWS);
          await trx.batchInsert('invoice_lines', batch.lines, INSERT_ROWS);
          await trx.batchInsert('outbox_events', batch.events, INSERT_ROWS);
        });
        bulkNs += process.hrtime.bigint() - b0;
      }
      const bulkSec = Number(bulkNs) / 1e9;
      Object.assign(out, {
        bulk_insert_seconds: Number(bulkSec.toFixed(2)),
        ratio_generate_to_bulk: Number((genSec / bulkSec).toFixed(2)),
        invoice_rows: counts.invoices,
        line_rows: counts.lines,
        outbox_events: counts.events,
      });
    }
    Object.assign(out, {
      progress_reports: progressReports,
      last_progress: lastProgress,
      rss_mib_before_generation: Math.round(rssBefore / 2 ** 20),
      rss_mib_peak_during_generation: Math.round(peakRss / 2 ** 20),
      heap_mib_peak_during_generation: Math.round(peakHeap / 2 ** 20),
      numbers: result.numbers,
    });
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await closeRuntime(rt);
    if (flags.has('--keep')) console.error(`kept database ${dbName}`);
    else await admin.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.destroy();
    fs.rmSync(dump, { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

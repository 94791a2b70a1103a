/**
 * Benchmark: subscriber creation (`action=add`) under concurrency, then memory under a mixed load.
 * The ispgate server runs in its own process (bench/pipeline-server.ts, rate limits off); this script is the load
 * generator (keep-alive HTTP on 127.0.0.1). It creates N subscribers through the API with C concurrent clients and
 * prints failures (any ok:false or non-200), subscribers per second and add latency p50/p99; then it drives a mixed
 * read load (me, list_customers by page and cursor, get_customer, radius_sessions) at 50 connections for S seconds
 * with wrk-like keep-alive clients and prints the server's RSS (peak, from /proc) and its CPU µs per request.
 *
 * `--mixed-subscribers M` (M > N) tops the table up to M subscribers before the mixed load, written straight to
 * the database as copies of the first API-created subscriber (usernames sub<N>…sub<M-1>), so the memory figure is
 * taken serving M subscribers (the issue's 1,000,000) without adding them all through the API.
 *
 *   npx tsx bench/add-concurrency.ts [--db mysql|sqlite] [--subscribers 100000] [--concurrency 50] [--mixed-seconds 30] [--mixed-subscribers 1000000] [--mysql mysql://root@127.0.0.1:3306] [--tsx]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { prepareDatabase } from '../src/bootstrap';
import { createKnex } from '../src/db/knex';
import { call, closeAgent, mixedLoad } from './lib/load';
import { cpuMicros, fmt, npmStartHeapMiB, rssMiB, startServer } from './lib/util';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};


/** Copies of subscriber sub0 as sub<from>…sub<to-1>, straight into the table, in batches. */
async function topUp(db: Knex, dialect: string, from: number, to: number) {
  const template = await db('customers').where({ username: 'sub0' }).first();
  if (!template) throw new Error('top-up: sub0 was not created');
  // Columns with a unique key (other than username) stay null in the copies, as they are in sub0 (add set none).
  const cols = Object.keys(template).filter((c) => !['id', 'username', 'static_ip', 'mac_address'].includes(c));
  const step = 50_000;
  for (let a = from; a < to; a += step) {
    const b = Math.min(to, a + step) - 1;
    if (dialect === 'mysql') {
      await db.raw(
        `INSERT INTO customers (username, ${cols.map((c) => `\`${c}\``).join(', ')}) SELECT CONCAT('sub', seq), ${cols.map((c) => `t.\`${c}\``).join(', ')} FROM seq_${a}_to_${b} JOIN customers t ON t.id = ?`,
        [template.id],
      );
    } else {
      const rows = Array.from({ length: b - a + 1 }, (_, k) => ({ ...Object.fromEntries(cols.map((c) => [c, template[c]])), username: `sub${a + k}` }));
      await db.batchInsert('customers', rows, 500);
    }
  }
}

async function main() {
  const dialect = arg('db', 'mysql');
  const n = Number(arg('subscribers', '100000'));
  const conc = Number(arg('concurrency', '50'));
  const mixedSeconds = Number(arg('mixed-seconds', '30'));
  const mixedN = Math.max(n, Number(arg('mixed-subscribers', String(n))));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ispgate-bench-'));
  const appKey = crypto.randomBytes(32).toString('hex');
  let url = `sqlite:${dir}/bench.sqlite`;
  let dropDb: (() => Promise<void>) | null = null;
  if (dialect === 'mysql') {
    const server = arg('mysql', process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
    const u = new URL(server);
    const name = `ispgate_bench_${process.pid}`;
    const root = knexFactory({ client: 'mysql2', connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) } });
    await root.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    url = `${server}/${name}`;
    dropDb = async () => {
      await root.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await root.destroy();
    };
  }
  const db = createKnex(url);
  const { key } = await prepareDatabase(db, crypto.randomBytes(12).toString('hex'));
  // The server as `npm start` runs it (compiled, its heap limit); --tsx runs it through tsx as before.
  const viaTsx = process.argv.includes('--tsx');
  const srv = await startServer('bench/pipeline-server.ts', ['ispgate', url, dir, appKey], {}, viaTsx ? {} : { compiled: true, nodeArgs: [`--max-old-space-size=${npmStartHeapMiB()}`] });
  try {
    const k = key!;
    const plan = await call(srv.port, k, 'action=add_plan&name=FTTH%20100&download=100M&upload=10M&price=25');
    if (!plan.json.ok) throw new Error(`add_plan: ${JSON.stringify(plan.json)}`);
    // Creation: N adds, C at a time.
    let next = 0;
    let failures = 0;
    const errors = new Map<string, number>();
    const lat: number[] = [];
    const cpu0 = cpuMicros(srv.pid);
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: conc }, async () => {
        while (next < n) {
          const i = next++;
          const s = process.hrtime.bigint();
          const r = await call(srv.port, k, `action=add&username=sub${i}&password=pw${i}&plan=FTTH%20100&fullname=Subscriber%20${i}&phone=69${String(i).padStart(8, '0')}`);
          lat.push(Number(process.hrtime.bigint() - s) / 1e6);
          if (lat.length % 10_000 === 0) console.error(`  … ${lat.length}/${n} added, ${fmt(lat.length / (Number(process.hrtime.bigint() - t0) / 1e9), 1)} /s`);
          if (r.status !== 200 || !r.json.ok) {
            failures++;
            errors.set(r.json.error ?? String(r.status), (errors.get(r.json.error ?? String(r.status)) ?? 0) + 1);
          }
        }
      }),
    );
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const addCpu = (cpuMicros(srv.pid) - cpu0) / n;
    console.log(`add bench: ${dialect}, ${n} subscribers through the API, ${conc} concurrent clients, server ${viaTsx ? 'through tsx' : 'compiled as npm start runs it'}, ${os.cpus().length} CPUs, load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`  failures: ${failures}${errors.size ? ' ' + JSON.stringify(Object.fromEntries(errors)) : ''}`);
    console.log(`  subscribers/s: ${fmt(n / secs, 1)}  add p50 ${fmt(pct(lat, 50), 1)} ms  p99 ${fmt(pct(lat, 99), 1)} ms  server CPU ${fmt(addCpu)} µs/add  RSS after ${fmt(rssMiB(srv.pid))} MiB`);

    if (mixedN > n) {
      const t1 = Date.now();
      await topUp(db, dialect, n, mixedN);
      console.log(`topped up to ${mixedN} subscribers (direct inserts, not through the API) in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    }

    // Mixed read load at 50 connections.
    const bodies = [
      () => 'action=me',
      () => `action=list_customers&page=${1 + Math.floor(Math.random() * Math.max(1, mixedN / 25))}`,
      () => `action=list_customers&cursor=${Buffer.from(`customers:${Math.floor(Math.random() * mixedN)}`).toString('base64url')}`,
      () => `action=get_customer&username=sub${Math.floor(Math.random() * mixedN)}`,
      () => 'action=radius_sessions',
      () => 'action=list_customers&status=active&per_page=50',
    ];
    const m = await mixedLoad(srv.port, srv.pid, k, bodies, 50, mixedSeconds);
    console.log(`mixed load: 50 connections, ${mixedSeconds}s, ${m.requests} requests (${fmt(m.rps)} req/s), ${m.notOk} not ok, server CPU ${fmt(m.cpuMicrosPerRequest)} µs/req, RSS peak ${fmt(m.rssPeakMiB)} MiB with ${mixedN} subscribers`);
  } finally {
    srv.proc.kill('SIGTERM');
    closeAgent();
    await db.destroy();
    await new Promise((r) => setTimeout(r, 300));
    await dropDb?.();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Benchmark: the process.php pipeline (action=me) against bare Express 5 routes running the same two statements
 * (the API key by its hash, its admin by id), each server in its own process, driven by wrk (a separate process)
 * on 127.0.0.1, in interleaved rounds. Prints req/s and the server's own CPU µs per request (from /proc/<pid>/stat),
 * min/median/max over the rounds, and the ratios of the medians (pipeline ÷ bare: req/s; bare CPU ÷ pipeline CPU).
 *
 *   npx tsx bench/pipeline.ts [--db sqlite|mysql] [--connections 16,64] [--seconds 10] [--rounds 3] [--mysql mysql://root@127.0.0.1:3306] [--tsx]
 *
 * Every server runs as `npm start` runs ispgate: compiled to dist/, with its heap limit (--tsx: all through tsx).
 *     [--modes ispgate,ispgate-uncached,bare-knex,bare-raw]   (ispgate-uncached: the credential cache off, so the
 *     pipeline runs the same two statements per request as the bare routes)
 *
 * Needs wrk (apt-get install -y wrk). The MariaDB run creates and drops its own database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { prepareDatabase } from '../src/bootstrap';
import { createKnex } from '../src/db/knex';
import { cpuMicros, fmt, npmStartHeapMiB, startServer, stats, wrk } from './lib/util';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

async function main() {
  const dialect = arg('db', 'sqlite');
  const conns = arg('connections', '16,64').split(',').map(Number);
  const seconds = Number(arg('seconds', '10'));
  const rounds = Number(arg('rounds', '3'));
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
  await db.destroy();
  const auth = { Authorization: `Bearer ${key}` };

  const modes = (arg('modes', 'ispgate,ispgate-uncached,bare-knex,bare-raw').split(',') as string[]);
  const servers = [];
  try {
    // Every server as `npm start` runs ispgate (compiled, its heap limit), or all through tsx with --tsx.
    const how = process.argv.includes('--tsx') ? {} : { compiled: true, nodeArgs: [`--max-old-space-size=${npmStartHeapMiB()}`] };
    for (const m of modes) servers.push({ mode: m, ...(await startServer('bench/pipeline-server.ts', [m, url, dir, appKey], {}, how)) });
    const target = (m: string) => (m.startsWith('ispgate') ? '/mikrotik/process.php' : '/bare');
    // Each server answers correctly before it is measured.
    for (const s of servers) {
      const r = await fetch(`http://127.0.0.1:${s.port}${target(s.mode)}`, { method: 'POST', body: 'action=me', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...auth } });
      const j = (await r.json()) as { ok: boolean; data?: { username?: string } };
      if (!j.ok || j.data?.username !== 'admin') throw new Error(`${s.mode} answered ${JSON.stringify(j)}`);
    }
    const results = new Map<string, { rps: number[]; cpu: number[]; p50: number[]; p99: number[] }>();
    for (const s of servers) await wrk(s.port, target(s.mode), 'action=me', auth, 16, 2, dir); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const c of conns) {
        for (const s of servers) {
          const before = cpuMicros(s.pid);
          const w = await wrk(s.port, target(s.mode), 'action=me', auth, c, seconds, dir);
          const cpu = (cpuMicros(s.pid) - before) / w.requests;
          if (w.non2xx) throw new Error(`${s.mode}: ${w.non2xx} non-2xx answers`);
          const k = `${s.mode}@${c}`;
          if (!results.has(k)) results.set(k, { rps: [], cpu: [], p50: [], p99: [] });
          const e = results.get(k)!;
          e.rps.push(w.rps);
          e.cpu.push(cpu);
          e.p50.push(w.p50ms);
          e.p99.push(w.p99ms);
          process.stderr.write(`round ${r + 1} c=${c} ${s.mode}: ${fmt(w.rps)} req/s, ${fmt(cpu)} µs CPU/req\n`);
        }
      }
    }
    console.log(`pipeline bench: ${dialect}, ${rounds} rounds × ${seconds}s, servers ${process.argv.includes('--tsx') ? 'through tsx' : `compiled, --max-old-space-size=${npmStartHeapMiB()}`}, wrk -t1, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log('mode@connections        req/s min/median/max        CPU µs/req min/median/max   p99 ms (median)');
    for (const [k, e] of results) {
      const a = stats(e.rps);
      const b = stats(e.cpu);
      console.log(`${k.padEnd(22)}  ${fmt(a.min)}/${fmt(a.median)}/${fmt(a.max)}`.padEnd(52) + `${fmt(b.min)}/${fmt(b.median)}/${fmt(b.max)}`.padEnd(28) + fmt(stats(e.p99).median, 1));
    }
    for (const c of conns) for (const pipe of modes.filter((m) => m.startsWith('ispgate'))) {
      const gw = results.get(`${pipe}@${c}`)!;
      for (const base of modes.filter((m) => m.startsWith('bare'))) {
        const b = results.get(`${base}@${c}`)!;
        console.log(
          `c=${c} ${pipe} vs ${base}: req/s ratio ${fmt(stats(gw.rps).median / stats(b.rps).median, 2)}, CPU ratio ${fmt(stats(b.cpu).median / stats(gw.cpu).median, 2)} (pipeline ${fmt(stats(gw.cpu).median)} µs vs ${fmt(stats(b.cpu).median)} µs per request)`,
        );
      }
    }
  } finally {
    for (const s of servers) s.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await dropDb?.();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

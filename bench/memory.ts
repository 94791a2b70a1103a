/**
 * Benchmark: the server's memory serving 1,000,000 subscribers (and 10,000,000 radacct rows) on MariaDB under a mixed
 * load of 50 connections. The database is the one bench/lists.ts seeds (bench/lib/scale-db.ts, kept between runs:
 * the first run seeds it, ~25 min at the default size); the server is the real app in its own process
 * (bench/pipeline-server.ts, credentials cached as in production, rate limits off). The mixed load: me, a random
 * page number (deep pages), a random cursor, a status filter, a search by username and by phone ending,
 * get_customer, open sessions and a NAS's sessions. Prints RSS at rest and the peak under load (sampled every
 * 250 ms from /proc), req/s, p50/p99 and the server's CPU µs per request.
 *
 *   npx tsx bench/memory.ts [--subscribers 1000000] [--radacct 10000000] [--connections 50] [--seconds 60] [--drop]
 *
 * --drop drops the seeded database at the end (otherwise it is kept for the next run of this or lists.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../src/services/core/api-keys';
import { encodeCursor } from '../src/gateway/cursor';
import { closeAgent, call, mixedLoad } from './lib/load';
import { scaleDatabase } from './lib/scale-db';
import { fmt, rssMiB, startServer } from './lib/util';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

async function main() {
  const subs = Number(arg('subscribers', '1000000'));
  const acct = Number(arg('radacct', '10000000'));
  const connections = Number(arg('connections', '50'));
  const seconds = Number(arg('seconds', '60'));
  const scale = await scaleDatabase({ subscribers: subs, radacct: acct, server: arg('mysql', process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'), keep: !process.argv.includes('--drop') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ispgate-bench-mem-'));
  let srv: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const admin = await scale.db('admins').where({ is_primary: true }).first('id');
    const key = (await createApiKey(scale.db, `memory bench ${process.pid}`, admin.id)).key;
    const n = Number((await scale.db('customers').count({ n: '*' }))[0].n);
    const maxId = Number((await scale.db('customers').max({ m: 'id' }))[0].m);
    srv = await startServer('bench/pipeline-server.ts', ['ispgate', scale.url, dir, crypto.randomBytes(32).toString('hex')]);
    const rnd = (k: number) => 1 + Math.floor(Math.random() * k);
    const bodies = [
      () => 'action=me',
      () => `action=list_customers&page=${rnd(Math.floor(n / 25))}`,
      () => `action=list_customers&cursor=${encodeCursor('customers', rnd(maxId))}`,
      () => `action=list_customers&status=suspended&per_page=50`,
      () => `action=list_customers&search=sub${rnd(subs)}`,
      () => `action=list_customers&search=${String(rnd(subs)).padStart(6, '0').slice(-5)}`,
      () => `action=get_customer&username=sub${rnd(subs)}`,
      () => 'action=radius_sessions',
      () => `action=radius_sessions&nas_ip=10.1.${rnd(50)}.1`,
    ];
    // Warm-up: every kind once (connections, prepared paths), then the server at rest.
    for (const b of bodies) {
      const r = await call(srv.port, key, b());
      if (!r.json.ok) throw new Error(`warm-up ${b()}: ${JSON.stringify(r.json)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rest = rssMiB(srv.pid);
    const m = await mixedLoad(srv.port, srv.pid, key, bodies, connections, seconds);
    console.log(`memory bench: ${n} subscribers, ${acct} radacct rows (seeded), MariaDB, ${connections} connections × ${seconds} s, ${os.cpus().length} CPUs, load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`  RSS at rest ${fmt(rest)} MiB, peak under load ${fmt(m.rssPeakMiB)} MiB`);
    console.log(`  ${m.requests} requests, ${fmt(m.rps)} req/s, p50 ${fmt(m.p50ms, 1)} ms, p99 ${fmt(m.p99ms, 1)} ms, ${m.notOk} not ok${m.notOk ? ' ' + JSON.stringify(m.errors) : ''}, server CPU ${fmt(m.cpuMicrosPerRequest)} µs/req`);
    await scale.db('api_keys').where({ name: `memory bench ${process.pid}` }).update({ revoked_at: scale.db.fn.now() });
  } finally {
    srv?.proc.kill('SIGTERM');
    closeAgent();
    await new Promise((r) => setTimeout(r, 300));
    await scale.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Benchmark: the server's memory serving 1,000,000 subscribers (and 10,000,000 radacct rows) on MariaDB under a mixed
 * load of 50 connections. The database is the one bench/lists.ts seeds (bench/lib/scale-db.ts, kept between runs:
 * the first run seeds it, ~25 min at the default size); the server is the real app in its own process
 * (bench/pipeline-server.ts, credentials cached as in production, rate limits off). The mixed load: me, a random
 * page number (deep pages), a random cursor, a status filter, a search by username and by phone ending,
 * get_customer, open sessions and a NAS's sessions. Prints RSS at rest and the peak under load (sampled every
 * 250 ms from /proc), req/s, p50/p99 and the server's CPU µs per request.
 *
 *   npx tsx bench/memory.ts [--subscribers 1000000] [--radacct 10000000] [--connections 50] [--seconds 60] [--drop] [--start-only]
 *
 * The server runs three ways in one run: as `npm start` runs it (compiled to dist/, with its heap limit), compiled
 * without the limit, and through tsx without it (how `npm start` ran it before); --start-only runs the first alone.
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
import { fmt, npmStartHeapMiB, rssMiB, startServer, stopServer } from './lib/util';

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
  const appKey = crypto.randomBytes(32).toString('hex');
  const keyName = `memory bench ${process.pid}`;
  try {
    const admin = await scale.db('admins').where({ is_primary: true }).first('id');
    const key = (await createApiKey(scale.db, keyName, admin.id)).key;
    const n = Number((await scale.db('customers').count({ n: '*' }))[0].n);
    const maxId = Number((await scale.db('customers').max({ m: 'id' }))[0].m);
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
    console.log(`memory bench: ${n} subscribers, ${acct} radacct rows (seeded), MariaDB, ${connections} connections × ${seconds} s, ${os.cpus().length} CPUs${process.env.BENCH_SERVER_NODE_ARGS ? `, node ${process.env.BENCH_SERVER_NODE_ARGS}` : ''}`);
    // The server as `npm start` runs it (compiled to dist/, plain node), and the baseline in the same run: the same
    // code through tsx, as `npm start` ran it before (a loader thread and a transpiler in the process).
    // `npm start`'s own heap limit (package.json: --max-old-space-size=${ISPGATE_HEAP_MB:-N}), and the same
    // compiled server without it, to show what the limit costs in CPU.
    const heapMb = npmStartHeapMiB();
    const all: Array<[string, boolean, string[]]> = [
      [`npm start (compiled, heap limit ${heapMb} MiB)`, true, [`--max-old-space-size=${heapMb}`]],
      ['compiled, no heap limit', true, []],
      ['tsx, no heap limit (npm start before)', false, []],
    ];
    const ways = process.argv.includes('--start-only') ? all.slice(0, 1) : all;
    for (const [label, compiled, nodeArgs] of ways) {
      const srv = await startServer('bench/pipeline-server.ts', ['ispgate', scale.url, dir, appKey], { BENCH_MEM_SAMPLE: '1' }, { compiled, nodeArgs });
      try {
        // Warm-up: every kind once (connections, prepared paths), then the server at rest.
        for (const b of bodies) {
          const r = await call(srv.port, key, b());
          if (!r.json.ok) throw new Error(`warm-up ${b()}: ${JSON.stringify(r.json)}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
        const rest = rssMiB(srv.pid);
        const m = await mixedLoad(srv.port, srv.pid, key, bodies, connections, seconds);
        await stopServer(srv);
        const parts = (srv.lines.find((l) => (l as { memoryPeakMiB?: unknown }).memoryPeakMiB) as { memoryPeakMiB?: Record<string, number> } | undefined)?.memoryPeakMiB;
        console.log(`  ${label}: RSS at rest ${fmt(rest)} MiB, peak under load ${fmt(m.rssPeakMiB)} MiB; load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
        if (parts) console.log(`    peaks of its parts (MiB): heap total ${parts.heapTotal}, heap used ${parts.heapUsed}, new space ${parts['space:new_space']}, old space ${parts['space:old_space']}, code ${parts['space:code_space']}, large objects ${parts['space:large_object_space']}, external ${parts.external} (array buffers ${parts.arrayBuffers})`);
        console.log(`    ${m.requests} requests, ${fmt(m.rps)} req/s, p50 ${fmt(m.p50ms, 1)} ms, p99 ${fmt(m.p99ms, 1)} ms, ${m.notOk} not ok${m.notOk ? ' ' + JSON.stringify(m.errors) : ''}, server CPU ${fmt(m.cpuMicrosPerRequest)} µs/req`);
      } finally {
        await stopServer(srv);
      }
    }
    await scale.db('api_keys').where({ name: keyName }).update({ revoked_at: scale.db.fn.now() });
  } finally {
    closeAgent();
    await scale.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

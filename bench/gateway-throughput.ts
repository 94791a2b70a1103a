/**
 * Benchmark: what the process.php pipeline costs per request. The same loopback HTTP client drives
 *   1. a bare Express route answering a fixed JSON body (the baseline: HTTP + Express only), and
 *   2. POST /mikrotik/process.php action=me through the whole pipeline (form parsing, tenant, API-key lookup in
 *      SQLite, permission, rate limit, validation, envelope, metrics),
 * with the same concurrency, and prints requests per second of each and their ratio.
 *
 *   npx tsx bench/gateway-throughput.ts [requests=5000] [concurrency=16]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { closeRuntime, createApp, createRuntime } from '../src/app';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function drive(port: number, path: string, body: string, headers: Record<string, string>, n: number, concurrency: number) {
  let next = 0;
  let bad = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        if ((await post(port, path, body, headers)) !== 200) bad++;
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (bad) throw new Error(`${bad} requests did not answer 200`);
  return n / secs;
}

function listen(app: express.Express): Promise<http.Server> {
  return new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
}

async function main() {
  const n = Number(process.argv[2] ?? 5000);
  const concurrency = Number(process.argv[3] ?? 16);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ispgate-bench-'));
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: `sqlite:${dir}/bench.sqlite`, DATA_DIR: dir, APP_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'error', JOBS_ENABLED: 'false' });
  const rt = createRuntime(config, { log: createLogger({ level: 'error', json: true }), rateLimits: false });
  const { key } = await prepareDatabase(rt.db, crypto.randomBytes(12).toString('hex'));

  const bare = express();
  bare.post('/bare', (_req, res) => {
    res.json({ ok: true, data: { type: 'api_key', username: 'admin' } });
  });
  const bareServer = await listen(bare);
  const gwServer = await listen(createApp(rt));
  const auth = { Authorization: `Bearer ${key}` };
  try {
    // warm-up of both, then the measured runs
    await drive((bareServer.address() as AddressInfo).port, '/bare', 'action=me', {}, 500, concurrency);
    await drive((gwServer.address() as AddressInfo).port, '/mikrotik/process.php', 'action=me', auth, 500, concurrency);
    const base = await drive((bareServer.address() as AddressInfo).port, '/bare', 'action=me', {}, n, concurrency);
    const gw = await drive((gwServer.address() as AddressInfo).port, '/mikrotik/process.php', 'action=me', auth, n, concurrency);
    console.log(`requests: ${n}, concurrency: ${concurrency}, database: SQLite`);
    console.log(`bare express route:     ${base.toFixed(0)} req/s`);
    console.log(`process.php action=me:  ${gw.toFixed(0)} req/s`);
    console.log(`ratio pipeline/bare:    ${(gw / base).toFixed(2)}  (per-request pipeline cost ≈ ${((1 / gw - 1 / base) * 1e6).toFixed(0)} µs)`);
  } finally {
    bareServer.close();
    gwServer.close();
    agent.destroy();
    await closeRuntime(rt);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

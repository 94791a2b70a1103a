/**
 * Benchmark: one SNMP collection cycle over N devices, printed as devices per second.
 * Starts K real Net-SNMP `snmpd` agents on loopback (their own ifTable/ifXTable: this machine's interfaces, with
 * real 64-bit counters) and registers N devices spread over them, plus a share of dead devices (a closed UDP port)
 * to show that a dead device costs its own timeout and does not hold the others up.
 *
 *   npx tsx bench/snmp-collect.ts [devices=1000] [agents=4] [concurrency=64] [deadPercent=2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeRuntime, createRuntime } from '../src/app';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { systemContext } from '../src/context';
import { DEFAULT_TENANT } from '../src/db/tenants';
import { nowUtc } from '../src/db/knex';
import { runSnmpCycle } from '../src/services/monitoring/snmp';

const [N = 1000, K = 4, C = 64, DEAD = 2] = process.argv.slice(2).map(Number);

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startAgent(dir: string, i: number): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freeUdpPort();
  const d = path.join(dir, `agent${i}`);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'snmpd.conf'), [`agentAddress udp:127.0.0.1:${port}`, 'rocommunity bench 127.0.0.1', `sysName bench-${i}`, 'dontLogTCPWrappersConnects yes', ''].join('\n'));
  const proc = spawn('snmpd', ['-f', '-Lo', '-C', '-I', '-smux', '-c', path.join(d, 'snmpd.conf')], {
    env: { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMP_PERSISTENT_DIR: d },
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 500));
  return { port, proc };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ispgate-bench-snmp-'));
  const agents: Array<{ port: number; proc: ChildProcess }> = [];
  for (let i = 0; i < K; i++) agents.push(await startAgent(dir, i));
  const deadPort = await freeUdpPort();
  const config = loadConfig({
    NODE_ENV: 'production', DATABASE_URL: `sqlite:${dir}/bench.sqlite`, DATA_DIR: dir, APP_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'error', JOBS_ENABLED: 'false',
    SNMP_CONCURRENCY: String(C), SNMP_TIMEOUT_MS: '1000', SNMP_RETRIES: '0',
  });
  const rt = createRuntime(config, { log: createLogger({ level: 'error', json: true }), rateLimits: false });
  try {
    await prepareDatabase(rt.db, crypto.randomBytes(12).toString('hex'));
    const ctx = systemContext(rt, DEFAULT_TENANT, rt.db, 'bench');
    const now = nowUtc();
    const community = rt.secrets.encrypt('bench');
    const deadEvery = DEAD > 0 ? Math.round(100 / DEAD) : 0;
    for (let i = 0; i < N; i += 200) {
      const batch = Array.from({ length: Math.min(200, N - i) }, (_, k) => i + k);
      await rt.db('routers').insert(batch.map((j) => ({
        name: `bench-${j}`, ip: '127.0.0.1', api_port: 8728, api_user: 'x', api_password_enc: community, tls: false,
        radius_ip: `10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`, radius_secret_enc: community, coa_port: 3799, mode: 'radius', created_at: now, updated_at: now,
      })));
    }
    const routers = await rt.db('routers').select('id').orderBy('id');
    for (let i = 0; i < routers.length; i += 200) {
      await rt.db('snmp_devices').insert(routers.slice(i, i + 200).map((r, k) => {
        const j = i + k;
        const dead = deadEvery > 0 && j % deadEvery === deadEvery - 1;
        return { kind: 'router', ref_id: r.id, host: '127.0.0.1', snmp_version: '2c', snmp_port: dead ? deadPort : agents[j % K].port, community_enc: community, created_at: now, updated_at: now };
      }));
    }
    for (const pass of [1, 2]) {
      const t0 = process.hrtime.bigint();
      const r = await runSnmpCycle(ctx);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const ifs = r.devices.reduce((a, d) => a + d.interfaces_polled, 0);
      const errors = r.devices.filter((d) => !d.reachable).length;
      console.log(`cycle ${pass}: ${r.polled} devices (${errors} dead) over ${K} snmpd agents, concurrency ${C}: ${secs.toFixed(2)} s, ${(r.polled / secs).toFixed(0)} devices/s, ${ifs} interfaces polled`);
    }
    const samples = await rt.db('snmp_samples').count({ n: '*' });
    console.log(`samples stored after two cycles: ${samples[0].n}`);
  } finally {
    await closeRuntime(rt);
    // snmpd writes its persistent state on the way out: wait for each to exit before removing the directory.
    await Promise.all(agents.map((a) => new Promise<void>((r) => {
      if (a.proc.exitCode !== null) return r();
      a.proc.once('exit', () => r());
      a.proc.kill('SIGTERM');
    })));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import http from 'node:http';
import { cpuMicros, rssMiB } from './util';

/** Keep-alive form POSTs to the Veloxiom endpoint of a server on 127.0.0.1 (the benches' own load generator). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface Reply {
  status: number;
  json: { ok: boolean; error?: string; data?: unknown; meta?: { next_cursor?: string | null } };
}

export function call(port: number, key: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/mikrotik/process.php', method: 'POST', agent, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), Authorization: `Bearer ${key}` } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: { ok: false, error: 'not_json' } });
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

export interface MixedResult {
  requests: number;
  notOk: number;
  errors: Record<string, number>;
  rps: number;
  cpuMicrosPerRequest: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  p50ms: number;
  p99ms: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

/**
 * `connections` clients, each sending the next body of `bodies` (round robin, offset per client) for `seconds`; the
 * server's RSS is sampled every 250 ms (peak) and its CPU time read before and after.
 */
export async function mixedLoad(port: number, pid: number, key: string, bodies: Array<() => string>, connections: number, seconds: number): Promise<MixedResult> {
  const rssBeforeMiB = rssMiB(pid);
  let peak = rssBeforeMiB;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 250);
  const end = Date.now() + seconds * 1000;
  const lat: number[] = [];
  let notOk = 0;
  const errors: Record<string, number> = {};
  const cpu0 = cpuMicros(pid);
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      let j = c;
      while (Date.now() < end) {
        const s = process.hrtime.bigint();
        const r = await call(port, key, bodies[j++ % bodies.length]());
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (r.status !== 200 || !r.json.ok) {
          notOk++;
          const e = r.json.error ?? String(r.status);
          errors[e] = (errors[e] ?? 0) + 1;
        }
      }
    }),
  );
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(pid));
  const secs = (Date.now() - t0) / 1000;
  return { requests: lat.length, notOk, errors, rps: lat.length / secs, cpuMicrosPerRequest: (cpuMicros(pid) - cpu0) / lat.length, rssBeforeMiB, rssPeakMiB: peak, p50ms: pct(lat, 50), p99ms: pct(lat, 99) };
}

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** CPU time (user + system) a process has used, in microseconds, from /proc/<pid>/stat (clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / 100;
}

/** Resident set size of a process in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface BenchServer {
  proc: ChildProcess;
  port: number;
  pid: number;
  /** The JSON lines the server printed after its ready line (e.g. its memory peaks when it stops). */
  lines: unknown[];
}

/**
 * Starts a bench server script as its own node process (not a child of a tsx wrapper) and waits for its JSON ready
 * line. By default the TypeScript runs through tsx; `compiled` runs it as `npm start` runs the server: compiled to
 * dist/ by scripts/build-server.mjs (the script itself included), plain node, no loader. BENCH_SERVER_NODE_ARGS adds
 * node options to the server only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses).
 */
const compiledHere = new Set<string>();

export function startServer(script: string, args: string[], env: NodeJS.ProcessEnv = {}, opts: { compiled?: boolean; nodeArgs?: string[] } = {}): Promise<BenchServer> {
  const nodeArgs = [...(opts.nodeArgs ?? []), ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  let argv = [...nodeArgs, '--import', 'tsx', path.resolve(script), ...args];
  if (opts.compiled) {
    const root = path.resolve(__dirname, '../..');
    // Once per bench process: a rebuild empties dist/src under servers this process already started.
    if (!compiledHere.has(script)) execFileSync(process.execPath, ['scripts/build-server.mjs', '--quiet', '--also', script], { cwd: root, stdio: 'inherit' });
    compiledHere.add(script);
    argv = [...nodeArgs, path.join(root, 'dist', script.replace(/\.ts$/, '.js')), ...args];
  }
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines: unknown[] = [];
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout! });
    let ready = false;
    rl.on('line', (line) => {
      if (ready) {
        try {
          lines.push(JSON.parse(line));
        } catch {
          process.stdout.write(line + '\n');
        }
        return;
      }
      ready = true;
      try {
        const j = JSON.parse(line) as { port: number; pid: number };
        resolve({ proc, port: j.port, pid: j.pid, lines });
      } catch (e) {
        reject(new Error(`server said: ${line}`));
      }
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/**
 * The heap limit `npm start` gives node (package.json: `--max-old-space-size=${ISPGATE_HEAP_MB:-N}`), in MiB, so a
 * bench runs the server as it is shipped.
 */
export function npmStartHeapMiB(): number {
  const start = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).scripts.start as string;
  const mb = Number(/--max-old-space-size=\$\{ISPGATE_HEAP_MB:-(\d+)\}/.exec(start)?.[1]);
  if (!mb) throw new Error('package.json start has no --max-old-space-size=${ISPGATE_HEAP_MB:-N}');
  return mb;
}

/** Stops a bench server and waits for it to exit (and print what it prints on SIGTERM). */
export async function stopServer(srv: BenchServer | null): Promise<void> {
  if (!srv || srv.proc.exitCode !== null) return;
  const exited = new Promise((r) => srv.proc.once('exit', r));
  srv.proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  non2xx: number;
  p50ms: number;
  p99ms: number;
}

function ms(s: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
}

/** Runs wrk (a separate load generator process) against 127.0.0.1 with a POST body. */
export function wrk(port: number, urlPath: string, body: string, headers: Record<string, string>, connections: number, seconds: number, luaDir: string): Promise<WrkResult> {
  const lua = path.join(luaDir, `post-${port}.lua`);
  const hdr = Object.entries({ 'Content-Type': 'application/x-www-form-urlencoded', ...headers })
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  fs.writeFileSync(lua, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\n${hdr}\n`);
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', lua, `http://127.0.0.1:${port}${urlPath}`]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', () => {
      const req = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (!req || !rps) return reject(new Error(`wrk output not understood:\n${out}`));
      const non = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      const p50 = /\s50%\s+(\S+)/.exec(out);
      const p99 = /\s99%\s+(\S+)/.exec(out);
      resolve({
        requests: Number(req[1]),
        seconds: Number(req[2]) / (req[3] === 'ms' ? 1000 : 1),
        rps: Number(rps[1]),
        non2xx: non ? Number(non[1]) : 0,
        p50ms: p50 ? ms(p50[1]) : NaN,
        p99ms: p99 ? ms(p99[1]) : NaN,
      });
    });
  });
}

export function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor((s.length - 1) / 2)] + (s.length % 2 ? 0 : (s[s.length / 2] - s[(s.length - 1) >> 1]) / 2), max: s[s.length - 1] };
}

export const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

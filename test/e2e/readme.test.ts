import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freshDatabase } from '../helpers/db';
import { testIf } from '../helpers/skip';

/**
 * The README's promise: every example runs as written, in order, on a fresh install. This extracts every `sh`
 * block that calls curl (except blocks marked `<!-- readme-test: skip … -->`), runs them in order in one bash
 * against a server started as the Quick start starts it, and fails on the first answer that is not `"ok":true`.
 * The only change made to the text is the port: 8080 and the receiver's 9000 become free ports.
 */
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const hasCurl = spawnSync('curl', ['--version']).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export function readmeBlocks(md: string): string[] {
  const out: string[] = [];
  const re = /(<!-- readme-test: skip[^>]*-->\s*\n)?```sh\n([\s\S]*?)```/g;
  for (let m = re.exec(md); m; m = re.exec(md)) {
    if (m[1]) continue;
    if (/\bcurl\b/.test(m[2])) out.push(m[2]);
  }
  return out;
}

/** `curl …` followed by a comment line showing `{"ok":false,"error":"<code>"` runs as `EXPECT_ERROR=<code> curl …`. */
function expectErrors(block: string): string {
  const lines = block.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*#.*\{"ok":false,"error":"(\w+)"/.exec(lines[i + 1] ?? '');
    if (m && /^curl /.test(lines[i])) lines[i] = `EXPECT_ERROR=${m[1]} ${lines[i]}`;
  }
  return lines.join('\n');
}

let server: ChildProcess | undefined;
let fresh: Awaited<ReturnType<typeof freshDatabase>> | undefined;
let log = '';

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  }
  await fresh?.drop();
});

testIf(hasCurl, 'curl is not installed')(
  'every curl example in README.md runs in order against a fresh server and answers ok',
  async () => {
    const md = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const blocks = readmeBlocks(md);
    expect(blocks.length).toBeGreaterThanOrEqual(4);

    fresh = await freshDatabase();
    const port = await freePort();
    const receiverPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: fresh.url,
      DATA_DIR: fresh.dir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      JOBS_ENABLED: '0',
      WEBHOOK_ALLOW_PRIVATE: '1',
      RECEIVER_PORT: String(receiverPort),
    };
    delete env.APP_KEY;
    delete env.HOST;
    // As `npm start` runs it: compiled to dist/ (its prestart builds it), migrations and the panel found from there.
    execFileSync(process.execPath, ['scripts/build-server.mjs', '--quiet'], { cwd: ROOT });
    server = spawn(process.execPath, ['dist/src/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    let up = false;
    for (let i = 0; i < 150 && !up; i++) {
      up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 200));
    }
    if (!up) throw new Error(`server did not start:\n${log}`);

    // curl is wrapped so that any answer that is not {"ok":true,…} stops the script and names the example.
    const script = [
      'set -euo pipefail',
      // An example whose next line documents an error (`# … {"ok":false,"error":"<code>"`) must answer that error.
      'curl() { local out; out=$(command curl -sS "$@"); printf "%s\\n" "$out"; local want=\'"ok":true\'; [ -n "${EXPECT_ERROR:-}" ] && want="\\"error\\":\\"$EXPECT_ERROR\\""; case "$out" in *"$want"*) ;; *) echo "README example failed: curl $*" >&2; echo "$out" >&2; exit 1;; esac; }',
      ...blocks.map((b, i) => `echo "[block ${i + 1} at \${SECONDS}s]" >&2\n` + expectErrors(b).replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)),
      'kill $(jobs -p) 2>/dev/null || true',
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    process.stderr.write(`README run: ${r.stderr.split("\n").filter((l) => l.startsWith("[block")).join(" ")}\n`);
    if (r.status !== 0) throw new Error(`README examples failed (exit ${r.status}):\n${r.stderr}\n--- output ---\n${r.stdout.slice(-3000)}\n--- server ---\n${log.slice(-3000)}`);
    // The webhook example delivered to the local receiver, and the uploaded logo is served.
    expect(r.stdout).toMatch(/"delivered":true/);
    expect(r.stdout).toMatch(/webhook\.test \{"event":"webhook\.test"/);
    const settings = JSON.parse(r.stdout.split('\n').find((l) => l.includes('"logo_url"') && l.includes('company_name')) ?? '{}');
    expect(settings.data?.company_name).toBe('Acme Net');
    const logo = await fetch(`http://127.0.0.1:${port}${settings.data.logo_url}`);
    expect(logo.status).toBe(200);
  },
  180_000,
);

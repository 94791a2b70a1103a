import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { freshDatabase } from '../helpers/db';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

let server: ChildProcess;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let env: NodeJS.ProcessEnv;
let base: string;
let stdout = '';

beforeAll(async () => {
  fresh = await freshDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = { ...process.env, NODE_ENV: 'development', DATABASE_URL: fresh.url, DATA_DIR: fresh.dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  delete env.APP_KEY;
  delete env.ADMIN_PASSWORD;
  // As `npm start` runs it: compiled to dist/ (its prestart builds it), migrations and the panel found from there.
  execFileSync(process.execPath, ['scripts/build-server.mjs', '--quiet'], { cwd: ROOT });
  server = spawn(process.execPath, ['dist/src/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => (stdout += d));
  server.stderr!.on('data', (d) => (stdout += d));
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start:\n${stdout}`);
}, 60_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await new Promise((r) => server?.once('exit', r));
  await fresh.drop();
});

test('first start prints the primary admin password and a key once, and generates APP_KEY into DATA_DIR', async () => {
  expect(stdout).toMatch(/Primary admin: admin/);
  expect(stdout).toMatch(/Password:\s+\S{12,}/);
  expect(stdout).toMatch(/API key:\s+isg_\S+/);
  expect(fs.existsSync(path.join(fresh.dir, 'app.key'))).toBe(true);
});

test('the compiled server applies its migrations and serves the built panel', async () => {
  expect(stdout).toMatch(/migrations applied/);
  const res = await fetch(`${base}/`);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('<title>ispgate');
});

test('a key from the CLI works against the running server (curl-style form POST)', async () => {
  const { stdout: out } = await run(TSX, ['src/cli.ts', 'api-key', 'create', '--name', 'e2e'], { cwd: ROOT, env });
  const key = out.trim().split('\n').pop()!;
  expect(key).toMatch(/^isg_[A-Za-z0-9_-]{40,}$/);
  const res = await fetch(`${base}/mikrotik/process.php`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'action=get_routers',
  });
  const body = (await res.json()) as any;
  expect(res.status).toBe(200);
  expect(body).toEqual({ ok: true, data: [] });
  const bad = await fetch(`${base}/mikrotik/process.php`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=get_routers' });
  expect(bad.status).toBe(401);
}, 60_000);

test('CLI admin create makes an admin who can log in', async () => {
  await run(TSX, ['src/cli.ts', 'admin', 'create', '--username', 'noc', '--password', 'noc-password-1'], { cwd: ROOT, env });
  const res = await fetch(`${base}/mikrotik/process.php`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=login&username=noc&password=noc-password-1' });
  const body = (await res.json()) as any;
  expect(body.ok).toBe(true);
  expect(body.data.admin.role).toBe('superadmin');
}, 60_000);

/**
 * radius_test against the real FreeRADIUS 3 (Debian package) reading this test's MariaDB: Accept with the plan's
 * rate for a subscriber, Reject for a wrong password, and Framed-Pool / Delegated-IPv6-Prefix-Pool for a plan that
 * names pools. The gateway is FreeRADIUS's client through the router's nas row (same IP, same secret).
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/db';
import { describeIf } from '../../helpers/skip';
import { freeradiusLabEnv } from '../../helpers/freeradius-lab';

const LAB_SCRIPT = path.resolve(__dirname, '../../../scripts/freeradius-lab.sh');
const radiusd = ['/usr/sbin/freeradius', '/usr/sbin/radiusd', '/usr/local/sbin/radiusd'].find((p) => existsSync(p));

let skipReason: string | null = null;
if (!radiusd) skipReason = 'FreeRADIUS is not installed (no freeradius/radiusd binary)';
else if (testDialect() !== 'mysql') skipReason = 'FreeRADIUS reads MariaDB; run with TEST_DATABASE=mysql';
if (skipReason) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED FreeRADIUS radius_test: ${skipReason}`);
}
const maybe = describeIf(!skipReason, skipReason ?? '');

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freePorts(): Promise<{ auth: number; coa: number }> {
  for (let i = 0; i < 50; i++) {
    const auth = 20000 + Math.floor(Math.random() * 9000) * 4;
    const ok = await Promise.all([auth, auth + 1, auth + 2, auth + 3].map(udpFree));
    if (ok.every(Boolean)) return { auth, coa: auth + 3 };
  }
  throw new Error('no free UDP ports for the FreeRADIUS lab');
}

maybe('radius_test against FreeRADIUS 3', () => {
  let t: TestApp;
  let labDir: string;
  let ports: { auth: number; coa: number };
  let dbName: string;
  const SECRET = 'rt-nas-secret';
  const env = () => freeradiusLabEnv({ databaseUrl: t.config.DATABASE_URL, dbName, ports, secret: SECRET, labDir });

  beforeAll(async () => {
    ports = await freePorts();
    t = await makeTestApp({ env: { RADIUS_SERVER: '127.0.0.1', RADIUS_SECRET: SECRET, RADIUS_AUTH_PORT: String(ports.auth), RADIUS_TEST_TIMEOUT_MS: '4000' } });
    dbName = new URL(t.config.DATABASE_URL).pathname.slice(1);
    labDir = mkdtempSync(path.join(os.tmpdir(), 'ispgate-radtest-'));
    const settings = await t.call('save_network_settings', {
      'pools[0][name]': 'pppoe-main',
      'pools[0][ranges]': '100.64.8.10-100.64.8.250',
      'pools[1][name]': 'pd-main',
      'pools[1][ranges]': '2001:db8:200::/40',
      'pools[1][prefix_length]': '56',
    });
    expect(settings.ok).toBe(true);
    expect((await t.call('add_plan', { name: 'Fiber 100', download: '100M', upload: '10M' })).ok).toBe(true);
    expect((await t.call('add_plan', { name: 'Pooled', download: '50M', upload: '5M', pool: 'pppoe-main', pool6: 'pd-main' })).ok).toBe(true);
    expect((await t.call('add_router', { ip: '127.0.0.1', name: 'lab-nas', user: 'admin', pass: 'unused', radius_secret: SECRET, coa_port: String(ports.coa) })).ok).toBe(true);
    expect((await t.call('add', { username: 'rita', password: 'rita-pass-1', plan: 'Fiber 100', router: 'lab-nas', static_ip: '100.64.0.20' })).ok).toBe(true);
    expect((await t.call('add', { username: 'paul', password: 'paul-pass-1', plan: 'Pooled', router: 'lab-nas' })).ok).toBe(true);
    execFileSync(LAB_SCRIPT, ['start'], { env: env(), stdio: 'pipe', timeout: 60_000 });
  }, 90_000);

  afterAll(async () => {
    if (labDir) {
      try {
        execFileSync(LAB_SCRIPT, ['stop'], { env: env(), stdio: 'pipe', timeout: 30_000 });
      } finally {
        rmSync(labDir, { recursive: true, force: true });
      }
    }
    await t?.close();
  });

  test('Accept with the plan rate and the static IP, using the stored password', async () => {
    const body = await t.call('radius_test', { username: 'rita' });
    expect(body).toMatchObject({
      ok: true,
      data: { result: 'accept', code: 'Access-Accept', reply: { 'Mikrotik-Rate-Limit': '10M/100M', 'Framed-IP-Address': '100.64.0.20' } },
    });
    expect(body.data.reply['Framed-Pool']).toBeUndefined();
    expect(body.data.rtt_ms).toEqual(expect.any(Number));
  });

  test('Reject for a wrong password', async () => {
    const body = await t.call('radius_test', { username: 'rita', password: 'wrong' });
    expect(body).toMatchObject({ ok: true, data: { result: 'reject', code: 'Access-Reject' } });
    expect(body.data.reply['Mikrotik-Rate-Limit']).toBeUndefined();
  });

  test('a plan naming pools: Framed-Pool and Delegated-IPv6-Prefix-Pool', async () => {
    const body = await t.call('radius_test', { username: 'paul' });
    expect(body).toMatchObject({
      ok: true,
      data: { result: 'accept', reply: { 'Mikrotik-Rate-Limit': '5M/50M', 'Framed-Pool': 'pppoe-main', 'Delegated-IPv6-Prefix-Pool': 'pd-main' } },
    });
  });
});

/**
 * End to end with a real FreeRADIUS 3 (Debian package) whose sql module reads this test's MariaDB database:
 * a subscriber made by action=add authenticates with the plan's Mikrotik-Rate-Limit, is rejected while
 * suspended, accepted again after unsuspend, and the accounting packets sent appear in radius_sessions.
 * The router's nas row is the only RADIUS client FreeRADIUS knows (CLIENTS_FROM_DB=1).
 */
import { spawn, execFileSync } from 'node:child_process';
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
const radclientPath = ['/usr/bin/radclient', '/usr/local/bin/radclient'].find((p) => existsSync(p));

let skipReason: string | null = null;
if (!radiusd) skipReason = 'FreeRADIUS is not installed (no freeradius/radiusd binary)';
else if (!radclientPath) skipReason = 'radclient (freeradius-utils) is not installed';
else if (testDialect() !== 'mysql') skipReason = 'FreeRADIUS reads MariaDB; run with TEST_DATABASE=mysql';
if (skipReason) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED FreeRADIUS end-to-end test: ${skipReason}`);
}
const maybe = describeIf(!skipReason, skipReason ?? '');

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Four ports: auth, acct (auth+1), inner-tunnel (auth+2) and CoA, all free on loopback. */
async function freePorts(): Promise<{ auth: number; coa: number }> {
  for (let i = 0; i < 50; i++) {
    const auth = 20000 + Math.floor(Math.random() * 9000) * 4;
    const coa = auth + 3;
    const ok = await Promise.all([auth, auth + 1, auth + 2, coa].map(udpFree));
    if (ok.every(Boolean)) return { auth, coa };
  }
  throw new Error('no free UDP ports for the FreeRADIUS lab');
}

function radclient(port: number, kind: 'auth' | 'acct', secret: string, attrs: string): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(radclientPath!, ['-x', '-r', '1', '-t', '3', `127.0.0.1:${port}`, kind, secret]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', () => resolve(out));
    p.stdin.end(attrs);
  });
}

maybe('FreeRADIUS 3 end to end (sql module on the test database)', () => {
  let t: TestApp;
  let labDir: string;
  let ports: { auth: number; coa: number };
  let dbName: string;
  const SECRET = 'e2e-nas-secret';
  const env = () => freeradiusLabEnv({ databaseUrl: t.config.DATABASE_URL, dbName, ports, secret: SECRET, labDir });

  beforeAll(async () => {
    t = await makeTestApp({ env: { COA_TIMEOUT_MS: '1500', COA_RETRIES: '1' } });
    dbName = new URL(t.config.DATABASE_URL).pathname.slice(1);
    ports = await freePorts();
    labDir = mkdtempSync(path.join(os.tmpdir(), 'ispgate-radlab-'));
    expect((await t.call('add_plan', { name: 'Fiber 100', download: '100M', upload: '10M', price: '25' })).ok).toBe(true);
    // The router's CoA port is FreeRADIUS's own CoA listener: a real RFC 5176 peer for radius_disconnect.
    const r = await t.call('add_router', {
      ip: '127.0.0.1',
      name: 'lab-nas',
      user: 'admin',
      pass: 'unused',
      radius_secret: SECRET,
      coa_port: String(ports.coa),
    });
    expect(r.ok).toBe(true);
    // FreeRADIUS reads the nas table at start, so it starts after the router exists.
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

  const auth = (password = 'pppoe-pass-1') =>
    radclient(ports.auth, 'auth', SECRET, `User-Name = "eve"\nUser-Password = "${password}"\n`);

  test('a subscriber made by action=add gets Access-Accept with the plan rate limit', async () => {
    const add = await t.call('add', { username: 'eve', password: 'pppoe-pass-1', plan: 'Fiber 100', router: 'lab-nas', static_ip: '100.64.0.10' });
    expect(add.ok).toBe(true);
    const out = await auth();
    expect(out).toContain('Received Access-Accept');
    expect(out).toContain('Mikrotik-Rate-Limit = "10M/100M"');
    expect(out).toContain('Framed-IP-Address = 100.64.0.10');
    expect(await auth('wrong')).toContain('Received Access-Reject');
    // radpostauth logs the outcome but never the password.
    const logged = await t.db('radpostauth').where({ username: 'eve' });
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(logged.every((r) => r.pass === '')).toBe(true);
  });

  test('suspended → Access-Reject; unsuspended → Access-Accept again', async () => {
    expect((await t.call('toggle_status', { username: 'eve', status: 'suspended' })).ok).toBe(true);
    expect(await auth()).toContain('Received Access-Reject');
    expect((await t.call('toggle_status', { username: 'eve', status: 'active' })).ok).toBe(true);
    const out = await auth();
    expect(out).toContain('Received Access-Accept');
    expect(out).toContain('Mikrotik-Rate-Limit = "10M/100M"');
  });

  test('accounting sent to FreeRADIUS shows up in radius_sessions with its counters', async () => {
    const start = await radclient(
      ports.auth + 1,
      'acct',
      SECRET,
      'User-Name = "eve"\nAcct-Status-Type = Start\nAcct-Session-Id = "81a0e2e1"\nFramed-IP-Address = 100.64.0.10\n' +
        'NAS-IP-Address = 127.0.0.1\nNAS-Port-Type = Virtual\nCalling-Station-Id = "A4:5E:60:00:00:01"\nService-Type = Framed-User\nFramed-Protocol = PPP\n',
    );
    expect(start).toContain('Received Accounting-Response');
    const interim = await radclient(
      ports.auth + 1,
      'acct',
      SECRET,
      'User-Name = "eve"\nAcct-Status-Type = Interim-Update\nAcct-Session-Id = "81a0e2e1"\nFramed-IP-Address = 100.64.0.10\n' +
        'NAS-IP-Address = 127.0.0.1\nAcct-Session-Time = 120\nAcct-Input-Octets = 4096\nAcct-Output-Octets = 1048576\n',
    );
    expect(interim).toContain('Received Accounting-Response');

    const body = await t.call('radius_sessions', { username: 'eve' });
    expect(body).toMatchObject({ ok: true, meta: { total: 1 } });
    expect(body.data[0]).toMatchObject({
      acct_session_id: '81a0e2e1',
      username: 'eve',
      nas_ip: '127.0.0.1',
      router_name: 'lab-nas',
      framed_ip: '100.64.0.10',
      session_time_seconds: 120,
      upload_bytes: 4096,
      download_bytes: 1048576,
    });
  });

  test("radius_disconnect reaches a real RFC 5176 peer (FreeRADIUS's CoA listener) and gets an ACK", async () => {
    const body = await t.call('radius_disconnect', { username: 'eve' });
    expect(body).toMatchObject({ ok: true, data: { acked: 1, sessions: [{ result: 'ack', code: 'Disconnect-ACK' }] } });
    const coa = await t.call('radius_coa', { username: 'eve', rate_limit: '20M/200M' });
    expect(coa).toMatchObject({ ok: true, data: { acked: 1, sessions: [{ result: 'ack', code: 'CoA-ACK' }] } });
  });
});

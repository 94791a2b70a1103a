import dgram from 'node:dgram';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { describeIf } from '../../helpers/skip';
import { SnmpLab, snmpdAvailable } from '../../fakes/snmpd-lab';
import { compactSamples } from '../../../src/services/monitoring/snmp';
import { monitoringJobs } from '../../../src/services/monitoring/tasks';

const maybe = describeIf(snmpdAvailable(), 'snmpd is not installed (apt-get install snmpd; .ci/run installs it)');

const MAX64 = 1n << 64n;
let t: TestApp;
let lab: SnmpLab;
let deadPort: number;
let routerSeq = 0;

async function addRouter(fields: Record<string, string>) {
  routerSeq += 1;
  return t.call('add_router', {
    ip: '127.0.0.1',
    name: `snmp-${routerSeq}`,
    user: 'api',
    pass: 'api-pass',
    radius_ip: `10.77.0.${routerSeq}`,
    radius_secret: 'nas-secret',
    ...fields,
  });
}

async function deviceOf(routerId: number): Promise<number> {
  return Number((await t.db('snmp_devices').where({ kind: 'router', ref_id: routerId }).first()).id);
}

async function iface(device: number, ifIndex: number) {
  const r = await t.call('snmp_interfaces', { device: String(device) }, { method: 'GET' });
  expect(r.ok).toBe(true);
  return r.data.interfaces.find((i: { if_index: number }) => i.if_index === ifIndex);
}

/** The rate the service must report for a counter delta over the interval it measured. */
const expected = (delta: bigint, intervalMs: number) => Number((delta * 8n * 1000n) / BigInt(intervalMs));

maybe('SNMP against a real snmpd', () => {
  let v2: number;
  let v2Router: number;

  beforeAll(async () => {
    lab = await new SnmpLab(
      'ispgw-test',
      [
        { user: 'mon1', auth: 'SHA', authKey: 'authpass-123', priv: 'AES', privKey: 'privpass-123' },
        { user: 'mon2', auth: 'SHA-256', authKey: 'authpass-256', priv: 'AES256', privKey: 'privpass-256' },
      ],
      [
        { index: 1, name: 'ether1', alias: 'uplink', speedMbps: 1000, in: 1_000_000n, out: 2_000_000n },
        { index: 2, name: 'ether2', speedMbps: 100, in: 5n, out: 6n, oper: 2 },
      ],
    ).start();
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    deadPort = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    t = await makeTestApp({ env: { SNMP_TIMEOUT_MS: '800', SNMP_RETRIES: '0', SNMP_QUEUE_THRESHOLD: '6', ROUTER_TIMEOUT_MS: '1000', SNMP_CONCURRENCY: '1' /* the lab's AgentX subagent mixes up concurrent requests; the bench polls concurrently */ } });
  });
  afterAll(async () => {
    await t?.close();
    await lab?.stop();
  });

  test('add_router takes v2c SNMP settings, seals the community and never returns it', async () => {
    const body = await addRouter({ snmp_version: '2c', snmp_port: String(lab.port), snmp_community: 'ispgw-test' });
    expect(body).toMatchObject({ ok: true, data: { id: expect.any(Number), snmp: { version: '2c', port: lab.port, community_set: true, user: null } } });
    expect(JSON.stringify(body)).not.toContain('ispgw-test');
    v2Router = body.data.id;
    const row = await t.db('snmp_devices').where({ kind: 'router', ref_id: v2Router }).first();
    expect(row).toMatchObject({ host: '127.0.0.1', snmp_version: '2c', snmp_port: lab.port });
    expect(row.community_enc).not.toContain('ispgw-test');
    expect(t.rt.secrets.decrypt(row.community_enc)).toBe('ispgw-test');
    v2 = Number(row.id);
  });

  test.each([
    [{ snmp_version: '3' }, 'missing_snmp_user'],
    [{ snmp_version: '3', snmp_user: 'mon1' }, 'missing_snmp_auth_key'],
    [{ snmp_version: '3', snmp_user: 'mon1', snmp_auth_key: 'short' }, 'invalid_snmp_auth_key'],
    [{ snmp_version: '1' }, 'invalid_snmp_version'],
    [{ snmp_version: '2c' }, 'missing_snmp_community'],
    [{ snmp_version: '2c', snmp_community: 'c', snmp_port: '70000' }, 'invalid_snmp_port'],
    [{ snmp_version: '3', snmp_user: 'u', snmp_auth_key: 'authpass-1', snmp_auth_protocol: 'md5' }, 'invalid_snmp_auth_protocol'],
  ])('add_router refuses SNMP fields %j with %s and writes no router', async (fields, code) => {
    const before = await t.db('routers').count({ n: '*' });
    expect(await addRouter(fields)).toMatchObject({ ok: false, error: code });
    expect(await t.db('routers').count({ n: '*' })).toEqual(before);
  });

  test('edit_router switches a router to v3 and keeps the keys sealed', async () => {
    const r = await addRouter({});
    expect(r.data.snmp).toBeUndefined();
    const e = await t.call('edit_router', {
      id: String(r.data.id),
      snmp_version: '3',
      snmp_port: String(lab.port),
      snmp_user: 'mon1',
      snmp_auth_protocol: 'sha',
      snmp_auth_key: 'authpass-123',
      snmp_priv_protocol: 'aes',
      snmp_priv_key: 'privpass-123',
    });
    expect(e).toMatchObject({ ok: true, data: { snmp: { version: '3', user: 'mon1', auth_protocol: 'sha', auth_key_set: true, priv_protocol: 'aes', priv_key_set: true, community_set: false } } });
    expect(JSON.stringify(e)).not.toMatch(/authpass|privpass/);
    const row = await t.db('snmp_devices').where({ kind: 'router', ref_id: r.data.id }).first();
    expect(t.rt.secrets.decrypt(row.auth_key_enc)).toBe('authpass-123');
    // A later edit without SNMP fields keeps them.
    expect((await t.call('edit_router', { id: String(r.data.id), name: 'snmp-v3-sha' })).data.snmp).toMatchObject({ version: '3', auth_key_set: true });
  });

  test('snmp_collect polls over v2c and v3 (SHA/AES and SHA-256/AES-256); wrong v3 auth and a dead device fail on their own', async () => {
    const sha256 = await addRouter({ snmp_version: '3', snmp_port: String(lab.port), snmp_user: 'mon2', snmp_auth_protocol: 'sha256', snmp_auth_key: 'authpass-256', snmp_priv_protocol: 'aes256', snmp_priv_key: 'privpass-256' });
    const wrong = await addRouter({ snmp_version: '3', snmp_port: String(lab.port), snmp_user: 'mon1', snmp_auth_key: 'wrong-pass-1', snmp_priv_key: 'privpass-123' });
    const dead = await addRouter({ snmp_version: '2c', snmp_port: String(deadPort), snmp_community: 'ispgw-test' });
    const body = await t.call('snmp_collect', {}, { method: 'GET' });
    expect(body.ok).toBe(true);
    const by = new Map(body.data.devices.map((d: { ref_id: number }) => [d.ref_id, d]));
    expect(by.get(v2Router)).toMatchObject({ reachable: true, interfaces_polled: 2, error: null, sys_uptime_ticks: expect.any(Number), latency_ms: expect.any(Number) });
    expect(by.get(sha256.data.id)).toMatchObject({ reachable: true, interfaces_polled: 2 });
    expect(by.get(wrong.data.id)).toMatchObject({ reachable: false, error: 'snmp_auth_failed', interfaces_polled: 0 });
    expect(by.get(dead.data.id)).toMatchObject({ reachable: false, error: 'snmp_timeout' });
    const v3 = [...by.values()].find((d: any) => d.name === 'snmp-v3-sha');
    expect(v3).toMatchObject({ reachable: true, interfaces_polled: 2 });

    const list = await t.call('snmp_interfaces', { device: String(v2) }, { method: 'GET' });
    expect(list.data.device).toMatchObject({ id: v2, reachable: true, sys_descr: 'RouterOS CCR2004-1G-12S+2XS', sys_name: 'lab-router' });
    expect(list.data.interfaces).toEqual([
      expect.objectContaining({ if_index: 1, name: 'ether1', alias: 'uplink', oper_status: 'up', speed_mbps: 1000, in_octets: '1000000', out_octets: '2000000', in_bps: null, rate_note: 'first_sample' }),
      expect.objectContaining({ if_index: 2, name: 'ether2', oper_status: 'down', speed_mbps: 100 }),
    ]);
    const wrongRow = await t.db('snmp_devices').where({ kind: 'router', ref_id: wrong.data.id }).first();
    expect(wrongRow).toMatchObject({ last_error: 'snmp_auth_failed' });
    expect(Boolean(wrongRow.reachable)).toBe(false);
    // Those two stay out of the rest of the file's cycles.
    await t.db('snmp_devices').whereIn('ref_id', [wrong.data.id, dead.data.id, sha256.data.id]).where({ kind: 'router' }).delete();
  });

  test('rates follow the counters the test moved, across a wrap and a reboot, never negative or absurd', async () => {
    lab.addCounters(1, 12_500_000n, 2_500_000n);
    expect((await t.call('snmp_collect', { device: String(v2) }, { method: 'GET' })).data.devices[0]).toMatchObject({ reachable: true });
    let i = await iface(v2, 1);
    expect(i).toMatchObject({ in_octets_delta: '12500000', out_octets_delta: '2500000', rate_note: 'ok', interval_ms: expect.any(Number) });
    expect(i.in_bps).toBe(expected(12_500_000n, i.interval_ms));
    expect(i.out_bps).toBe(expected(2_500_000n, i.interval_ms));

    // A jump the interface could not carry (a counter reset to a value near the top) gives no rate.
    lab.setCounters(1, MAX64 - 4000n, MAX64 - 3000n);
    await t.call('snmp_collect', { device: String(v2) });
    i = await iface(v2, 1);
    expect(i).toMatchObject({ in_bps: null, out_bps: null, rate_note: 'discontinuity' });

    // The counter wraps through 2^64: the delta is what was counted, not a negative number.
    lab.addCounters(1, 10_000n, 7_000n);
    await t.call('snmp_collect', { device: String(v2) });
    i = await iface(v2, 1);
    expect(i).toMatchObject({ in_octets: '6000', out_octets: '4000', in_octets_delta: '10000', out_octets_delta: '7000', rate_note: 'wrapped' });
    expect(i.in_bps).toBe(expected(10_000n, i.interval_ms));
    expect(i.in_bps).toBeGreaterThan(0);

    // Reboot: sysUpTime goes back and the counters restart; that interval has no rate, the next one does.
    await lab.reboot(100n);
    const after = (await t.call('snmp_collect', { device: String(v2) })).data.devices[0];
    expect(after).toMatchObject({ reachable: true });
    i = await iface(v2, 1);
    expect(i).toMatchObject({ in_octets: '100', in_bps: null, out_bps: null, rate_note: 'rebooted' });
    lab.addCounters(1, 1_000_000n, 500_000n);
    await t.call('snmp_collect', { device: String(v2) });
    i = await iface(v2, 1);
    expect(i).toMatchObject({ in_octets_delta: '1000000', rate_note: 'ok' });
    expect(i.in_bps).toBe(expected(1_000_000n, i.interval_ms));

    // Only real rates were stored as samples: none negative.
    const samples = await t.db('snmp_samples').where({ device_id: v2, if_index: 1 });
    expect(samples.length).toBe(3);
    for (const s of samples) expect(Number(s.in_bps)).toBeGreaterThanOrEqual(0);
  });

  test('snmp_history gives the series; old samples roll up into 5-minute averages and maxima and expire', async () => {
    const h = await t.call('snmp_history', { device: String(v2), interface: 'ether1', step: '60' }, { method: 'GET' });
    expect(h).toMatchObject({ ok: true, data: { device_id: v2, interface: { if_index: 1, name: 'ether1' }, step: 60 } });
    const total = h.data.points.reduce((a: number, p: { samples: number }) => a + p.samples, 0);
    expect(total).toBe(3);

    const old = (min: number) => new Date(Date.UTC(2026, 0, 10, 12, min, 0)).toISOString().slice(0, 19).replace('T', ' ');
    await t.db('snmp_samples').insert([
      { device_id: v2, if_index: 2, at: old(0), in_bps: 100, out_bps: 10 },
      { device_id: v2, if_index: 2, at: old(2), in_bps: 300, out_bps: 30 },
      { device_id: v2, if_index: 2, at: old(7), in_bps: 50, out_bps: 5 },
    ]);
    const now = new Date(Date.UTC(2026, 0, 13, 12, 0, 0));
    expect(await compactSamples(t.ctx(), now)).toMatchObject({ rolled: 3 });
    expect(await t.db('snmp_samples').where({ device_id: v2, if_index: 2 }).where('at', '<', '2026-02-01 00:00:00')).toHaveLength(0);
    const rolled = await t.db('snmp_rollups').where({ device_id: v2, if_index: 2 }).orderBy('bucket_at');
    expect(rolled.map((r) => [String(r.bucket_at), Number(r.samples), Number(r.in_avg), Number(r.in_max), Number(r.out_max)])).toEqual([
      ['2026-01-10 12:00:00', 2, 200, 300, 30],
      ['2026-01-10 12:05:00', 1, 50, 50, 5],
    ]);
    const hist = await t.call('snmp_history', { device: String(v2), interface: '2', from: '2026-01-10T11:00:00Z', to: '2026-01-10T13:00:00Z', step: '600' });
    expect(hist.data.points).toEqual([{ t: '2026-01-10T12:00:00.000Z', in_bps: 150, out_bps: 15, in_max_bps: 300, out_max_bps: 30, samples: 3 }]);
    // 90 days later the roll-ups are gone too.
    expect(await compactSamples(t.ctx(), new Date(Date.UTC(2026, 5, 1)))).toMatchObject({ expired: 2 });
  });

  test.each([
    [{ interface: 'ether1' }, 'missing_device'],
    [{ device: '999999', interface: 'ether1' }, 'device_not_found'],
    [{ device: 'DEV', interface: 'ether1' }, 'invalid_device'],
    [{ device: 'V2', interface: 'nope' }, 'interface_not_found'],
    [{ device: 'V2', interface: 'ether1', step: '10' }, 'invalid_step'],
    [{ device: 'V2', interface: 'ether1', from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', step: '60' }, 'invalid_step'],
    [{ device: 'V2', interface: 'ether1', from: 'yesterday' }, 'invalid_from'],
  ])('snmp_history refuses %j with %s', async (fields: Record<string, string>, code) => {
    const f = { ...fields, device: fields.device === 'V2' ? String(v2) : fields.device };
    expect(await t.call('snmp_history', f as Record<string, string>)).toMatchObject({ ok: false, error: code });
  });

  test('snmp_interfaces and snmp_collect refuse an unknown device', async () => {
    expect(await t.call('snmp_interfaces', {})).toMatchObject({ ok: false, error: 'missing_device' });
    expect(await t.call('snmp_interfaces', { device: '424242' })).toMatchObject({ ok: false, error: 'device_not_found' });
    expect(await t.call('snmp_collect', { device: 'x' })).toMatchObject({ ok: false, error: 'invalid_device' });
    expect(await t.call('snmp_collect', { device: '424242' })).toMatchObject({ ok: false, error: 'device_not_found' });
  });

  test('the scheduled job enqueues a cycle once per interval; a large fleet goes through the queue from snmp_collect', async () => {
    const job = monitoringJobs.find((j) => j.name === 'monitoring.snmp')!;
    const first = (await job.run(t.ctx())) as { job_id: string };
    expect(first.job_id).toEqual(expect.any(String));
    expect(await job.run(t.ctx())).toEqual({ skipped: true });
    const done = await t.ctx().jobs.wait(first.job_id, 20_000);
    expect(done).toMatchObject({ state: 'completed', result: { polled: 2, reachable: 2 } });

    for (let k = 0; k < 5; k++) await addRouter({ snmp_version: '2c', snmp_port: String(lab.port), snmp_community: 'ispgw-test' });
    const q = await t.call('snmp_collect', {});
    expect(q).toMatchObject({ ok: true, data: { job_id: expect.any(String), queued: true, devices: 7 } });
    const view = await t.ctx().jobs.wait(q.data.job_id, 20_000);
    expect(view).toMatchObject({ state: 'completed', result: { polled: 7, reachable: 7 } });
    const st = await t.call('job_status', { id: q.data.job_id }, { method: 'GET' });
    expect(st).toMatchObject({ ok: true, data: { state: 'completed', progress: { done: 7, total: 7 } } });
  });
});

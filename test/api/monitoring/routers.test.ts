import { makeTestApp, type TestApp } from '../../helpers/app';
import { testIf } from '../../helpers/skip';
import { FakeRouterOS } from '../../fakes/routeros-server';
import { startReceiver } from '../../fakes/webhook-receiver';
import { SnmpLab, snmpdAvailable } from '../../fakes/snmpd-lab';
import { probeRouters } from '../../../src/services/monitoring/routers';
import { monitoringJobs, routerProbeIntervalS } from '../../../src/services/monitoring/tasks';
import { allJobs } from '../../../src/jobs';

let t: TestApp;
let fake: FakeRouterOS;
let seq = 0;

beforeAll(async () => {
  fake = new FakeRouterOS({ users: { api: 'router-pass-1' } });
  await fake.listen();
  t = await makeTestApp({ env: { ROUTER_TIMEOUT_MS: '1500', ROUTER_OFFLINE_AFTER: '3', SNMP_TIMEOUT_MS: '800', SNMP_RETRIES: '0' } });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

async function closedPort(): Promise<number> {
  const f = new FakeRouterOS({ users: { api: 'router-pass-1' } });
  const p = await f.listen();
  await f.close();
  return p;
}

async function addRouter(fields: Record<string, string>) {
  seq += 1;
  const body = await t.call('add_router', {
    ip: '127.0.0.1',
    name: `mon-${seq}`,
    user: 'api',
    pass: 'router-pass-1',
    port: String(fake.port),
    radius_ip: `10.88.0.${seq}`,
    radius_secret: 'nas-secret',
    ...fields,
  });
  expect(body.ok).toBe(true);
  return body.data as { id: number; name: string };
}

describe('router_health', () => {
  test('an api-mode router answers from /system/resource and /system/health (RouterOS v7 sensor rows)', async () => {
    const r = await addRouter({ mode: 'api' });
    const body = await t.call('router_health', { router: String(r.id) }, { method: 'GET' });
    expect(body).toEqual({
      ok: true,
      data: [
        {
          router_id: r.id,
          name: r.name,
          source: 'routeros_api',
          cpu_load_percent: 3,
          memory_total_bytes: 268435456,
          memory_free_bytes: 123456789,
          disk_total_bytes: 134217728,
          disk_free_bytes: 90000000,
          temperature_c: 41,
          voltage_v: 24.1,
          uptime: '1w2d3h',
          uptime_s: 9 * 86400 + 3 * 3600,
          version: '7.16.2 (stable)',
          board_name: 'CHR',
          errors: [],
        },
      ],
    });
    expect(fake.commands('/system/health/print')).not.toHaveLength(0);
  });

  test('a router with neither the API mode nor SNMP says so; an unknown router is refused', async () => {
    const r = await addRouter({});
    const body = await t.call('router_health', { router: r.name });
    expect(body.data).toEqual([{ router_id: r.id, name: r.name, source: null, errors: [expect.objectContaining({ source: 'snmp', code: 'snmp_not_configured' })] }]);
    expect(await t.call('router_health', { router: 'no-such-router' })).toMatchObject({ ok: false, error: 'router_not_found' });
    expect(await t.call('router_health', { router: 'x'.repeat(101) })).toMatchObject({ ok: false, error: 'invalid_router' });
    const all = await t.call('router_health', {}, { method: 'GET' });
    expect(all.data.map((h: { router_id: number }) => h.router_id)).toEqual(expect.arrayContaining([r.id]));
  });

  testIf(snmpdAvailable(), 'snmpd is not installed (apt-get install snmpd; .ci/run installs it)')('a router with SNMP settings answers from HOST-RESOURCES-MIB of a real snmpd', async () => {
    const lab = await new SnmpLab('ispgw-test', [], [{ index: 1, name: 'ether1', speedMbps: 1000, in: 0n, out: 0n }]).start();
    try {
      const r = await addRouter({ snmp_version: '2c', snmp_port: String(lab.port), snmp_community: 'ispgw-test' });
      const [h] = (await t.call('router_health', { router: String(r.id) })).data;
      expect(h).toMatchObject({ router_id: r.id, source: 'snmp', errors: [], uptime_s: expect.any(Number), temperature_c: null });
      // snmpd's hrStorage lists the machine's RAM.
      expect(h.memory_total_bytes).toBeGreaterThan(0);
      expect(h.memory_free_bytes).toBeGreaterThanOrEqual(0);
      await t.call('edit_router', { id: String(r.id), snmp_version: 'none' });
      expect(await t.db('snmp_devices').where({ kind: 'router', ref_id: r.id })).toHaveLength(0);
    } finally {
      await lab.stop();
    }
  });
});

describe('router.offline / router.online', () => {
  test('announced once after N failed probes and once on recovery, to a webhook; flapping announces nothing', async () => {
    await t.db('routers').delete();
    const port = await (async () => {
      const f = new FakeRouterOS({ users: { api: 'router-pass-1' } });
      const p = await f.listen();
      await f.close();
      return p;
    })();
    let dev = new FakeRouterOS({ users: { api: 'router-pass-1' } });
    await dev.listen(port);
    const rx = await startReceiver();
    try {
      await t.call('webhook_create', { url: rx.url, events: ['router.offline', 'router.online'] });
      const r = await addRouter({ port: String(port) });
      const step = async () => (await probeRouters(t.ctx())).routers.find((x) => x.router_id === r.id)!;

      // The same probe stores what get_routers reads.
      const listed = async () => (await t.call('get_routers', {}, { method: 'GET' })).data.find((x: { id: number }) => x.id === r.id);
      expect(await step()).toMatchObject({ ok: true, status: 'online', state: 'online', event: null });
      const seen = (await listed()).last_seen_at;
      expect(await listed()).toMatchObject({ status: 'online', error: null, last_seen_at: expect.any(String), checked_at: expect.any(String) });
      await dev.close();
      expect(await step()).toMatchObject({ ok: false, status: 'offline', state: 'online', consecutive_failures: 1, event: null });
      expect(await listed()).toMatchObject({ status: 'offline', error: 'router_unreachable', last_seen_at: seen });
      expect(await step()).toMatchObject({ ok: false, state: 'online', consecutive_failures: 2, event: null });
      expect(await step()).toMatchObject({ ok: false, state: 'offline', consecutive_failures: 3, event: 'router.offline' });
      expect(await step()).toMatchObject({ ok: false, state: 'offline', consecutive_failures: 4, event: null });
      dev = new FakeRouterOS({ users: { api: 'router-pass-1' } });
      await dev.listen(port);
      expect(await step()).toMatchObject({ ok: true, state: 'online', event: 'router.online' });
      expect(await listed()).toMatchObject({ status: 'online', error: null });
      expect(await step()).toMatchObject({ ok: true, state: 'online', event: null });

      // Flapping below the threshold: down, down, up, down, down, up — nothing to announce.
      let listening = true;
      for (const up of [false, false, true, false, false, true]) {
        if (!up && listening) await dev.close();
        if (up && !listening) {
          dev = new FakeRouterOS({ users: { api: 'router-pass-1' } });
          await dev.listen(port);
        }
        listening = up;
        expect((await step()).event).toBeNull();
      }

      expect(await t.db('outbox_events').whereIn('event', ['router.offline', 'router.online']).orderBy('id').pluck('event')).toEqual(['router.offline', 'router.online']);
      expect(await t.rt.webhooks.runOnce(t.db)).toEqual({ delivered: 2, failed: 0 });
      const payloads = rx.received.map((x) => JSON.parse(x.body));
      expect(payloads).toEqual([
        expect.objectContaining({ event: 'router.offline', data: expect.objectContaining({ router_id: r.id, name: r.name, consecutive_failures: 3, last_error: 'router_unreachable' }) }),
        expect.objectContaining({ event: 'router.online', data: expect.objectContaining({ router_id: r.id }) }),
      ]);
      const row = await t.db('router_liveness').where({ router_id: r.id }).first();
      expect(row).toMatchObject({ state: 'online', consecutive_failures: 0 });
    } finally {
      await dev.close().catch(() => {});
      await rx.close();
    }
  });

  test('one scheduled probe job stores get_routers status and the liveness; the old task name runs the same probe', async () => {
    // One schedule probes routers: the network area's former `routers.probe` is gone.
    expect(allJobs().map((j) => j.name).filter((n) => /probe/.test(n))).toEqual(['monitoring.router_probe']);
    // Its interval is ROUTER_PROBE_INTERVAL_S; the former ROUTER_PROBE_MS still sets it when given.
    expect(routerProbeIntervalS({ ROUTER_PROBE_INTERVAL_S: 60, ROUTER_PROBE_MS: undefined })).toBe(60);
    expect(routerProbeIntervalS({ ROUTER_PROBE_INTERVAL_S: 60, ROUTER_PROBE_MS: 120_000 })).toBe(120);
    const job = monitoringJobs.find((j) => j.name === 'monitoring.router_probe')!;
    const out = (await job.run(t.ctx())) as { job_id: string };
    const view = await t.ctx().jobs.wait(out.job_id, 20_000);
    const n = Number((await t.db('routers').count({ n: '*' }))[0].n);
    expect(view).toMatchObject({ state: 'completed', result: { probed: n, routers: expect.any(Array) }, progress: { done: n, total: n } });
    expect(await job.run(t.ctx())).toEqual({ skipped: true });

    // A router that stopped answering: the legacy task name and the new one run one probe with one state machine,
    // so whichever name queued it, router.offline is emitted once.
    const gone = await addRouter({ port: String(await closedPort()) });
    const events = async () =>
      (await t.db('outbox_events').where({ event: 'router.offline' }).pluck('payload')).filter((p: string) => JSON.parse(p).data.router_id === gone.id).length;
    for (const task of ['network.probe_routers', 'monitoring.router_probe', 'network.probe_routers', 'monitoring.router_probe']) {
      const j = await t.ctx().jobs.enqueue(task, { router_ids: [gone.id] });
      expect(await t.ctx().jobs.wait(j.id, 20_000)).toMatchObject({ state: 'completed', result: { probed: 1, routers: [expect.objectContaining({ router_id: gone.id, status: 'offline' })] } });
    }
    expect(await events()).toBe(1);
    expect(await t.db('router_liveness').where({ router_id: gone.id }).first()).toMatchObject({ state: 'offline', consecutive_failures: 4 });
    expect(await t.db('routers').where({ id: gone.id }).first()).toMatchObject({ status: 'offline', status_error: 'router_unreachable', last_seen_at: null });
  });
});

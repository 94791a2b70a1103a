import { counterRate, COUNTER64_MOD } from '../../src/domain/counter-rate';
import { nextLiveness, type Liveness } from '../../src/domain/liveness';
import { routerOsDuration, parseHealth } from '../../src/services/monitoring/routers';

const r = (octets: bigint | null, atMs: number, uptimeTicks: number | null = 1000) => ({ octets, atMs, uptimeTicks });

test.each([
  ['first sample', null, r(100n, 1000), 1000, { bps: null, note: 'first_sample' }],
  ['plain delta', r(0n, 0), r(1_250_000n, 1000, 1100), 1000, { bps: 10_000_000n, delta: 1_250_000n, note: 'ok' }],
  ['wrap through 2^64', r(COUNTER64_MOD - 500n, 0), r(500n, 1000, 1100), 1000, { bps: 8000n, delta: 1000n, note: 'wrapped' }],
  ['reboot (sysUpTime back)', r(5_000_000n, 0, 90_000), r(100n, 1000, 50), 1000, { bps: null, note: 'rebooted' }],
  ['faster than the interface', r(0n, 0), r(10_000_000_000n, 1000, 1100), 1000, { bps: null, note: 'discontinuity' }],
  ['no time passed', r(0n, 1000), r(10n, 1000), 1000, { bps: null, note: 'no_time' }],
  ['no counter', r(0n, 0), r(null, 1000), 1000, { bps: null, note: 'no_counter' }],
])('counterRate: %s', (_name, prev, cur, speed, want) => {
  expect(counterRate(prev, cur, speed)).toMatchObject(want);
});

test('liveness: offline once after the threshold, online once on recovery, silent while flapping', () => {
  let s: Liveness = { state: 'unknown', failures: 0 };
  const events: Array<string | null> = [];
  for (const ok of [true, false, false, true, false, false, false, false, true, true]) {
    const n = nextLiveness(s, ok, 3);
    events.push(n.event);
    s = n;
  }
  expect(events).toEqual([null, null, null, null, null, null, 'router.offline', null, 'router.online', null]);
  expect(nextLiveness({ state: 'unknown', failures: 2 }, false, 3)).toMatchObject({ state: 'offline', event: 'router.offline' });
});

test('RouterOS durations and /system/health in both shapes', () => {
  expect(routerOsDuration('1w2d3h4m5s')).toBe(((9 * 24 + 3) * 60 + 4) * 60 + 5);
  expect(routerOsDuration('')).toBeNull();
  expect(routerOsDuration('soon')).toBeNull();
  expect(parseHealth([{ name: 'voltage', value: '24.1', type: 'V' }, { name: 'cpu-temperature', value: '50', type: 'C' }])).toEqual({ voltage_v: 24.1, temperature_c: 50 });
  expect(parseHealth([{ voltage: '12.3', temperature: '33' }])).toEqual({ voltage_v: 12.3, temperature_c: 33 });
});

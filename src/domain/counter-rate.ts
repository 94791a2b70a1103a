/**
 * Rates from two readings of a 64-bit octet counter. Pure: no IO.
 *
 * - counter went up: delta / time;
 * - counter went down while the device stayed up (sysUpTime grew): a wrap at 2^64, delta = 2^64 - prev + cur;
 * - sysUpTime went back: the device rebooted and its counters restarted from 0, so there is no rate for this
 *   interval (the new reading becomes the baseline);
 * - a rate above what the interface can carry (ifHighSpeed, with headroom; 1 Tbit/s when unknown) is a counter
 *   reset or discontinuity, not traffic: no rate either.
 */
export const COUNTER64_MOD = 1n << 64n;
const UNKNOWN_SPEED_CEILING_BPS = 1_000_000_000_000n;

export type RateNote = 'ok' | 'first_sample' | 'wrapped' | 'rebooted' | 'discontinuity' | 'no_counter' | 'no_time';

export interface CounterRate {
  bps: bigint | null;
  delta: bigint | null;
  note: RateNote;
}

export interface Reading {
  octets: bigint | null;
  atMs: number;
  uptimeTicks: number | null;
}

export function counterRate(prev: Reading | null, cur: Reading, speedMbps: number | null): CounterRate {
  if (cur.octets === null) return { bps: null, delta: null, note: 'no_counter' };
  if (!prev || prev.octets === null) return { bps: null, delta: null, note: 'first_sample' };
  if (prev.uptimeTicks !== null && cur.uptimeTicks !== null && cur.uptimeTicks < prev.uptimeTicks) {
    return { bps: null, delta: null, note: 'rebooted' };
  }
  const dtMs = cur.atMs - prev.atMs;
  if (dtMs <= 0) return { bps: null, delta: null, note: 'no_time' };
  let delta = cur.octets - prev.octets;
  let note: RateNote = 'ok';
  if (delta < 0n) {
    delta += COUNTER64_MOD;
    note = 'wrapped';
  }
  const bps = (delta * 8n * 1000n) / BigInt(dtMs);
  const ceiling = speedMbps && speedMbps > 0 ? (BigInt(speedMbps) * 1_000_000n * 11n) / 10n : UNKNOWN_SPEED_CEILING_BPS;
  if (bps > ceiling) return { bps: null, delta: null, note: 'discontinuity' };
  return { bps, delta, note };
}

/**
 * Speeds and MikroTik rate-limit strings. Rates are integers in bits per second everywhere inside ispgate;
 * text forms ('100M', '512k') exist only at the edges (API input, RADIUS replies, RouterOS queues).
 *
 * Direction: MikroTik writes every pair from the router's point of view, rx/tx, which is the subscriber's
 * upload/download. So every "A/B" pair built here is upload first, download second — for Mikrotik-Rate-Limit
 * and for a simple queue's max-limit alike. Swapping them silently gives a 100M-down plan 10M down.
 */

const UNIT: Record<string, number> = { '': 1, k: 1_000, m: 1_000_000, g: 1_000_000_000 };

/** '100M' | '512k' | '1G' | '1.5M' | '64000' → bits/s; null when it is not a speed. */
export function parseRate(input: string | number): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:bps|b)?\s*$/.exec(input);
  if (!m) return null;
  const value = Number(m[1]) * UNIT[m[2].toLowerCase()];
  const bps = Math.round(value);
  // '1.1k' is 1100.0000000000002 in floating point (fine); '1.0005k' is a fraction of a bit (not a speed).
  if (!Number.isSafeInteger(bps) || Math.abs(value - bps) > 1e-6) return null;
  return bps;
}

/**
 * bits/s → the shortest exact MikroTik text. Only k and M are used: those are the units the RADIUS
 * Mikrotik-Rate-Limit grammar defines; a queue accepts them too, so one form serves both.
 */
export function formatRate(bps: number): string {
  if (!Number.isSafeInteger(bps) || bps < 0) throw new RangeError(`not a rate: ${bps}`);
  if (bps !== 0 && bps % 1_000_000 === 0) return `${bps / 1_000_000}M`;
  if (bps !== 0 && bps % 1_000 === 0) return `${bps / 1_000}k`;
  return String(bps);
}

export interface RatePair {
  upload: number;
  download: number;
}

/** 'U/D' or one value for both directions ('15M' → 15M/15M), as MikroTik reads a missing tx. */
export function parseRatePair(input: string): RatePair | null {
  const parts = input.trim().split('/');
  if (parts.length < 1 || parts.length > 2) return null;
  const up = parseRate(parts[0]);
  const down = parseRate(parts.length === 2 ? parts[1] : parts[0]);
  if (up === null || down === null) return null;
  return { upload: up, download: down };
}

export function formatRatePair(p: RatePair): string {
  return `${formatRate(p.upload)}/${formatRate(p.download)}`;
}

export interface SecondsPair {
  upload: number;
  download: number;
}

/** '16s/16s' | '16/8' | '16' | '1m' → whole seconds per direction; null when malformed. */
export function parseSecondsPair(input: string): SecondsPair | null {
  const one = (s: string): number | null => {
    const m = /^\s*(\d+)\s*(s|m|h)?\s*$/i.exec(s);
    if (!m) return null;
    const mult = { s: 1, m: 60, h: 3600 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h'];
    const v = Number(m[1]) * mult;
    return Number.isSafeInteger(v) ? v : null;
  };
  const parts = input.trim().split('/');
  if (parts.length > 2) return null;
  const up = one(parts[0]);
  const down = one(parts.length === 2 ? parts[1] : parts[0]);
  if (up === null || down === null) return null;
  return { upload: up, download: down };
}

export interface SpeedProfile {
  rate: RatePair;
  burst?: RatePair | null;
  threshold?: RatePair | null;
  burstTime?: SecondsPair | null;
  /** 1 (highest) … 8 (lowest, MikroTik's default). */
  priority?: number | null;
}

export class SpeedProfileError extends Error {
  constructor(
    readonly field: 'download' | 'upload' | 'burst_limit' | 'burst_threshold' | 'burst_time' | 'priority',
    message: string,
  ) {
    super(message);
  }
}

/** Rejects profiles a router would take but that cannot be what the operator meant. */
export function checkSpeedProfile(p: SpeedProfile): void {
  if (p.rate.download <= 0) throw new SpeedProfileError('download', 'The download speed must be above zero, e.g. "100M".');
  if (p.rate.upload <= 0) throw new SpeedProfileError('upload', 'The upload speed must be above zero, e.g. "10M".');
  if (p.priority != null && (!Number.isInteger(p.priority) || p.priority < 1 || p.priority > 8)) {
    throw new SpeedProfileError('priority', 'The priority must be a whole number from 1 (highest) to 8 (lowest).');
  }
  if (p.burst) {
    // A burst at or below the sustained rate never lets the subscriber go faster, so it is a typo.
    if (p.burst.upload <= p.rate.upload || p.burst.download <= p.rate.download) {
      throw new SpeedProfileError('burst_limit', 'The burst limit must be above the plan speed in both directions, e.g. "15M/120M" for a 10M/100M plan.');
    }
    // Bursting is allowed while the average rate is below the threshold. The average can never exceed the burst
    // limit, so a threshold at or above it makes the burst permanent: the plan silently sells the burst speed.
    // (A threshold between the speed and the burst is legitimate: MikroTik's own 64k/256k example uses 128k.)
    if (p.threshold && (p.threshold.upload >= p.burst.upload || p.threshold.download >= p.burst.download)) {
      throw new SpeedProfileError('burst_threshold', 'The burst threshold must be below the burst limit in both directions, e.g. "8M/80M" for a 15M/120M burst.');
    }
  } else if (p.threshold || p.burstTime) {
    throw new SpeedProfileError('burst_limit', 'A burst threshold or burst time needs a burst limit too.');
  }
}

/**
 * The Mikrotik-Rate-Limit reply value (vendor 14988, attribute 8). Fields are positional, so a priority without
 * a burst still needs the burst fields written as zeros; MikroTik treats a zero burst as "no burst".
 */
export function buildRateLimit(p: SpeedProfile): string {
  checkSpeedProfile(p);
  const base = formatRatePair(p.rate);
  const prio = p.priority ?? 8;
  if (!p.burst) return prio === 8 ? base : `${base} 0/0 0/0 0/0 ${prio}`;
  const threshold = p.threshold ?? p.rate;
  const time = p.burstTime ?? { upload: 1, download: 1 };
  return `${base} ${formatRatePair(p.burst)} ${formatRatePair(threshold)} ${time.upload}/${time.download} ${prio}`;
}

/** The same profile as /queue/simple fields (RouterOS API attribute names). */
export function buildQueueFields(p: SpeedProfile): Record<string, string> {
  checkSpeedProfile(p);
  const prio = p.priority ?? 8;
  const fields: Record<string, string> = {
    'max-limit': formatRatePair(p.rate),
    priority: `${prio}/${prio}`,
  };
  if (p.burst) {
    const threshold = p.threshold ?? p.rate;
    const time = p.burstTime ?? { upload: 1, download: 1 };
    fields['burst-limit'] = formatRatePair(p.burst);
    fields['burst-threshold'] = formatRatePair(threshold);
    fields['burst-time'] = `${time.upload}s/${time.download}s`;
  } else {
    // Explicit zeros so that editing a plan to drop its burst also clears it on the router.
    fields['burst-limit'] = '0/0';
    fields['burst-threshold'] = '0/0';
    fields['burst-time'] = '0s/0s';
  }
  return fields;
}

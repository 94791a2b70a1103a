/** Wall-clock ↔ UTC conversions for the installation's time zone (IANA), DST included, without a library. */

function offsetMs(tz: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(utcMs / 1000) * 1000;
}

/** Unix seconds of local midnight starting `date` (YYYY-MM-DD) in `tz`. */
export function localMidnightUnix(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetMs(tz, guess);
  t = guess - offsetMs(tz, t);
  return Math.floor(t / 1000);
}

export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** MOR's "2026-01-16 07:18:42" with its `<timezone>GMT +02:00</timezone>` as ISO-8601 UTC. */
export function morDateToIso(local: string | undefined, zone: string | undefined): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(local ?? '').trim());
  if (!m) return null;
  const z = /([+-])(\d{1,2}):?(\d{2})/.exec(String(zone ?? ''));
  const off = z ? (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) : 0;
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - off * 60_000;
  return new Date(utc).toISOString().replace('.000Z', 'Z');
}

/**
 * Time is one thing: instants are stored in UTC, and every date a person or an authority reads (activation day,
 * pro rata, invoice, due and payment dates, dunning) is the calendar day in the installation's time zone
 * (settings `timezone`, Europe/Athens by default). A subscriber activated at 00:30 Athens time on 1 December
 * is a December subscriber, although it is still 30 November in UTC.
 */
export const DEFAULT_TIMEZONE = 'Europe/Athens';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** A database DATETIME ('YYYY-MM-DD HH:MM:SS', UTC), an ISO string or a Date → the instant. */
export function toInstant(v: Date | string): Date {
  if (v instanceof Date) return v;
  const s = String(v).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(`${s}T00:00:00Z`);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) return new Date(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  return new Date(s);
}

function parts(instant: Date, tz: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, string> = {};
  for (const x of formatter(tz).formatToParts(instant)) p[x.type] = x.value;
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second) };
}

/** The calendar day 'YYYY-MM-DD' of an instant in the zone. */
export function calendarDay(instant: Date | string, tz: string = DEFAULT_TIMEZONE): string {
  const t = toInstant(instant);
  if (Number.isNaN(t.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  const p = parts(t, tz);
  return `${String(p.y).padStart(4, '0')}-${String(p.mo).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** How far the zone's wall clock is ahead of UTC at that instant, in milliseconds. */
export function offsetMs(instant: Date, tz: string): number {
  const p = parts(instant, tz);
  const wall = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a calendar day begins in the zone (its first wall-clock second; on a day whose midnight a DST
 * change skips, the first second that exists). Used to turn "activated on or before day X" into a UTC bound.
 */
export function dayStart(day: string, tz: string = DEFAULT_TIMEZONE): Date {
  const [y, mo, d] = day.slice(0, 10).split('-').map(Number);
  const wall = Date.UTC(y, mo - 1, d);
  let guess = wall - offsetMs(new Date(wall), tz);
  guess = wall - offsetMs(new Date(guess), tz);
  // A skipped midnight leaves the guess on the previous day: step to the first instant of this one.
  if (calendarDay(new Date(guess), tz) < day.slice(0, 10)) guess += 3600_000;
  return new Date(guess);
}

/** 'YYYY-MM-DD' plus n days (calendar arithmetic, no zone involved). */
export function addCalendarDays(day: string, n: number): string {
  const d = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** 'YYYY-MM' plus n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

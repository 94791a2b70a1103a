/** Dates, money and numbers in the installation's locale and timezone (from get_settings), in the chosen language. */
let timeZone = 'Europe/Athens';
let currency = 'EUR';

export function setInstallation(s: { timezone?: string | null; currency?: string | null }) {
  if (s.timezone) timeZone = s.timezone;
  if (s.currency) currency = s.currency;
}

const tag = (locale: string) => (locale === 'el' ? 'el-GR' : 'en-GB');

/**
 * This month (YYYY-MM) in the installation's calendar, not the browser's or UTC's: at 00:30 on the 1st in Athens
 * the month to bill or total is the new one, whatever the clock of the machine the panel runs on says.
 */
export function installationMonth(now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(now);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

export function money(locale: string, value: unknown, cents = false): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return new Intl.NumberFormat(tag(locale), { style: 'currency', currency }).format(cents ? n / 100 : n);
}

export function number(locale: string, value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) ? new Intl.NumberFormat(tag(locale)).format(n) : '—';
}

export function dateTime(locale: string, value: unknown): string {
  if (!value) return '—';
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(tag(locale), { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function date(locale: string, value: unknown): string {
  if (!value) return '—';
  const s = String(value);
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T12:00:00Z` : s);
  if (Number.isNaN(d.getTime())) return s;
  return new Intl.DateTimeFormat(tag(locale), { timeZone, dateStyle: 'medium' }).format(d);
}

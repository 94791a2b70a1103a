import { z } from 'zod';

/**
 * Field types for form-encoded input, where everything arrives as a string and PHP panels send "" for
 * an untouched optional field.
 *
 * An empty form field ('' or null) reads as not sent: the one `blank` preprocessor for every input schema.
 */
export const blank = (v: unknown) => (v === '' || v === null ? undefined : v);
const blankToUndefined = blank;

/**
 * Integers arrive as a JSON integer or a string of decimal digits, nothing else. `z.coerce.number()` turned
 * JSON `true` into 1, "0x10" into 16 and "1e3" into 1000, so `{"id":true}` addressed record 1.
 */
const INT_TEXT = /^-?\d{1,15}$/;
export function strictInt(v: unknown): unknown {
  if (typeof v === 'string' && INT_TEXT.test(v.trim())) return Number(v.trim());
  return v;
}
/** An integer field (build the bounds on top: `int().min(1).max(8)`). */
export const int = () => z.preprocess(strictInt, z.number().int().safe());
/** The same as {@link int} for an optional field; "" and null mean absent. */
export const optionalInt = (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess((v) => strictInt(blankToUndefined(v)), z.number().int().min(min).max(max).optional());

export const id = z.preprocess(strictInt, z.number().int().positive().safe());
export const optionalId = z.preprocess((v) => strictInt(blankToUndefined(v)), z.number().int().positive().safe().optional());

/**
 * A calendar date 'YYYY-MM-DD' that exists (2026-02-30, 2026-13-01 and 0000-00-00 do not) and that both
 * databases can store (MariaDB's DATE starts at 1000-01-01). The one place dates are validated.
 */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}
export const date = z.string().trim().refine(isCalendarDate, 'use a real calendar date YYYY-MM-DD');
export const optionalDate = z.preprocess(blankToUndefined, date.optional());
export const text = (max = 255) => z.string().trim().min(1).max(max);
export const optionalText = (max = 255) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional());
/** An optional field where "" means "clear it" (null) rather than "leave it". */
export const clearableText = (max = 255) =>
  z.preprocess((v) => (v === '' ? null : v), z.string().trim().max(max).nullable().optional());
export const bool = z.preprocess((v) => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  }
  return v;
}, z.boolean());
export const optionalBool = z.preprocess(blankToUndefined, bool.optional());
export const page = z.preprocess((v) => strictInt(blankToUndefined(v)), z.number().int().min(1).max(1_000_000).default(1));
export const perPage = (max = 100, def = 25) => z.preprocess((v) => strictInt(blankToUndefined(v)), z.number().int().min(1).max(max).default(def));
/** `ids[]=1&ids[]=2`, `ids=1,2` or a JSON array body all become number[]. */
export const idList = z.preprocess((v) => {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.values(v);
  return v;
}, z.array(id).min(1).max(1000, 'at most 1000 ids in one request'));
/** `events[]=a&events[]=b`, `events=a,b`. */
export const stringList = z.preprocess((v) => {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.values(v);
  return v;
}, z.array(z.string().trim().min(1).max(255)).min(1).max(1000, 'at most 1000 entries in one request'));

export { Page } from './envelope';

/** An IANA time zone (Europe/Athens …), optional; "" means not given. */
export const optionalTimezone = z.preprocess(
  blank,
  z
    .string()
    .max(64)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Athens')
    .optional(),
);

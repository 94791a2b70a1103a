import { z } from 'zod';

/**
 * Field types for form-encoded input, where everything arrives as a string and PHP panels send "" for
 * an untouched optional field.
 */
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

export const id = z.coerce.number().int().positive();
export const optionalId = z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional());
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
export const page = z.preprocess(blankToUndefined, z.coerce.number().int().min(1).default(1));
export const perPage = (max = 100, def = 25) => z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(max).default(def));
/** `ids[]=1&ids[]=2`, `ids=1,2` or a JSON array body all become number[]. */
export const idList = z.preprocess((v) => {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.values(v);
  return v;
}, z.array(z.coerce.number().int().positive()).min(1).max(1000, 'at most 1000 ids in one request'));
/** `events[]=a&events[]=b`, `events=a,b`. */
export const stringList = z.preprocess((v) => {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.values(v);
  return v;
}, z.array(z.string().trim().min(1).max(255)).min(1).max(1000, 'at most 1000 entries in one request'));

export function paginate(pageNo: number, per: number, total: number) {
  return { current_page: pageNo, per_page: per, total, last_page: Math.max(1, Math.ceil(total / per)) };
}

export { Page } from './envelope';

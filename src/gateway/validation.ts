import type { z } from 'zod';
import { AppError } from '../errors';

type Issue = z.core.$ZodIssue;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = any;

/** zod's own wording ("Invalid input: expected number, received NaN"); a message our schemas set is kept as written. */
const ZOD_DEFAULT = /^(Invalid|Too small|Too big|Expected|Unrecognized|Required)\b/;

/** Through optional/default/preprocess wrappers to the schema that judges the value. */
function unwrap(s: AnySchema): AnySchema {
  for (let i = 0; i < 20 && s?._zod?.def; i++) {
    const def = s._zod.def;
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe') s = def.out?._zod?.def?.type === 'transform' ? def.in : def.out;
    else break;
  }
  return s;
}

function fieldSchema(schema: AnySchema, path: PropertyKey[]): AnySchema {
  let s = unwrap(schema);
  for (const k of path) {
    const def = s?._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object') s = unwrap(def.shape?.[k as string]);
    else if (def.type === 'array') s = unwrap(def.element);
    else if (def.type === 'record') s = unwrap(def.valueType);
    else return undefined;
  }
  return s;
}

function isWhole(s: AnySchema): boolean {
  return Boolean(s?.isInt || s?.format === 'safeint' || s?.format === 'int32' || s?.format === 'uint32');
}

const plural = (n: unknown, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

/** One sentence (without the field name) for each zod issue code, written for the person who sent the form. */
export function reasonFor(issue: Issue, schema?: AnySchema): string {
  if (issue.code === 'custom' || (issue.message && !ZOD_DEFAULT.test(issue.message))) return issue.message;
  const target = schema ? fieldSchema(schema, issue.path) : undefined;
  const i = issue as Issue & Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = String(i.expected);
      if (expected === 'int' || (expected === 'number' && isWhole(target))) return 'must be a whole number';
      if (expected === 'number' || expected === 'bigint') return 'must be a number';
      if (expected === 'boolean') return 'must be yes or no (1/0, true/false, on/off)';
      if (expected === 'string') return 'must be text';
      if (expected === 'array') return 'must be a list (field[]=a&field[]=b)';
      if (expected === 'object' || expected === 'record') return 'must be a set of named values (field[name]=value)';
      if (expected === 'date') return 'must be a date';
      return 'has the wrong type';
    }
    case 'too_small': {
      const min = i.minimum as number;
      if (i.origin === 'string') return Number(min) <= 1 ? 'must not be empty' : `must be at least ${plural(min, 'character', 'characters')} long`;
      if (i.origin === 'array' || i.origin === 'set') return `must have at least ${plural(min, 'entry', 'entries')}`;
      if (i.origin === 'date') return `must not be before ${String(min)}`;
      if (!i.inclusive && Number(min) === 0) return isWhole(target) ? 'must be a whole number greater than 0' : 'must be greater than 0';
      return i.inclusive ? `must be at least ${min}` : `must be greater than ${min}`;
    }
    case 'too_big': {
      const max = i.maximum as number;
      if (i.origin === 'string') return `must be at most ${plural(max, 'character', 'characters')} long`;
      if (i.origin === 'array' || i.origin === 'set') return `must have at most ${plural(max, 'entry', 'entries')}`;
      if (i.origin === 'date') return `must not be after ${String(max)}`;
      return i.inclusive ? `must be at most ${max}` : `must be less than ${max}`;
    }
    case 'invalid_format': {
      const f = String(i.format);
      if (f === 'email') return 'must be an e-mail address';
      if (f === 'url') return 'must be a URL such as https://example.com/path';
      if (f === 'date') return 'must be a date written YYYY-MM-DD';
      if (f === 'datetime') return 'must be a date and time written YYYY-MM-DDTHH:MM:SSZ';
      if (f === 'time') return 'must be a time written HH:MM[:SS]';
      if (f === 'starts_with') return `must start with "${String(i.prefix)}"`;
      if (f === 'ends_with') return `must end with "${String(i.suffix)}"`;
      if (f === 'includes') return `must contain "${String(i.includes)}"`;
      if (f === 'regex') return 'is not in the expected format';
      return `must be a valid ${f.replace(/_/g, ' ')}`;
    }
    case 'invalid_value': {
      const values = (i.values as unknown[]) ?? [];
      if (values.length === 1) return `must be ${JSON.stringify(values[0])}`;
      return `must be one of: ${values.slice(0, 20).map((v) => String(v)).join(', ')}${values.length > 20 ? ', …' : ''}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(i.divisor)}`;
    case 'unrecognized_keys':
      return `has unknown entries: ${((i.keys as string[]) ?? []).slice(0, 10).join(', ')}`;
    case 'invalid_key':
      return 'has an entry with an invalid name';
    case 'invalid_element':
      return 'has an invalid entry';
    case 'invalid_union':
      return 'is not in any accepted form';
    default:
      return 'is not valid';
  }
}

/** `lines.0.unit_price` → `lines[0][unit_price]`, as the form that sent it spells it. */
function formName(path: PropertyKey[]): string {
  if (!path.length) return 'input';
  return String(path[0]) + path.slice(1).map((p) => `[${String(p)}]`).join('');
}

/**
 * zod issues → the contract's codes: `missing_<field>` when the field was absent or blank, `invalid_<field>`
 * otherwise; the message is a sentence naming the field (`id must be a whole number.`) and every failing field
 * is listed in details with its reason.
 */
export function validationError(err: z.ZodError, raw: Record<string, unknown>, schema?: z.ZodType): AppError {
  const details: Record<string, string> = {};
  let first: { code: string; message: string } | null = null;
  for (const issue of err.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : 'input';
    const top = String(issue.path[0] ?? 'input');
    const v = raw[top];
    const absent = issue.path.length <= 1 && (v === undefined || v === null || (typeof v === 'string' && v.trim() === ''));
    const reason = absent ? 'is required' : reasonFor(issue, schema);
    const code = absent ? `missing_${top}` : `invalid_${top}`;
    if (!details[field]) details[field] = absent ? 'required' : reason;
    if (!first) first = { code, message: `${formName(issue.path)} ${reason}.` };
  }
  return new AppError(first?.code ?? 'invalid_input', first?.message ?? 'The input is invalid.', 422, { details });
}

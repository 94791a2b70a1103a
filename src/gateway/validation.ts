import type { z } from 'zod';
import { AppError } from '../errors';

/**
 * zod issues → the contract's codes: `missing_<field>` when the field was absent or blank,
 * `invalid_<field>` otherwise; every failing field is listed in details.
 */
export function validationError(err: z.ZodError, raw: Record<string, unknown>): AppError {
  const details: Record<string, string> = {};
  let first: { code: string; message: string } | null = null;
  for (const issue of err.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : 'input';
    const top = String(issue.path[0] ?? 'input');
    const v = raw[top];
    const absent = v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
    const code = absent && issue.path.length <= 1 ? `missing_${top}` : `invalid_${top}`;
    const message = absent && issue.path.length <= 1 ? `The field "${top}" is required.` : `The field "${field}" is invalid: ${issue.message}`;
    if (!details[field]) details[field] = absent && issue.path.length <= 1 ? 'required' : issue.message;
    if (!first) first = { code, message };
  }
  return new AppError(first?.code ?? 'invalid_input', first?.message ?? 'The input is invalid.', 422, { details });
}

import { parse } from 'csv-parse/sync';
import { DomainError } from '../errors';
import { parseMoney, type Cents } from './money';
import { compactRf, isValidRf } from './rf-code';

/**
 * DIAS reconciliation file from the sponsor bank: one payment per line with the RF code, amount, value date and
 * the bank's own reference. The layout is bank-specific, so the parser accepts ',' or ';' separators, an
 * optional header row, '12.50' or '12,50' amounts and YYYY-MM-DD or DD/MM/YYYY dates, and reports every line it
 * cannot read instead of failing the whole file (a bank file is never edited by hand before import).
 */
export interface DiasRow {
  line: number;
  rfCode: string;
  amountCents: Cents;
  date: string;
  bankReference: string;
}

export interface DiasParseResult {
  rows: DiasRow[];
  errors: { line: number; reason: string; raw: string }[];
}

export const DIAS_MAX_BYTES = 5 * 1024 * 1024;

function detectDelimiter(firstLine: string): ',' | ';' | '\t' {
  const counts = { ';': firstLine.split(';').length, '\t': firstLine.split('\t').length, ',': firstLine.split(',').length };
  if (counts[';'] >= 4) return ';';
  if (counts['\t'] >= 4) return '\t';
  return ',';
}

function parseDate(s: string): string | null {
  const t = s.trim();
  let y: number, m: number, d: number;
  let mm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (mm) [y, m, d] = [Number(mm[1]), Number(mm[2]), Number(mm[3])];
  else if ((mm = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(t))) [d, m, y] = [Number(mm[1]), Number(mm[2]), Number(mm[3])];
  else return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

export function parseDiasCsv(content: string | Buffer): DiasParseResult {
  const text = (Buffer.isBuffer(content) ? content.toString('utf8') : content).replace(/^\uFEFF/, '');
  if (Buffer.byteLength(text) > DIAS_MAX_BYTES) {
    throw new DomainError('file_too_large', 'The DIAS file is larger than 5 MB; split it by day.', { kind: 'too_large' });
  }
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  if (!firstLine) throw new DomainError('empty_file', 'The DIAS file is empty.', { details: { file: 'empty' } });
  let records: string[][];
  try {
    records = parse(text, { delimiter: detectDelimiter(firstLine), relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    throw new DomainError('invalid_file', `The DIAS file is not valid CSV: ${(e as Error).message}`, { details: { file: 'not CSV' }, cause: e });
  }
  const result: DiasParseResult = { rows: [], errors: [] };
  records.forEach((original, i) => {
    const line = i + 1;
    let rec = original;
    // Banks export Greek decimals unquoted in comma files ("12,50" becomes two cells); stitch them back.
    if (rec.length === 5 && /^\d+$/.test(rec[1]) && /^\d{1,2}$/.test(rec[2])) rec = [rec[0], `${rec[1]},${rec[2]}`, rec[3], rec[4]];
    const raw = original.join(',');
    // A header row is recognised by holding neither an RF code nor an amount.
    if (i === 0 && !isValidRf(rec[0] ?? '') && !/^\d/.test(rec[1] ?? '')) return;
    if (rec.length < 4) {
      result.errors.push({ line, reason: 'expected 4 columns: rf_code, amount, date, bank_reference', raw });
      return;
    }
    const [rfRaw, amountRaw, dateRaw, bankRef] = rec;
    const rfCode = compactRf(rfRaw);
    if (!isValidRf(rfCode)) return void result.errors.push({ line, reason: `"${rfRaw}" is not a valid RF code`, raw });
    let amountCents: number;
    try {
      amountCents = parseMoney(amountRaw);
    } catch {
      return void result.errors.push({ line, reason: `"${amountRaw}" is not an amount`, raw });
    }
    if (amountCents <= 0) return void result.errors.push({ line, reason: 'the amount must be positive', raw });
    const date = parseDate(dateRaw);
    if (!date) return void result.errors.push({ line, reason: `"${dateRaw}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`, raw });
    if (!bankRef) return void result.errors.push({ line, reason: 'the bank reference is empty', raw });
    result.rows.push({ line, rfCode, amountCents, date, bankReference: bankRef });
  });
  return result;
}

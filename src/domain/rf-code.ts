import { DomainError } from '../errors';

/**
 * ISO 11649 creditor reference ("RF code"), the payment code Greek banks take through DIAS. Check digits are
 * ISO 7064 MOD 97-10 as in IBAN. The number being reduced can be ~48 digits, so it is folded in chunks instead of
 * going through a float.
 */
function mod97(digits: string): number {
  let rem = 0;
  for (let i = 0; i < digits.length; i += 7) rem = Number(String(rem) + digits.slice(i, i + 7)) % 97;
  return rem;
}

function lettersToDigits(s: string): string {
  let out = '';
  for (const ch of s) out += ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
  return out;
}

export function compactRf(input: string): string {
  return String(input).replace(/\s+/g, '').toUpperCase();
}

export function createRf(reference: string): string {
  const r = compactRf(reference);
  if (!/^[0-9A-Z]{1,21}$/.test(r)) {
    throw new DomainError('invalid_rf_reference', 'An RF reference is 1 to 21 letters or digits.', { details: { reference: '1–21 alphanumerics' } });
  }
  const check = 98 - mod97(lettersToDigits(`${r}RF00`));
  return `RF${String(check).padStart(2, '0')}${r}`;
}

export function isValidRf(input: string): boolean {
  const rf = compactRf(input);
  if (!/^RF\d{2}[0-9A-Z]{1,21}$/.test(rf)) return false;
  return mod97(lettersToDigits(rf.slice(4) + rf.slice(0, 4))) === 1;
}

/** Printed form: groups of four, e.g. "RF18 5390 0754 7034". */
export function formatRf(input: string): string {
  return compactRf(input).replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * The reference printed on an invoice: customer id, series and number. Unique per bill (DIAS matching breaks if
 * one code is reused across periods) and readable back by a person at the bank.
 */
export function rfForInvoice(customerId: number, series: string, number: number): string {
  const s = compactRf(series).replace(/[^0-9A-Z]/g, '');
  const full = `${String(customerId).padStart(6, '0')}${s}${String(number).padStart(6, '0')}`;
  return createRf(full.length <= 21 ? full : `${s}${String(number).padStart(8, '0')}`.slice(-21));
}

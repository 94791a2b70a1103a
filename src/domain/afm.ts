/**
 * Greek VAT number (ΑΦΜ): nine digits, the last a check digit. Each of the first eight digits is
 * weighted by 2^(8-i); the sum mod 11, then mod 10, must equal the ninth digit. All zeros is not a VAT number.
 */
export function normalizeAfm(input: string): string {
  return input.trim().replace(/^EL/i, '').replace(/\s+/g, '');
}

export function isValidAfm(input: string): boolean {
  const afm = normalizeAfm(input);
  if (!/^\d{9}$/.test(afm) || afm === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(afm[i]) * 2 ** (8 - i);
  return (sum % 11) % 10 === Number(afm[8]);
}

import { DomainError } from '../errors';
import { divRound, type Cents } from './money';

/**
 * Greek VAT rates (percent). 24/13/6 are the mainland rates; 17/9/4 the reduced rates of the islands of the
 * Aegean (art. 21 par. 4 of the VAT code); 0 means exempt and then a myDATA vatExemptionCategory is required.
 */
export const VAT_RATES = [24, 13, 6, 17, 9, 4, 0] as const;
export type VatRate = (typeof VAT_RATES)[number];

export const DEFAULT_VAT_RATE: VatRate = 24;

/** myDATA vatCategory code for each rate (code list 1.7): 1=24, 2=13, 3=6, 4=17, 5=9, 6=4, 7=0/exempt. */
export const MYDATA_VAT_CATEGORY: Record<VatRate, number> = { 24: 1, 13: 2, 6: 3, 17: 4, 9: 5, 4: 6, 0: 7 };

export function isVatRate(v: unknown): v is VatRate {
  return typeof v === 'number' && (VAT_RATES as readonly number[]).includes(v);
}

export function parseVatRate(input: unknown, field = 'vat_rate'): VatRate {
  const n = typeof input === 'string' ? Number(input.trim().replace(/%$/, '').replace(',', '.')) : input;
  if (!isVatRate(n)) {
    throw new DomainError(`invalid_${field}`, `VAT rate must be one of ${VAT_RATES.join(', ')} (percent).`, {
      details: { [field]: 'unknown VAT rate' },
    });
  }
  return n;
}

/**
 * An exempt line (0%) must say why (myDATA vatExemptionCategory, 1–31); a taxed line must not carry one,
 * otherwise the e-invoice is rejected.
 */
export function checkExemption(rate: VatRate, exemptionCode: string | null | undefined, field = 'vat_exemption_code'): string | null {
  const code = exemptionCode == null || String(exemptionCode).trim() === '' ? null : String(exemptionCode).trim();
  if (rate === 0) {
    if (code === null) {
      throw new DomainError(`missing_${field}`, 'A 0% VAT line needs the exemption reason (myDATA vatExemptionCategory, 1–31).', {
        details: { [field]: 'required for 0% VAT' },
      });
    }
    const n = Number(code);
    if (!/^\d{1,2}$/.test(code) || n < 1 || n > 31) {
      throw new DomainError(`invalid_${field}`, 'The VAT exemption code must be a myDATA vatExemptionCategory number from 1 to 31.', {
        details: { [field]: 'not 1–31' },
      });
    }
    return code;
  }
  if (code !== null) {
    throw new DomainError(`invalid_${field}`, 'Only a 0% VAT line may carry an exemption code.', { details: { [field]: 'only for 0% VAT' } });
  }
  return null;
}

/** VAT of one line from its net amount, rounded to the cent per line as Greek invoices do. */
export function vatOnNet(netCents: Cents, rate: VatRate): Cents {
  return divRound(netCents * rate, 100);
}

/**
 * Split a VAT-inclusive amount into net and VAT so that net + VAT equals the gross exactly: the customer pays the
 * advertised price to the cent. The VAT then differs from net × rate by at most one cent, because some gross
 * amounts (e.g. 1.23 at 24%) have no net whose per-line rounded VAT adds up to them.
 */
export function splitGross(grossCents: Cents, rate: VatRate): { net: Cents; vat: Cents } {
  const net = divRound(grossCents * 100, 100 + rate);
  return { net, vat: grossCents - net };
}

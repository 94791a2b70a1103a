import { DomainError } from '../errors';
import { divRound, type Cents } from './money';
import { checkExemption, splitGross, vatOnNet, type VatRate } from './vat';

/**
 * Invoice arithmetic. Quantities are whole units (integers ≥ 1): an ISP bills months and devices, and a pro rata
 * month is expressed as its own priced line (quantity 1), so no fractional quantity ever needs rounding.
 * Each line is rounded on its own (net, then VAT on that net); the invoice totals are plain sums of the lines,
 * so they always add up exactly, as a Greek invoice and myDATA require.
 */
export interface LineInput {
  description: string;
  quantity: number;
  unitPriceCents: Cents;
  vatRate: VatRate;
  vatExemptionCode?: string | null;
  /** true when unitPriceCents already includes VAT (retail list prices). */
  priceIncludesVat?: boolean;
}

export interface Line {
  description: string;
  quantity: number;
  unitPriceCents: Cents;
  vatRate: VatRate;
  vatExemptionCode: string | null;
  netCents: Cents;
  vatCents: Cents;
  totalCents: Cents;
}

export interface Totals {
  netCents: Cents;
  vatCents: Cents;
  totalCents: Cents;
  /** per-rate summary, the way the invoice footer and myDATA's taxesTotals group it */
  byRate: { vatRate: VatRate; netCents: Cents; vatCents: Cents }[];
}

export const MAX_QUANTITY = 1_000_000;

export function computeLine(input: LineInput, index = 0): Line {
  const field = (f: string) => `lines.${index}.${f}`;
  const description = String(input.description ?? '').trim();
  if (!description) throw new DomainError('missing_description', `Line ${index + 1} needs a description.`, { details: { [field('description')]: 'required' } });
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_QUANTITY) {
    throw new DomainError('invalid_quantity', `Line ${index + 1}: quantity must be a whole number from 1 to ${MAX_QUANTITY}.`, {
      details: { [field('quantity')]: 'whole number ≥ 1' },
    });
  }
  if (!Number.isSafeInteger(input.unitPriceCents) || input.unitPriceCents < 0) {
    throw new DomainError('invalid_unit_price', `Line ${index + 1}: the unit price must be zero or more, in cents.`, {
      details: { [field('unit_price')]: 'non-negative cents' },
    });
  }
  const exemption = checkExemption(input.vatRate, input.vatExemptionCode);
  const amount = input.quantity * input.unitPriceCents;
  if (!Number.isSafeInteger(amount * 124)) {
    throw new DomainError('invalid_unit_price', `Line ${index + 1}: the amount is too large.`, { details: { [field('unit_price')]: 'too large' } });
  }
  let netCents: Cents;
  let vatCents: Cents;
  if (input.priceIncludesVat) {
    ({ net: netCents, vat: vatCents } = splitGross(amount, input.vatRate));
  } else {
    netCents = amount;
    vatCents = vatOnNet(netCents, input.vatRate);
  }
  return {
    description,
    quantity: input.quantity,
    unitPriceCents: input.unitPriceCents,
    vatRate: input.vatRate,
    vatExemptionCode: exemption,
    netCents,
    vatCents,
    totalCents: netCents + vatCents,
  };
}

export function sumLines(lines: readonly Pick<Line, 'netCents' | 'vatCents' | 'totalCents' | 'vatRate'>[]): Totals {
  const byRate = new Map<VatRate, { vatRate: VatRate; netCents: Cents; vatCents: Cents }>();
  let netCents = 0;
  let vatCents = 0;
  let totalCents = 0;
  for (const l of lines) {
    netCents += l.netCents;
    vatCents += l.vatCents;
    totalCents += l.totalCents;
    const r = byRate.get(l.vatRate) ?? { vatRate: l.vatRate, netCents: 0, vatCents: 0 };
    r.netCents += l.netCents;
    r.vatCents += l.vatCents;
    byRate.set(l.vatRate, r);
  }
  return { netCents, vatCents, totalCents, byRate: [...byRate.values()].sort((a, b) => b.vatRate - a.vatRate) };
}

export function computeInvoice(inputs: readonly LineInput[]): { lines: Line[]; totals: Totals } {
  if (inputs.length === 0) throw new DomainError('missing_lines', 'An invoice needs at least one line.', { details: { lines: 'required' } });
  const lines = inputs.map((l, i) => computeLine(l, i));
  return { lines, totals: sumLines(lines) };
}

/** 'YYYY-MM' → first and last calendar day (UTC dates) and its length. */
export function monthBounds(month: string): { start: string; end: string; days: number; year: number; monthIndex: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new DomainError('invalid_month', `"${month}" is not a month: use YYYY-MM, e.g. 2026-11.`, { details: { month: 'YYYY-MM' } });
  const year = Number(m[1]);
  const monthIndex = Number(m[2]) - 1;
  const days = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  return { start: `${m[1]}-${m[2]}-01`, end: `${m[1]}-${m[2]}-${String(days).padStart(2, '0')}`, days, year, monthIndex };
}

/**
 * Pro rata for a subscriber activated during the month: the days from activation to month end, inclusive,
 * over the days of that month. Activation before the month bills the full month; after it, nothing.
 */
export function prorate(priceCents: Cents, month: string, activatedOn: string | null | undefined): { cents: Cents; days: number; daysInMonth: number; full: boolean } {
  const b = monthBounds(month);
  const day = activatedOn ? String(activatedOn).slice(0, 10) : null;
  if (!day || day <= b.start) return { cents: priceCents, days: b.days, daysInMonth: b.days, full: true };
  if (day > b.end) return { cents: 0, days: 0, daysInMonth: b.days, full: false };
  const days = b.days - Number(day.slice(8, 10)) + 1;
  return { cents: divRound(priceCents * days, b.days), days, daysInMonth: b.days, full: days === b.days };
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

import fc from 'fast-check';
import { addDays, computeInvoice, computeLine, monthBounds, prorate } from '../../../src/domain/invoice-math';
import { VAT_RATES, type VatRate } from '../../../src/domain/vat';

describe('computeLine', () => {
  test('net-priced line', () => {
    expect(computeLine({ description: 'FTTH 100', quantity: 3, unitPriceCents: 999, vatRate: 24 })).toEqual({
      description: 'FTTH 100', quantity: 3, unitPriceCents: 999, vatRate: 24, vatExemptionCode: null,
      netCents: 2997, vatCents: 719, totalCents: 3716,
    });
  });
  test('VAT-inclusive line keeps the advertised price', () => {
    const l = computeLine({ description: 'Plan', quantity: 1, unitPriceCents: 2999, vatRate: 24, priceIncludesVat: true });
    expect([l.netCents, l.vatCents, l.totalCents]).toEqual([2419, 580, 2999]);
  });
  test('exempt line needs its code', () => {
    expect(computeLine({ description: 'x', quantity: 1, unitPriceCents: 100, vatRate: 0, vatExemptionCode: '3' }).vatExemptionCode).toBe('3');
    expect(() => computeLine({ description: 'x', quantity: 1, unitPriceCents: 100, vatRate: 0 })).toThrow(
      expect.objectContaining({ code: 'missing_vat_exemption_code' }),
    );
  });
  test.each([
    [{ description: '', quantity: 1, unitPriceCents: 1, vatRate: 24 }, 'missing_description'],
    [{ description: 'x', quantity: 0, unitPriceCents: 1, vatRate: 24 }, 'invalid_quantity'],
    [{ description: 'x', quantity: 1.5, unitPriceCents: 1, vatRate: 24 }, 'invalid_quantity'],
    [{ description: 'x', quantity: 1, unitPriceCents: -1, vatRate: 24 }, 'invalid_unit_price'],
    [{ description: 'x', quantity: 1, unitPriceCents: 1.5, vatRate: 24 }, 'invalid_unit_price'],
  ])('refuses %p', (input, code) => {
    expect(() => computeLine(input as never)).toThrow(expect.objectContaining({ code }));
  });
});

test('Greek per-line rounding differs from rounding the sum, and we round per line', () => {
  // Three lines of 0.02 € net at 24%: 0.0048 € VAT each rounds to 0 per line, although 0.06 × 24% = 0.0144 → 0.01.
  const { totals } = computeInvoice([1, 2, 3].map((i) => ({ description: `l${i}`, quantity: 1, unitPriceCents: 2, vatRate: 24 as VatRate })));
  expect(totals).toMatchObject({ netCents: 6, vatCents: 0, totalCents: 6 });
});

test('an invoice needs lines', () => {
  expect(() => computeInvoice([])).toThrow(expect.objectContaining({ code: 'missing_lines' }));
});

const lineArb = fc.record({
  description: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0),
  quantity: fc.integer({ min: 1, max: 1000 }),
  unitPriceCents: fc.integer({ min: 0, max: 10_000_000 }),
  vatRate: fc.constantFrom(...VAT_RATES),
  priceIncludesVat: fc.boolean(),
}).map((l) => ({ ...l, vatExemptionCode: l.vatRate === 0 ? '14' : null }));

test('property: totals always add up, per line and per invoice, in integer cents', () => {
  fc.assert(
    fc.property(fc.array(lineArb, { minLength: 1, maxLength: 40 }), (inputs) => {
      const { lines, totals } = computeInvoice(inputs);
      let net = 0, vat = 0, total = 0;
      for (const [i, l] of lines.entries()) {
        for (const v of [l.netCents, l.vatCents, l.totalCents]) expect(Number.isSafeInteger(v)).toBe(true);
        expect(l.netCents + l.vatCents).toBe(l.totalCents);
        const amount = inputs[i].quantity * inputs[i].unitPriceCents;
        if (inputs[i].priceIncludesVat) {
          expect(l.totalCents).toBe(amount);
          // the VAT of a gross price can be off the exact net × rate by at most one cent
          expect(Math.abs(l.vatCents * 100 - l.netCents * l.vatRate)).toBeLessThanOrEqual(100);
        } else {
          expect(l.netCents).toBe(amount);
          // per-line rounding: never more than half a cent from the exact VAT
          expect(Math.abs(l.vatCents * 100 - l.netCents * l.vatRate)).toBeLessThanOrEqual(50);
        }
        net += l.netCents; vat += l.vatCents; total += l.totalCents;
      }
      expect(totals.netCents).toBe(net);
      expect(totals.vatCents).toBe(vat);
      expect(totals.totalCents).toBe(total);
      expect(totals.netCents + totals.vatCents).toBe(totals.totalCents);
      expect(totals.byRate.reduce((s, r) => s + r.netCents + r.vatCents, 0)).toBe(totals.totalCents);
    }),
    { numRuns: 500 },
  );
});

describe('months and pro rata', () => {
  test('month bounds, leap years included', () => {
    expect(monthBounds('2026-11')).toMatchObject({ start: '2026-11-01', end: '2026-11-30', days: 30 });
    expect(monthBounds('2028-02')).toMatchObject({ end: '2028-02-29', days: 29 });
    expect(monthBounds('2026-02').days).toBe(28);
    for (const bad of ['2026-13', '2026-1', '26-11', '2026/11', '']) expect(() => monthBounds(bad)).toThrow(expect.objectContaining({ code: 'invalid_month' }));
  });
  test.each([
    [3000, '2026-11', null, 3000, 30],
    [3000, '2026-11', '2026-10-15', 3000, 30],
    [3000, '2026-11', '2026-11-01', 3000, 30],
    [3000, '2026-11', '2026-11-16T10:00:00Z', 1500, 15],
    [3000, '2026-11', '2026-11-30', 100, 1],
    [2999, '2026-11', '2026-11-21', 1000, 10], // 999.67 → 1000
    [3000, '2026-11', '2026-12-01', 0, 0],
    [2800, '2026-02', '2026-02-15', 1400, 14],
  ])('price %p, month %p, activated %p → %p cents over %p days', (price, month, activated, cents, days) => {
    expect(prorate(price, month, activated)).toMatchObject({ cents, days });
  });
  test('addDays crosses months and years', () => {
    expect(addDays('2026-12-20', 15)).toBe('2027-01-04');
  });
});

import { createRf, formatRf, isValidRf, rfForInvoice } from '../../../src/domain/rf-code';

// Public test vectors from the spec (aade-einvoicing.md §4.2).
describe('createRf', () => {
  test.each([
    ['539007547034', 'RF18539007547034'],
    ['5390075470Y', 'RF185390075470Y'],
    ['2348231', 'RF712348231'],
    ['AB2G5 9X56 V543', 'RF19AB2G59X56V543'],
    ['00001', 'RF7400001'],
    ['12345 12345', 'RF451234512345'],
    ['AB2G5', 'RF68AB2G5'],
    ['2348236', 'RF332348236'],
    ['0001234562026000042', 'RF970001234562026000042'],
    ['ISP0001234560042', 'RF47ISP0001234560042'],
    ['ab2g5', 'RF68AB2G5'],
  ])('%p → %p', (ref, rf) => {
    expect(createRf(ref)).toBe(rf);
    expect(isValidRf(rf)).toBe(true);
  });

  test.each(['', '1234567890123456789012', 'AB-12', 'ΑΒ12'])('refuses reference %p', (ref) => {
    expect(() => createRf(ref)).toThrow(expect.objectContaining({ code: 'invalid_rf_reference' }));
  });
});

describe('isValidRf', () => {
  test.each([
    'RF18539007547034', 'RF185390075470Y', 'RF332348236', 'RF40 1234 5678 9012 3456 7890 1',
    'RF33 0000 0000 0000 0234 8236', 'RF02 4020 5100 2913 3', 'RF49N73GBST73AKL38ZX', 'rf18 5390 0754 7034',
  ])('valid %p', (rf) => expect(isValidRf(rf)).toBe(true));

  test.each([
    'RF17 5390 0754 7034', 'RF09 2348 236', 'RF43 1234 5678 9012 3456 7890 12', 'RF18', 'XX18539007547034', 'RF1A539007547034', '',
  ])('invalid %p', (rf) => expect(isValidRf(rf)).toBe(false));
});

test('formatRf groups by four', () => {
  expect(formatRf('RF18539007547034')).toBe('RF18 5390 0754 7034');
});

test('rfForInvoice is valid, unique per invoice and at most 25 characters', () => {
  const a = rfForInvoice(42, 'A', 7);
  const b = rfForInvoice(42, 'A', 8);
  const c = rfForInvoice(123456789, 'LONGSER', 123456);
  for (const rf of [a, b, c]) {
    expect(isValidRf(rf)).toBe(true);
    expect(rf.length).toBeLessThanOrEqual(25);
  }
  expect(a).toBe(createRf('000042A000007'));
  expect(a).not.toBe(b);
});

import { divRound, formatMoney, parseMoney } from '../../../src/domain/money';

describe('parseMoney', () => {
  test.each([
    ['12.50', 1250], ['12,50', 1250], ['12', 1200], ['12.5', 1250], ['0,05', 5], [' 7.00 ', 700], ['0', 0],
    [29.99, 2999], [0.1, 10], [1e3, 100000], ['1234567.89', 123456789],
  ])('%p → %p cents', (input, cents) => {
    expect(parseMoney(input as string | number)).toBe(cents);
  });

  test.each(['12.505', '1.234,50', '1,234.50', 'abc', '', '12.', '.5', '--1', '1e3', '12 50', 12.345, NaN, Infinity])('refuses %p', (input) => {
    expect(() => parseMoney(input as string | number)).toThrow(expect.objectContaining({ code: 'invalid_amount' }));
  });

  test('negative only when allowed, and the field name drives the error code', () => {
    expect(() => parseMoney('-3.00', 'price')).toThrow(expect.objectContaining({ code: 'invalid_price' }));
    expect(parseMoney('-3,10', 'price', { allowNegative: true })).toBe(-310);
  });
});

describe('formatMoney', () => {
  test.each([[0, '0.00'], [5, '0.05'], [1250, '12.50'], [-1250, '-12.50'], [123456789, '1234567.89']])('%p → %p', (c, s) => {
    expect(formatMoney(c)).toBe(s);
  });
  test('Greek decimal comma', () => expect(formatMoney(2999, { decimal: ',' })).toBe('29,99'));
  test('refuses non-integers', () => expect(() => formatMoney(1.5)).toThrow(TypeError));
});

describe('divRound (half away from zero)', () => {
  test.each([[5, 10, 1], [4, 10, 0], [15, 10, 2], [-5, 10, -1], [-4, 10, 0], [26750, 10000, 3], [2675, 1000, 3], [1, 3, 0], [2, 3, 1]])(
    '%p/%p → %p',
    (n, d, q) => expect(divRound(n, d)).toBe(q),
  );
});

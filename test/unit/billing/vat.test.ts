import { checkExemption, MYDATA_VAT_CATEGORY, parseVatRate, splitGross, vatOnNet } from '../../../src/domain/vat';

describe('VAT rates', () => {
  test.each([[24, 24], ['13', 13], ['6%', 6], [17, 17], ['9', 9], [4, 4], [0, 0]])('parses %p', (input, rate) => {
    expect(parseVatRate(input)).toBe(rate);
  });
  test.each([23, '25', 'abc', null, 5.5, -24])('refuses %p', (input) => {
    expect(() => parseVatRate(input)).toThrow(expect.objectContaining({ code: 'invalid_vat_rate' }));
  });
  test('myDATA categories', () => {
    expect(MYDATA_VAT_CATEGORY).toEqual({ 24: 1, 13: 2, 6: 3, 17: 4, 9: 5, 4: 6, 0: 7 });
  });
});

describe('VAT per line, rounded half up to the cent', () => {
  test.each([
    [1000, 24, 240], [2999, 24, 720], // 719.76 → 720
    [1, 24, 0], [2, 24, 0], [3, 24, 1], // 0.72 → 1
    [2419, 24, 581], // 580.56 → 581
    [1250, 13, 163], // 162.5 → 163 (half up)
    [50, 6, 3], [1000, 17, 170], [1111, 9, 100], [1111, 4, 44], [99999, 0, 0],
  ])('net %p at %p%% → %p', (net, rate, vat) => {
    expect(vatOnNet(net, rate as 24)).toBe(vat);
  });

  test.each([[2999, 24, 2419, 580], [3000, 24, 2419, 581], [1000, 13, 885, 115], [100, 0, 100, 0], [1, 24, 1, 0]])(
    'gross %p at %p%% → net %p + VAT %p',
    (gross, rate, net, vat) => {
      const s = splitGross(gross, rate as 24);
      expect(s).toEqual({ net, vat });
      expect(s.net + s.vat).toBe(gross);
    },
  );
});

describe('exemption codes', () => {
  test('0% requires a code 1–31', () => {
    expect(checkExemption(0, '14')).toBe('14');
    expect(() => checkExemption(0, null)).toThrow(expect.objectContaining({ code: 'missing_vat_exemption_code' }));
    expect(() => checkExemption(0, '32')).toThrow(expect.objectContaining({ code: 'invalid_vat_exemption_code' }));
    expect(() => checkExemption(0, 'x')).toThrow(expect.objectContaining({ code: 'invalid_vat_exemption_code' }));
  });
  test('a taxed line must not carry one', () => {
    expect(checkExemption(24, '')).toBeNull();
    expect(() => checkExemption(24, '3')).toThrow(expect.objectContaining({ code: 'invalid_vat_exemption_code' }));
  });
});

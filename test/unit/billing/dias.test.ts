import { parseDiasCsv } from '../../../src/domain/dias';

test('parses a comma file with a header, Greek decimals and both date styles', () => {
  const csv = [
    'rf_code,amount,date,bank_reference',
    'RF18539007547034,29.99,2026-11-05,PIR-0001',
    '"RF18 5390 0754 7034","12,50",05/11/2026,PIR-0002',
    'RF712348231,12,50,2026-11-06,PIR-0003',
  ].join('\r\n');
  const r = parseDiasCsv(csv);
  expect(r.errors).toEqual([]);
  expect(r.rows).toEqual([
    { line: 2, rfCode: 'RF18539007547034', amountCents: 2999, date: '2026-11-05', bankReference: 'PIR-0001' },
    { line: 3, rfCode: 'RF18539007547034', amountCents: 1250, date: '2026-11-05', bankReference: 'PIR-0002' },
    { line: 4, rfCode: 'RF712348231', amountCents: 1250, date: '2026-11-06', bankReference: 'PIR-0003' },
  ]);
});

test('semicolon file without header; bad lines are reported, not fatal', () => {
  const csv = [
    'RF332348236;10,00;2026-11-01;A1',
    'RF17539007547034;10,00;2026-11-01;A2',
    'RF332348236;ten;2026-11-01;A3',
    'RF332348236;10,00;2026-02-30;A4',
    'RF332348236;0,00;2026-11-01;A5',
    'RF332348236;10,00;2026-11-01;',
    'RF332348236;10,00',
  ].join('\n');
  const r = parseDiasCsv(csv);
  expect(r.rows).toEqual([{ line: 1, rfCode: 'RF332348236', amountCents: 1000, date: '2026-11-01', bankReference: 'A1' }]);
  expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7]);
  expect(r.errors[0].reason).toMatch(/not a valid RF code/);
});

test('empty and malformed files are refused with a clear code', () => {
  expect(() => parseDiasCsv('\n\n')).toThrow(expect.objectContaining({ code: 'empty_file' }));
  expect(() => parseDiasCsv('RF332348236,"10,00,2026-11-01,A1')).toThrow(expect.objectContaining({ code: 'invalid_file' }));
});

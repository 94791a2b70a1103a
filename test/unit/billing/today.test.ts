import { today } from '../../../src/services/billing/invoices';

test.each([
  ['2026-11-21T23:30:00Z', '2026-11-22'], // 01:30 in Athens (winter, UTC+2)
  ['2026-11-21T21:59:59Z', '2026-11-21'],
  ['2026-07-31T21:30:00Z', '2026-08-01'], // 00:30 in Athens (summer, UTC+3)
  ['2026-07-31T20:59:00Z', '2026-07-31'],
])('the invoice date at %s is %s in Athens', (utc, date) => {
  expect(today(new Date(utc))).toBe(date);
});

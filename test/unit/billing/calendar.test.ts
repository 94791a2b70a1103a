import { addMonths, calendarDay, dayStart, isTimeZone, offsetMs } from '../../../src/domain/calendar';
import { isCalendarDate } from '../../../src/gateway/fields';

describe('calendarDay: the day an instant falls on in the installation zone', () => {
  test.each([
    ['2026-11-30 22:30:00', 'Europe/Athens', '2026-12-01'], // 00:30 on 1 December in Athens (UTC+2)
    ['2026-11-30 21:59:59', 'Europe/Athens', '2026-11-30'],
    ['2026-11-30 22:00:00', 'Europe/Athens', '2026-12-01'], // midnight exactly
    ['2026-11-30 22:30:00', 'UTC', '2026-11-30'],
    ['2026-07-31T21:30:00Z', 'Europe/Athens', '2026-08-01'], // summer, UTC+3
    ['2026-07-31T20:59:59Z', 'Europe/Athens', '2026-07-31'],
    ['2026-03-28 22:30:00', 'Europe/Athens', '2026-03-29'], // the night clocks go forward (03:00 → 04:00)
    ['2026-03-29 00:59:59', 'Europe/Athens', '2026-03-29'],
    ['2026-10-24 21:00:00', 'Europe/Athens', '2026-10-25'], // the night clocks go back (04:00 → 03:00)
    ['2026-10-25 21:59:59', 'Europe/Athens', '2026-10-25'],
    ['2026-10-25 22:00:00', 'Europe/Athens', '2026-10-26'],
    ['2026-01-01 04:59:59', 'America/New_York', '2025-12-31'],
  ])('%s in %s is %s', (instant, tz, day) => {
    expect(calendarDay(instant, tz)).toBe(day);
  });

  test('dayStart is the first instant of the day, across DST changes', () => {
    expect(dayStart('2026-12-01', 'Europe/Athens').toISOString()).toBe('2026-11-30T22:00:00.000Z');
    expect(dayStart('2026-08-01', 'Europe/Athens').toISOString()).toBe('2026-07-31T21:00:00.000Z');
    expect(dayStart('2026-03-29', 'Europe/Athens').toISOString()).toBe('2026-03-28T22:00:00.000Z'); // still UTC+2 at midnight
    expect(dayStart('2026-03-30', 'Europe/Athens').toISOString()).toBe('2026-03-29T21:00:00.000Z'); // now UTC+3
    expect(dayStart('2026-10-26', 'Europe/Athens').toISOString()).toBe('2026-10-25T22:00:00.000Z');
    // Santiago skips midnight on its spring change: the day starts at 01:00 local
    const start = dayStart('2026-09-06', 'America/Santiago');
    expect(calendarDay(start, 'America/Santiago')).toBe('2026-09-06');
    expect(calendarDay(new Date(start.getTime() - 1000), 'America/Santiago')).toBe('2026-09-05');
    expect(offsetMs(new Date('2026-07-01T00:00:00Z'), 'Europe/Athens')).toBe(3 * 3600_000);
  });

  test('zones and months', () => {
    expect(isTimeZone('Europe/Athens')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(addMonths('2026-11', 1)).toBe('2026-12');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });
});

test.each([
  ['2026-02-28', true], ['2024-02-29', true], ['2026-02-29', false], ['2026-02-30', false], ['2026-13-01', false],
  ['0000-00-00', false], ['2026-04-31', false], ['2026-12-31', true], ['0999-12-31', false], ['2026-1-01', false], ['', false],
])('isCalendarDate(%p) is %p', (s, ok) => {
  expect(isCalendarDate(s)).toBe(ok);
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import { classifyTiming } from '../../../shared/domain/timing.ts';
import { computedDaysOff } from '../../../shared/domain/holidays.ts';

const spec = {
  timeZone: 'Asia/Ho_Chi_Minh',
  sessions: [
    { start: '07:00', end: '11:30' },
    { start: '13:30', end: '17:00' },
  ],
  weekdays: [1, 2, 3, 4, 5],
  holidayOverrides: [],
};
const calendar = new WorkingCalendar(spec);
const weekend = new Set([6, 7]);
/** Wall-clock time in Viet Nam (UTC+7, no DST) as an instant. */
const vn = (iso: string) => Date.parse(`${iso}+07:00`);
const iso = (instant: number) => new Date(instant + 7 * 3_600_000).toISOString().slice(0, 16);

describe('public holidays', () => {
  it.each([
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2030, '2030-02-02'],
  ])('puts Tết %i on %s, with the last day of the lunar year before it', (year, tet) => {
    const days = computedDaysOff(year, weekend).map((d) => d.date);
    expect(days).toContain(tet);
    const dayBefore = new Date(Date.parse(tet) - 86_400_000).toISOString().slice(0, 10);
    expect(days).toContain(dayBefore);
  });

  it('gives 2026 the five weekdays 16–20 February for Tết and Hùng Kings a compensatory Monday', () => {
    const days = computedDaysOff(2026, weekend);
    const dates = days.map((d) => d.date);
    expect(dates).toEqual(expect.arrayContaining(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']));
    // 10/3 lunar falls on Sunday 26/4/2026: the next working day is off instead.
    expect(dates).toContain('2026-04-26');
    expect(days.find((d) => d.date === '2026-04-27')?.reason).toMatch(/^Nghỉ bù/);
  });

  it('joins to 2/9 the neighbour that bridges to a weekend', () => {
    expect(computedDaysOff(2025, weekend).map((d) => d.date)).toContain('2025-09-01');
    expect(computedDaysOff(2024, weekend).map((d) => d.date)).toContain('2024-09-03');
    // 2/9/2023 was a Saturday: 1/9 joined it and Monday 4/9 was the compensatory day.
    expect(computedDaysOff(2023, weekend).map((d) => d.date)).toEqual(expect.arrayContaining(['2023-09-01', '2023-09-04']));
  });

  it('lets a yearly override win over the computed table', () => {
    const withOverride = new WorkingCalendar({
      ...spec,
      holidayOverrides: [{ year: 2025, daysOff: ['2025-01-27'], workingDays: ['2025-02-03', '2025-04-26'] }],
    });
    expect(calendar.isWorkingDay('2025-01-27')).toBe(true);
    expect(withOverride.isWorkingDay('2025-01-27')).toBe(false);
    // The default gives Monday 3/2 as the compensatory day for Saturday 1/2; the 2025 decision did not.
    expect(calendar.isWorkingDay('2025-02-03')).toBe(false);
    expect(withOverride.isWorkingDay('2025-02-03')).toBe(true);
    // A make-up Saturday is a working day.
    expect(withOverride.isWorkingDay('2025-04-26')).toBe(true);
  });
});

describe('working time', () => {
  it('counts from the next working morning for a dossier received after closing', () => {
    const due = calendar.addWorkingMinutes(vn('2026-03-06T17:30'), 60); // Friday evening
    expect(iso(due)).toBe('2026-03-09T08:00');
  });

  it('skips lunch and ends a deadline at the close of the session it uses up', () => {
    expect(iso(calendar.addWorkingMinutes(vn('2026-03-10T11:00'), 60))).toBe('2026-03-10T14:00');
    expect(iso(calendar.addWorkingMinutes(vn('2026-03-10T07:00'), 270))).toBe('2026-03-10T11:30');
  });

  it('makes 3 working days from Thursday morning end on Tuesday morning', () => {
    expect(iso(calendar.addWorkingMinutes(vn('2026-03-12T09:00'), 3 * 480))).toBe('2026-03-17T09:00');
  });

  it('carries a deadline over the Tết 2026 holidays', () => {
    // Friday 13/2 at 16:00 plus one working day: 1h on Friday, Tết until Monday 23/2, then 4.5h + 2.5h.
    expect(iso(calendar.addWorkingMinutes(vn('2026-02-13T16:00'), 480))).toBe('2026-02-23T16:00');
  });

  const instants = fc.integer({ min: vn('2024-01-01T00:00'), max: vn('2031-12-31T00:00') });
  const durations = fc.integer({ min: 0, max: 60 * 480 });

  it('measures back exactly the working time it added', () => {
    fc.assert(
      fc.property(instants, durations, (start, minutes) => {
        const due = calendar.addWorkingMinutes(start, minutes);
        expect(calendar.workingMinutesBetween(start, due)).toBe(minutes);
      }),
      { numRuns: 2000 },
    );
  });

  it('never puts a due date on a day off', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 1, max: 60 * 480 }), (start, minutes) => {
        const due = calendar.addWorkingMinutes(start, minutes);
        expect(calendar.isWorkingDay(calendar.localDate(due))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never gives an earlier date for more time', () => {
    fc.assert(
      fc.property(instants, durations, durations, (start, a, b) => {
        const [less, more] = a <= b ? [a, b] : [b, a];
        expect(calendar.addWorkingMinutes(start, more)).toBeGreaterThanOrEqual(calendar.addWorkingMinutes(start, less));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('timing of a finished dossier', () => {
  it('compares calendar dates in the ward time zone', () => {
    const due = vn('2026-03-10T09:00');
    expect(classifyTiming(vn('2026-03-09T16:59'), due, spec.timeZone)).toBe('early');
    expect(classifyTiming(vn('2026-03-10T16:00'), due, spec.timeZone)).toBe('on_time');
    // 00:30 on 11/3 in Viet Nam is still 10/3 in UTC: the ward's date decides.
    expect(classifyTiming(vn('2026-03-11T00:30'), due, spec.timeZone)).toBe('late');
  });
});

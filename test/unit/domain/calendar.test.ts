import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarSpecOf } from '../../../shared/config/calendar.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import {
  CALENDAR_YEARS,
  MAX_SPAN_DAYS,
  MAX_WORKING_MINUTES,
  OutsideCalendar,
} from '../../../shared/domain/calendar-bounds.ts';
import { computedDaysOff } from '../../../shared/domain/holidays.ts';
import { classifyTiming } from '../../../shared/domain/timing.ts';
import {
  addDays,
  formatLocalDate,
  instantAt,
  isoWeekday as isoWeekdayOf,
  minuteOfDay,
} from '../../../shared/domain/zoned-time.ts';

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
    expect(dates).toEqual(
      expect.arrayContaining(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']),
    );
    // 10/3 lunar falls on Sunday 26/4/2026: the next working day is off instead.
    expect(dates).toContain('2026-04-26');
    expect(days.find((d) => d.date === '2026-04-27')?.reason).toMatch(/^Nghỉ bù/);
  });

  it('joins to 2/9 the neighbour that bridges to a weekend', () => {
    expect(computedDaysOff(2025, weekend).map((d) => d.date)).toContain('2025-09-01');
    expect(computedDaysOff(2024, weekend).map((d) => d.date)).toContain('2024-09-03');
    // 2/9/2023 was a Saturday: 1/9 joined it and Monday 4/9 was the compensatory day.
    expect(computedDaysOff(2023, weekend).map((d) => d.date)).toEqual(
      expect.arrayContaining(['2023-09-01', '2023-09-04']),
    );
  });

  it('lets a yearly override win over the computed table', () => {
    const withOverride = new WorkingCalendar({
      ...spec,
      holidayOverrides: [{ year: 2024, daysOff: ['2024-04-29'], workingDays: ['2024-02-14', '2024-05-04'] }],
    });
    expect(calendar.isWorkingDay('2024-04-29')).toBe(true);
    expect(withOverride.isWorkingDay('2024-04-29')).toBe(false);
    // A computed compensatory day the override works instead.
    expect(calendar.isWorkingDay('2024-02-14')).toBe(false);
    expect(withOverride.isWorkingDay('2024-02-14')).toBe(true);
    // A make-up Saturday is a working day.
    expect(withOverride.isWorkingDay('2024-05-04')).toBe(true);
  });
});

/** The weekdays off of a year, as the decisions announced them for civil servants on a Monday–Friday week. */
const officialWeekdaysOff: Record<number, string[]> = {
  2020: ['01-01', '01-23', '01-24', '01-27', '01-28', '01-29', '04-02', '04-30', '05-01', '09-02'],
  2021: ['01-01', '02-10', '02-11', '02-12', '02-15', '02-16', '04-21', '04-30', '05-03', '09-02', '09-03'],
  2022: ['01-03', '01-31', '02-01', '02-02', '02-03', '02-04', '04-11', '05-02', '05-03', '09-01', '09-02'],
  2023: ['01-02', '01-20', '01-23', '01-24', '01-25', '01-26', '05-01', '05-02', '05-03', '09-01', '09-04'],
  2024: ['01-01', '02-08', '02-09', '02-12', '02-13', '02-14', '04-18', '04-29', '04-30', '05-01', '09-02', '09-03'],
  2025: ['01-01', '01-27', '01-28', '01-29', '01-30', '01-31', '04-07', '04-30', '05-01', '05-02', '09-01', '09-02'],
  2026: [
    '01-01',
    '01-02',
    '02-16',
    '02-17',
    '02-18',
    '02-19',
    '02-20',
    '04-27',
    '04-30',
    '05-01',
    '08-31',
    '09-01',
    '09-02',
  ],
};
/** The make-up Saturdays the same decisions set. */
const officialWorkedSaturdays: Record<number, string[]> = {
  2020: [],
  2021: [],
  2022: [],
  2023: [],
  2024: ['05-04'],
  2025: ['04-26'],
  2026: ['01-10', '08-22'],
};

describe('the official days off of 2020–2026', () => {
  const sample = readWardFile('sample');
  const ward = new WorkingCalendar(calendarSpecOf(sample));
  const weekdaysOff = (cal: WorkingCalendar, year: number) => {
    const found: string[] = [];
    for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
      if (!weekend.has(isoWeekdayOf(d)) && !cal.isWorkingDay(d)) found.push(d.slice(5));
    }
    return found;
  };

  it.each(Object.keys(officialWeekdaysOff).map(Number))('the sample ward keeps the days of %i', (year) => {
    expect(weekdaysOff(ward, year)).toEqual(officialWeekdaysOff[year]);
    for (const day of officialWorkedSaturdays[year]!) expect(ward.isWorkingDay(`${year}-${day}`)).toBe(true);
  });

  it.each([2020, 2021, 2022, 2023, 2024, 2025, 2026])('the default alone gives Tết %i as decided', (year) => {
    // The five Tết days and their compensatory days, as announced, from the computed table with no override.
    const tet = (days: string[]) => days.filter((d) => d >= '01-20' && d <= '02-25');
    expect(tet(weekdaysOff(calendar, year))).toEqual(tet(officialWeekdaysOff[year]!));
  });

  it('the default joins to 2/9 the day each decision of 2021–2026 joined', () => {
    for (const year of [2021, 2022, 2023, 2024, 2025, 2026]) {
      const september = (days: string[]) => days.filter((d) => d >= '09-01' && d <= '09-05');
      expect(september(weekdaysOff(calendar, year))).toEqual(september(officialWeekdaysOff[year]!));
    }
  });

  it('marks every override of the sample with its source, or says in its note that none was found', () => {
    for (const o of sample.holidayOverrides) {
      if (o.source === undefined) expect(o.note).toMatch(/Chưa tìm được/);
    }
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

describe('the calendar’s bounds', () => {
  const DAY = 86_400_000;
  /** The walk the calendar did before it was bounded, day by day over the office sessions: the in-range reference. */
  const referenceMinutesBetween = (from: number, to: number) => {
    if (to <= from) return 0;
    let total = 0;
    for (let date = calendar.localDate(from); date <= calendar.localDate(to); date = addDays(date, 1)) {
      if (!calendar.isWorkingDay(date)) continue;
      for (const session of spec.sessions) {
        const open = instantAt(date, minuteOfDay(session.start), spec.timeZone);
        const close = instantAt(date, minuteOfDay(session.end), spec.timeZone);
        total += Math.max(0, Math.min(close, to) - Math.max(open, from));
      }
    }
    return total / 60_000;
  };
  const outsideYear = fc.oneof(
    fc.integer({ min: 0, max: CALENDAR_YEARS.first - 1 }),
    fc.integer({ min: CALENDAR_YEARS.last + 1, max: 9999 }),
  );
  const dayOf = (year: number) =>
    fc
      .record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) })
      .map(({ month, day }) => formatLocalDate(year, month, day));
  // Holidays cost tens of milliseconds per year to compute, so the in-range properties keep to a few years and the edges.
  const nearYears = fc.integer({ min: vn('2024-01-01T00:00'), max: vn('2031-12-31T00:00') });

  it('refuses any day outside the supported years, before computing anything for them', () => {
    fc.assert(
      fc.property(
        outsideYear.chain((year) => dayOf(year).map((date) => ({ year, date }))),
        ({ year, date }) => {
          expect(() => calendar.isWorkingDay(date)).toThrow(OutsideCalendar);
          expect(() => calendar.daysOff(year)).toThrow(OutsideCalendar);
        },
      ),
      { numRuns: 500 },
    );
    for (const year of [CALENDAR_YEARS.first, CALENDAR_YEARS.last]) {
      expect(calendar.daysOff(year).length).toBeGreaterThan(10);
      expect(typeof calendar.isWorkingDay(`${year}-06-15`)).toBe('boolean');
    }
  });

  it('refuses to walk a span longer than its bound, wherever it lies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e14, max: 1e14 }),
        fc.integer({ min: MAX_SPAN_DAYS * DAY + 1, max: 8e15 }),
        (from, span) => {
          expect(() => calendar.workingMinutesBetween(from, from + span)).toThrow(OutsideCalendar);
        },
      ),
      { numRuns: 500 },
    );
    expect(() => calendar.addWorkingMinutes(vn('2026-03-09T08:00'), MAX_WORKING_MINUTES + 1)).toThrow(OutsideCalendar);
  });

  it('refuses working time that reaches outside the supported years', () => {
    expect(() => calendar.workingMinutesBetween(vn('1999-12-01T08:00'), vn('2000-01-05T08:00'))).toThrow(
      OutsideCalendar,
    );
    expect(() => calendar.workingMinutesBetween(vn('2100-12-30T08:00'), vn('2101-01-05T08:00'))).toThrow(
      OutsideCalendar,
    );
    expect(() => calendar.addWorkingMinutes(vn('2100-12-31T08:00'), 2 * 480)).toThrow(OutsideCalendar);
    expect(() => calendar.nextWorkingInstant(vn('2101-01-01T08:00'))).toThrow(OutsideCalendar);
    // Up to the edges, it counts.
    expect(calendar.workingMinutesBetween(vn('2000-01-04T07:00'), vn('2000-01-04T17:00'))).toBe(480);
    expect(calendar.workingMinutesBetween(vn('2100-12-30T07:00'), vn('2100-12-31T17:00'))).toBe(960);
  });

  it('gives in range the same working time as the unbounded walk did', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(nearYears, fc.integer({ min: 0, max: MAX_SPAN_DAYS * DAY }), (from, span) => {
        expect(calendar.workingMinutesBetween(from, from + span)).toBe(referenceMinutesBetween(from, from + span));
      }),
      { numRuns: 25 },
    );
  });

  it('measures back any working time up to its bound, so no lawful deadline is refused', () => {
    fc.assert(
      fc.property(nearYears, fc.integer({ min: 0, max: MAX_WORKING_MINUTES }), (start, minutes) => {
        const due = calendar.addWorkingMinutes(start, minutes);
        expect(calendar.workingMinutesBetween(start, due)).toBe(minutes);
      }),
      { numRuns: 100 },
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

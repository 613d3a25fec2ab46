import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dateOfJulianDay,
  LUNAR_DATES_FILE,
  lunarDatesModule,
  lunarHolidays,
  solarDateOfLunar,
} from '../../../scripts/lunar-table.ts';
import { CALENDAR_YEARS } from '../../../shared/domain/calendar-bounds.ts';
import { computedDaysOff } from '../../../shared/domain/holidays.ts';
import { FIRST_LUNAR_YEAR, LUNAR_DATES } from '../../../shared/domain/lunar-dates.ts';
import { type LunarMonth, lunarHolidaysMeeus, solarTermInstant } from '../../support/meeus-lunar.ts';

/*
 * The lunar table (shared/domain/lunar-dates.ts) is written by scripts/lunar-table.ts, Hồ Ngọc Đức's algorithm. It is
 * checked here against a second computation made independently (test/support/meeus-lunar.ts: Meeus' true new moons,
 * the VSOP87 sun, Espenak–Meeus ΔT, the calendar's rules written out). The two agree on every year 2000–2100.
 *
 * date-holidays, which the table replaces, disagreed with both in two years, on Giỗ Tổ Hùng Vương:
 *   2050: it gave 31/3, the table 1/4. Month 3 begins with the new moon of 2050-03-23 07:40 UTC+7, so 10/3 is 1/4.
 *   2083: it gave 25/4, the table 26/4. Month 3 begins with the new moon of 2083-04-17 09:09 UTC+7, so 10/3 is 26/4.
 * Neither new moon is near midnight: date-holidays' lunar library (date-chinese) turns 10/3 into an instant 1–3 s
 * before midnight UTC+7 of the right day, which its date then rounds down (its own conversion of 1/4/2050 back to the
 * lunar calendar gives 10/3). Both are asserted below from the new moon's instant.
 */

const years: number[] = [];
for (let year = CALENDAR_YEARS.first; year <= CALENDAR_YEARS.last; year++) years.push(year);

const meeus = new Map(years.map((year) => [year, lunarHolidaysMeeus(year)]));
const tableRow = (year: number) => LUNAR_DATES[year - FIRST_LUNAR_YEAR]!;
/** The date and hour in a time zone of an instant (Julian day, UT). */
const localTime = (jdUT: number, offsetHours: number) =>
  new Date((jdUT - 2440587.5) * 86_400_000 + offsetHours * 3_600_000).toISOString().slice(0, 16);
const month = (months: LunarMonth[], number: number) => months.find((m) => m.number === number && !m.leap)!;

describe('the lunar table', () => {
  it('is what the generator writes, for every year the calendar counts in', () => {
    expect(readFileSync(LUNAR_DATES_FILE, 'utf8')).toBe(lunarDatesModule());
    expect(FIRST_LUNAR_YEAR).toBe(CALENDAR_YEARS.first);
    expect(LUNAR_DATES).toHaveLength(CALENDAR_YEARS.last - CALENDAR_YEARS.first + 1);
  });

  it.each(years)('%i: Tết and 10/3 agree with Meeus’ new moons and the VSOP87 sun at UTC+7', (year) => {
    const { tet, hungKings } = meeus.get(year)!;
    expect(tableRow(year)).toEqual([dateOfJulianDay(tet), dateOfJulianDay(hungKings)]);
    expect(tableRow(year)).toEqual([lunarHolidays(year).tet, lunarHolidays(year).hungKings]);
  });

  it('takes no date from a new moon so near midnight that the two computations’ difference could move it', () => {
    // Hồ Ngọc Đức's new moons differ from Meeus' full series by at most about 3.5 minutes in 2000–2100 (and ΔT's
    // extrapolation to 2100 by about a minute more); the nearest is 2086's month 3, at 23:52 UTC+7.
    const margins = years.flatMap((year) => {
      const { months } = meeus.get(year)!;
      return [month(months, 1), month(months, 3)].map((m) => {
        const dayFraction = (((m.newMoonUT + 0.5 + 7 / 24) % 1) + 1) % 1;
        return { year, minutes: Math.min(dayFraction, 1 - dayFraction) * 1440 };
      });
    });
    const nearest = margins.reduce((a, b) => (b.minutes < a.minutes ? b : a));
    expect(nearest.year).toBe(2086);
    expect(nearest.minutes).toBeGreaterThan(5);
  });

  it('counts days at UTC+7: Tết 2007, 2030 and 2053 fall a day before China’s (UTC+8)', () => {
    const differing = years.filter((year) => meeus.get(year)!.tet !== lunarHolidaysMeeus(year, 8).tet);
    expect(differing).toEqual([2007, 2030, 2053]);
    for (const year of differing) {
      const newMoon = month(meeus.get(year)!.months, 1).newMoonUT;
      // Between 23:00 and midnight in Viet Nam, past midnight in China.
      expect(localTime(newMoon, 7).slice(11, 13)).toBe('23');
      expect(tableRow(year)[0]).toBe(localTime(newMoon, 7).slice(0, 10));
      expect(dateOfJulianDay(lunarHolidaysMeeus(year, 8).tet)).toBe(localTime(newMoon, 8).slice(0, 10));
    }
    expect(tableRow(2007)[0]).toBe('2007-02-17');
    expect(tableRow(2030)[0]).toBe('2030-02-02');
  });

  it('follows the month-11 and leap-month rules where the time zone moves them (1985: Tết 21/1, China’s 20/2)', () => {
    // The winter solstice came at 23:22 on 21/12/1984 in Viet Nam, in the month that began on 23/11, and at 00:22 on
    // the 22nd in China, the day of the new moon (11:47 UT): month 11 began a month earlier here, so 1985 had a leap
    // month (2) in Viet Nam and not in China, and Tết came a month apart.
    const solstice = solarTermInstant(270, 2446056);
    expect([localTime(solstice, 7), localTime(solstice, 8)]).toEqual(['1984-12-21T23:22', '1984-12-22T00:22']);
    expect(solarDateOfLunar({ day: 1, month: 1, year: 1985 }, 7)).toBe('1985-01-21');
    expect(solarDateOfLunar({ day: 1, month: 1, year: 1985 }, 8)).toBe('1985-02-20');
    expect(dateOfJulianDay(lunarHolidaysMeeus(1985, 7).tet)).toBe('1985-01-21');
    expect(dateOfJulianDay(lunarHolidaysMeeus(1985, 8).tet)).toBe('1985-02-20');
    expect(
      lunarHolidaysMeeus(1985, 7)
        .months.filter((m) => m.leap)
        .map((m) => m.number),
    ).toEqual([2]);
  });

  it.each([
    [2050, '2050-03-23T07:40', '2050-04-01'],
    [2083, '2083-04-17T09:09', '2083-04-26'],
  ])(
    'puts 10/3/%i on the tenth day from the new moon of %s UTC+7 (date-holidays said the day before)',
    (year, newMoon, hungKings) => {
      expect(localTime(month(meeus.get(year)!.months, 3).newMoonUT, 7)).toBe(newMoon);
      expect(tableRow(year)[1]).toBe(hungKings);
      expect(computedDaysOff(year, new Set([6, 7])).map((d) => d.date)).toContain(hungKings);
    },
  );
});

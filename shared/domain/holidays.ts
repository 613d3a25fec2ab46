import { FIRST_LUNAR_YEAR, LUNAR_DATES } from './lunar-dates.ts';
import { addDays, formatLocalDate, isoWeekday, type LocalDate } from './zoned-time.ts';

export interface HolidayOverride {
  year: number;
  daysOff: readonly LocalDate[];
  workingDays: readonly LocalDate[];
  note?: string | undefined;
  /** The decision followed; absent when none was found. */
  source?: string | undefined;
}

export interface DayOff {
  date: LocalDate;
  reason: string;
}

/**
 * Tết and Giỗ Tổ Hùng Vương from the table scripts/lunar-table.ts generates (the Vietnamese lunar calendar at UTC+7,
 * which puts Tết 2030 on 2 February where China's puts it on the 3rd), so no lunar calendar is computed at run time.
 */
function lunarHolidays(year: number): { tet: LocalDate; hungKings: LocalDate } {
  const row = LUNAR_DATES[year - FIRST_LUNAR_YEAR];
  if (!row) throw new Error(`no lunar dates for ${year}`);
  return { tet: row[0], hungKings: row[1] };
}

/**
 * Public holidays of Labour Code 2019 Art. 112 for one year, as computed defaults: 1/1, five days of
 * lunar Tết (the last day of the old year and the first four of the new), 10/3 lunar, 30/4, 1/5, 2/9 and
 * one adjacent day. A holiday on a rest day gives a compensatory day off on the next working day
 * (Art. 111(3)); Tết's compensatory days follow the yearly decisions instead (tetCompensation). The Prime
 * Minister's yearly decision can differ still; that is what overrides are for.
 */
export function computedDaysOff(year: number, restWeekdays: ReadonlySet<number>): DayOff[] {
  const { tet, hungKings } = lunarHolidays(year);
  const tetDays: DayOff[] = [
    { date: addDays(tet, -1), reason: 'Tết Nguyên đán (ngày cuối năm âm lịch)' },
    ...[0, 1, 2, 3].map((i) => ({ date: addDays(tet, i), reason: `Tết Nguyên đán (mùng ${i + 1})` })),
  ];
  const holidays: DayOff[] = [
    { date: formatLocalDate(year, 1, 1), reason: 'Tết Dương lịch' },
    ...tetDays,
    { date: hungKings, reason: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' },
    { date: formatLocalDate(year, 4, 30), reason: 'Ngày Chiến thắng (30/4)' },
    { date: formatLocalDate(year, 5, 1), reason: 'Ngày Quốc tế Lao động (1/5)' },
    { date: formatLocalDate(year, 9, 2), reason: 'Quốc khánh (2/9)' },
    { date: nationalDayCompanion(year, restWeekdays), reason: 'Quốc khánh (ngày liền kề)' },
  ];
  holidays.sort((a, b) => a.date.localeCompare(b.date));

  const taken = new Set(holidays.map((h) => h.date));
  const isRest = (d: LocalDate) => restWeekdays.has(isoWeekday(d));
  const compensatory: DayOff[] = tetCompensation(tetDays, isRest, taken);
  for (const h of holidays) {
    if (!isRest(h.date) || tetDays.includes(h)) continue;
    compensatory.push({ date: freeDay(h.date, 1, isRest, taken), reason: `Nghỉ bù ${h.reason}` });
  }
  return [...holidays, ...compensatory].sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Where Tết's compensatory days go, as every decision from 2020 to 2026 placed them (docs/deadlines.md): the five
 * days off are five working days in one block with the weekends. Two owed: one on the working day before the
 * holiday, one on the working day after (2020, 2021, 2023, 2024). One owed: on the side that makes a whole working
 * week, before when the rest day ends the holiday (2025: Monday 27/1), after when it starts it. None owed when Tết
 * falls on weekdays (2022, 2026).
 */
function tetCompensation(
  tetDays: readonly DayOff[],
  isRest: (d: LocalDate) => boolean,
  taken: Set<LocalDate>,
): DayOff[] {
  const owed = tetDays.filter((d) => isRest(d.date));
  const first = tetDays[0]!.date;
  const last = tetDays[tetDays.length - 1]!.date;
  const sides = owed.map((d, i) => {
    if (owed.length === 1) return d.date === last ? -1 : 1;
    return i % 2 === 0 ? -1 : 1;
  });
  return owed.map((d, i) => ({
    date: freeDay(sides[i] === -1 ? first : last, sides[i]!, isRest, taken),
    reason: `Nghỉ bù ${d.reason}`,
  }));
}

/** The nearest working day from `from` in `direction` that is not already off; it is then taken. */
function freeDay(from: LocalDate, direction: number, isRest: (d: LocalDate) => boolean, taken: Set<LocalDate>) {
  let day = addDays(from, direction);
  while (isRest(day) || taken.has(day)) day = addDays(day, direction);
  taken.add(day);
  return day;
}

/**
 * The day joined to 2/9 is fixed yearly; the default is the neighbour that bridges to a weekend,
 * else the day before (2022: 1/9, 2024: 3/9, 2025: 1/9).
 */
function nationalDayCompanion(year: number, restWeekdays: ReadonlySet<number>): LocalDate {
  const before = formatLocalDate(year, 9, 1);
  const after = formatLocalDate(year, 9, 3);
  const isWorkday = (d: LocalDate) => !restWeekdays.has(isoWeekday(d));
  const bridges = (d: LocalDate, outward: number) => isWorkday(d) && !isWorkday(addDays(d, outward));
  if (bridges(before, -1)) return before;
  if (bridges(after, 1)) return after;
  if (isWorkday(before)) return before;
  return after;
}

/**
 * Writes shared/domain/lunar-dates.ts: the solar dates of the lunar holidays of Labour Code 2019 Art. 112 (Tết, 1/1
 * lunar, and Giỗ Tổ Hùng Vương, 10/3 lunar) for every year the calendar counts in, so no function carries a lunar
 * calendar at run time. Run `npm run lunar-table` after changing the years; test/unit/domain/lunar-table.test.ts
 * checks the file against this generator and against an independent computation.
 *
 * The lunar calendar is Hồ Ngọc Đức's published algorithm ("Âm lịch Việt Nam", the reference implementation of
 * the Vietnamese calendar): new moons from a truncated series of Meeus' (from the 1900 epoch), the sun's longitude
 * from a low-accuracy series, day boundaries at UTC+7. Month 11 is the month containing the winter solstice; in a
 * lunar year of 13 months the leap month is the first after month 11 in which the sun enters no new sign
 * (no principal term).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CALENDAR_YEARS } from '../shared/domain/calendar-bounds.ts';

/** Viet Nam's time zone since 1975, in hours east of Greenwich: the day a new moon falls on is its date here. */
export const VIETNAM_TIME_ZONE = 7;

const { floor, sin, PI } = Math;

/** Julian day number of a Gregorian date. */
export function julianDay(day: number, month: number, year: number): number {
  const a = floor((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  return day + floor((153 * m + 2) / 5) + 365 * y + floor(y / 4) - floor(y / 100) + floor(y / 400) - 32045;
}

/** The Gregorian date of a Julian day number, as YYYY-MM-DD. */
export function dateOfJulianDay(jd: number): string {
  const a = jd + 32044;
  const b = floor((4 * a + 3) / 146097);
  const c = a - floor((b * 146097) / 4);
  const d = floor((4 * c + 3) / 1461);
  const e = c - floor((1461 * d) / 4);
  const m = floor((5 * e + 2) / 153);
  const day = e - floor((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * floor(m / 10);
  const year = b * 100 + d - 4800 + floor(m / 10);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The instant (Julian day, UT) of the k-th new moon after 1900-01-01. */
export function newMoonInstant(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = PI / 180;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  let C1 = (0.1734 - 0.000393 * T) * sin(M * dr) + 0.0021 * sin(2 * dr * M);
  C1 = C1 - 0.4068 * sin(Mpr * dr) + 0.0161 * sin(dr * 2 * Mpr);
  C1 = C1 - 0.0004 * sin(dr * 3 * Mpr);
  C1 = C1 + 0.0104 * sin(dr * 2 * F) - 0.0051 * sin(dr * (M + Mpr));
  C1 = C1 - 0.0074 * sin(dr * (M - Mpr)) + 0.0004 * sin(dr * (2 * F + M));
  C1 = C1 - 0.0004 * sin(dr * (2 * F - M)) - 0.0006 * sin(dr * (2 * F + Mpr));
  C1 = C1 + 0.001 * sin(dr * (2 * F - Mpr)) + 0.0005 * sin(dr * (2 * Mpr + M));
  const deltaT =
    T < -11
      ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3
      : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd1 + C1 - deltaT;
}

/** The Julian day number of the local date the k-th new moon falls on. */
export function newMoonDay(k: number, timeZone = VIETNAM_TIME_ZONE): number {
  return floor(newMoonInstant(k) + 0.5 + timeZone / 24);
}

/** The sun's longitude at an instant (Julian day, UT), in radians from 0 to 2π. */
function sunLongitudeAt(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525;
  const T2 = T * T;
  const dr = PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * sin(dr * M);
  DL = DL + (0.019993 - 0.000101 * T) * sin(dr * 2 * M) + 0.00029 * sin(dr * 3 * M);
  const L = (L0 + DL) * dr;
  return L - PI * 2 * floor(L / (PI * 2));
}

/** Which of the twelve 30° signs the sun is in at the start (local midnight) of a day: 0 to 11. */
function sunSign(dayNumber: number, timeZone: number): number {
  return floor((sunLongitudeAt(dayNumber - 0.5 - timeZone / 24) / PI) * 6);
}

/** The day number of the start of month 11 of the lunar year ending in a solar year (it holds the winter solstice). */
function lunarMonth11(year: number, timeZone: number): number {
  const off = julianDay(31, 12, year) - 2415021;
  const k = floor(off / 29.530588853);
  const nm = newMoonDay(k, timeZone);
  // The sun past 270° at the start of that month: the solstice was in the month before.
  return sunSign(nm, timeZone) >= 9 ? newMoonDay(k - 1, timeZone) : nm;
}

/** In a 13-month year from month 11 at a11: which month after it (1, 2, …) is the first without a principal term. */
function leapMonthOffset(a11: number, timeZone: number): number {
  const k = floor((a11 - 2415021.076998695) / 29.530588853 + 0.5);
  let i = 1;
  let arc = sunSign(newMoonDay(k + i, timeZone), timeZone);
  let last: number;
  do {
    last = arc;
    i++;
    arc = sunSign(newMoonDay(k + i, timeZone), timeZone);
  } while (arc !== last && i < 14);
  return i - 1;
}

/** The solar date (YYYY-MM-DD) of a day of the lunar calendar; `leap` for the leap month of that number. */
export function solarDateOfLunar(
  lunar: { day: number; month: number; year: number; leap?: boolean },
  timeZone = VIETNAM_TIME_ZONE,
): string {
  const { day, month, year, leap = false } = lunar;
  const [a11, b11] =
    month < 11
      ? [lunarMonth11(year - 1, timeZone), lunarMonth11(year, timeZone)]
      : [lunarMonth11(year, timeZone), lunarMonth11(year + 1, timeZone)];
  const k = floor(0.5 + (a11 - 2415021.076998695) / 29.530588853);
  let off = month - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, timeZone);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && month !== leapMonth) throw new Error(`${year} has no leap month ${month}`);
    if (leap || off >= leapOff) off += 1;
  } else if (leap) {
    throw new Error(`${year} has no leap month`);
  }
  return dateOfJulianDay(newMoonDay(k + off, timeZone) + day - 1);
}

/** The number of the leap month of a lunar year (the one after it has the same number), or undefined. */
export function leapMonthOf(year: number, timeZone = VIETNAM_TIME_ZONE): number | undefined {
  const a11 = lunarMonth11(year - 1, timeZone);
  const b11 = lunarMonth11(year, timeZone);
  if (b11 - a11 <= 365) return undefined;
  const leapMonth = leapMonthOffset(a11, timeZone) - 2;
  return leapMonth < 0 ? leapMonth + 12 : leapMonth;
}

/** The lunar holidays of a solar year: Tết (1/1) and Giỗ Tổ Hùng Vương (10/3, the regular month 3). */
export function lunarHolidays(year: number): { tet: string; hungKings: string } {
  return {
    tet: solarDateOfLunar({ day: 1, month: 1, year }),
    hungKings: solarDateOfLunar({ day: 10, month: 3, year }),
  };
}

/** The text of shared/domain/lunar-dates.ts. */
export function lunarDatesModule(): string {
  const rows: string[] = [];
  for (let year = CALENDAR_YEARS.first; year <= CALENDAR_YEARS.last; year++) {
    const { tet, hungKings } = lunarHolidays(year);
    rows.push(`  ['${tet}', '${hungKings}'],`);
  }
  return [
    '// Generated by scripts/lunar-table.ts (`npm run lunar-table`): do not edit by hand.',
    '',
    `/** The first year of LUNAR_DATES. */`,
    `export const FIRST_LUNAR_YEAR = ${CALENDAR_YEARS.first};`,
    '',
    '/**',
    ' * For each year from FIRST_LUNAR_YEAR on: the solar dates of Tết (1/1 lunar) and Giỗ Tổ Hùng Vương (10/3 lunar),',
    ' * in the Vietnamese lunar calendar (UTC+7).',
    ' */',
    'export const LUNAR_DATES: readonly (readonly [tet: string, hungKings: string])[] = [',
    ...rows,
    '];',
    '',
  ].join('\n');
}

export const LUNAR_DATES_FILE = fileURLToPath(new URL('../shared/domain/lunar-dates.ts', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(LUNAR_DATES_FILE, lunarDatesModule());
  console.info(`wrote ${LUNAR_DATES_FILE}`);
}

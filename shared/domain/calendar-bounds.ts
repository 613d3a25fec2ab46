import { Unprocessable } from './errors.ts';
import type { LocalDate } from './zoned-time.ts';

// Apart from calendar.ts so that request schemas can name the bounds without bundling the holiday tables.

/**
 * The years the calendar counts in (the same range as the holiday overrides of the ward configuration). Holidays
 * are computed, and cached, for these years only, so neither the work nor the cache grows with what a client sends.
 */
export const CALENDAR_YEARS = { first: 2000, last: 2100 } as const;
/**
 * The longest stretch of time any computation walks, day by day: a legal time of at most 365 working days
 * (the catalog's bound) and one apology as long again fit in three years of five-day weeks.
 */
export const MAX_SPAN_DAYS = 3 * 366;
/** The most working time counted at once: the catalog's longest legal time, and an apology as long again. */
export const MAX_WORKING_MINUTES = 2 * 365 * 8 * 60;

/** Whether a local date is in a year the calendar counts in. */
export function inCalendarRange(date: LocalDate): boolean {
  const year = Number(date.slice(0, 4));
  return year >= CALENDAR_YEARS.first && year <= CALENDAR_YEARS.last;
}

/**
 * A working-time computation outside the calendar's bounds: a date outside its years, or a span longer than
 * it walks. Input a client sends is checked (and named) before it gets here; this is the last line (422).
 */
export class OutsideCalendar extends Unprocessable {}

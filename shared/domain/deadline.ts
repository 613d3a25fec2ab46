import type { WorkingCalendar } from './calendar.ts';
import { MAX_SPAN_DAYS, OutsideCalendar } from './calendar-bounds.ts';
import { type ProcessingTime, processingMinutes } from './catalog.ts';
import { addDays, instantAt, minuteOfDay } from './zoned-time.ts';

/**
 * The due date of a legal time counted from a reception (or a restart). A filing outside working time (after
 * closing, on a Saturday the counter opens, on a holiday) counts from the next working moment, whatever the unit.
 * Every due date is a working moment: inside a session, or at its close.
 *
 * - working hours and days: that much working time over the office sessions (1 day = 8 hours).
 * - calendar days: the day of receipt is not counted (Civil Code 2015 art. 147(2)); the time ends with the last
 *   day (art. 148(1)), and when that day is a weekend or holiday, with the next working day (art. 148(5)). Art.
 *   148(6) ends a day at 24:00; an office's day ends when it closes, so the due moment is that day's closing time.
 * - the same working day: before or at the cut-off, the close of that working day; after it, of the next one.
 */
export function dueAt(calendar: WorkingCalendar, receivedAt: number, time: ProcessingTime): number {
  switch (time.unit) {
    case 'working_hours':
    case 'working_days':
      return calendar.addWorkingMinutes(receivedAt, processingMinutes(time));
    case 'calendar_days': {
      const start = calendar.localDate(calendar.nextWorkingInstant(receivedAt));
      let last = addDays(start, time.amount);
      for (let scanned = 0; !calendar.isWorkingDay(last); scanned++, last = addDays(last, 1)) {
        if (scanned > MAX_SPAN_DAYS) throw new OutsideCalendar('calendar_span_too_long', { days: MAX_SPAN_DAYS });
      }
      return calendar.closeOf(last);
    }
    case 'same_working_day': {
      const start = calendar.nextWorkingInstant(receivedAt);
      const day = calendar.localDate(start);
      const cutOff = instantAt(day, minuteOfDay(time.cutOff), calendar.timeZone);
      return calendar.closeOf(start <= cutOff ? day : calendar.nextWorkingDay(day));
    }
  }
}

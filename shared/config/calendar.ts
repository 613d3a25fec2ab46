import { type CalendarSpec, WorkingCalendar } from '../domain/calendar.ts';
import { wardConfig } from './current-ward.ts';
import type { WardConfig } from './ward.ts';

// Apart from ward.ts so that functions without deadlines do not bundle the holiday tables.
let calendar: WorkingCalendar | undefined;

/** The ward's working-time calendar, built once per function instance. */
export function wardCalendar(): WorkingCalendar {
  if (calendar) return calendar;
  calendar = new WorkingCalendar(calendarSpecOf(wardConfig()));
  return calendar;
}

/** The working calendar and the reception hours a ward configures. */
export function calendarSpecOf(ward: WardConfig): CalendarSpec {
  return {
    timeZone: ward.timeZone,
    sessions: ward.officeHours.sessions,
    seasons: ward.officeHours.seasons,
    weekdays: ward.officeHours.weekdays,
    holidayOverrides: ward.holidayOverrides,
    reception: ward.reception,
  };
}

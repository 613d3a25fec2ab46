import { WorkingCalendar } from '../domain/calendar.ts';
import { wardConfig } from './current-ward.ts';

// Apart from ward.ts so that functions without deadlines do not bundle the holiday tables.
let calendar: WorkingCalendar | undefined;

/** The ward's working-time calendar, built once per function instance. */
export function wardCalendar(): WorkingCalendar {
  if (calendar) return calendar;
  const ward = wardConfig();
  calendar = new WorkingCalendar({
    timeZone: ward.timeZone,
    sessions: ward.officeHours.sessions,
    weekdays: ward.officeHours.weekdays,
    holidayOverrides: ward.holidayOverrides,
  });
  return calendar;
}

import { CALENDAR_YEARS, MAX_SPAN_DAYS, MAX_WORKING_MINUTES, OutsideCalendar } from './calendar-bounds.ts';
import { computedDaysOff, type DayOff, type HolidayOverride } from './holidays.ts';
import {
  addDays,
  instantAt,
  isoWeekday,
  type LocalDate,
  localDateOf,
  minuteOfDay,
  parseLocalDate,
} from './zoned-time.ts';

export interface Session {
  start: string;
  end: string;
}

/** Office hours of part of the year (summer hours from 1 May, say): 'MM-DD' to 'MM-DD' inclusive, may wrap a year. */
export interface Season {
  from: string;
  to: string;
  sessions: readonly Session[];
}

/** When the counter receives on some weekdays, a Saturday morning say; in a season when `from`/`to` are given. */
export interface ReceptionRule {
  weekdays: readonly number[];
  sessions: readonly Session[];
  from?: string | undefined;
  to?: string | undefined;
}

export interface CalendarSpec {
  timeZone: string;
  /** Office sessions of a working day, outside any season. */
  sessions: readonly Session[];
  /** Other office sessions for part of the year; they apply to counting and to reception alike. */
  seasons?: readonly Season[] | undefined;
  /** ISO weekdays worked, 1 = Monday … 7 = Sunday. */
  weekdays: readonly number[];
  holidayOverrides: readonly HolidayOverride[];
  /**
   * Reception hours, apart from the working calendar: a weekday with a rule receives in the rule's sessions (even a
   * rest day, never a holiday); a working day without one receives in office hours. Absent: office hours only.
   */
  reception?: readonly ReceptionRule[] | undefined;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Office sessions of this many days (a dozen years) are kept; beyond, the cache starts again. */
const WINDOW_CACHE_DAYS = 12 * 366;

/**
 * The ward's working-time calendar: office sessions on working days, in the ward's time zone. Deadlines
 * are counted in working minutes over it. Instants are epoch milliseconds.
 */
export class WorkingCalendar {
  readonly timeZone: string;
  private readonly sessions: readonly [number, number][];
  private readonly seasons: readonly { from: string; to: string; sessions: readonly [number, number][] }[];
  private readonly reception:
    | readonly { weekdays: readonly number[]; from?: string; to?: string; sessions: readonly [number, number][] }[]
    | undefined;
  private readonly restWeekdays: ReadonlySet<number>;
  private readonly overrides: readonly HolidayOverride[];
  private readonly yearCache = new Map<number, { off: Map<LocalDate, string>; worked: Set<LocalDate> }>();
  private readonly windowCache = new Map<LocalDate, readonly [number, number][]>();

  constructor(spec: CalendarSpec) {
    this.timeZone = spec.timeZone;
    this.sessions = minutesOf(spec.sessions);
    this.seasons = (spec.seasons ?? []).map((s) => ({ from: s.from, to: s.to, sessions: minutesOf(s.sessions) }));
    this.reception = spec.reception?.map((r) => ({
      weekdays: r.weekdays,
      ...(r.from !== undefined && r.to !== undefined ? { from: r.from, to: r.to } : {}),
      sessions: minutesOf(r.sessions),
    }));
    this.restWeekdays = new Set([1, 2, 3, 4, 5, 6, 7].filter((d) => !spec.weekdays.includes(d)));
    this.overrides = spec.holidayOverrides;
  }

  /** Days off of a year, computed and overridden, with their reasons. */
  daysOff(year: number): DayOff[] {
    return [...this.year(year).off]
      .map(([date, reason]) => ({ date, reason }))
      .sort((a, b) => a.date.localeCompare(b.date));
  }

  /** Throws OutsideCalendar for a date outside CALENDAR_YEARS. */
  isWorkingDay(date: LocalDate): boolean {
    const year = this.year(parseLocalDate(date)[0]);
    if (year.worked.has(date)) return true;
    if (year.off.has(date)) return false;
    return !this.restWeekdays.has(isoWeekday(date));
  }

  localDate(instant: number): LocalDate {
    return localDateOf(instant, this.timeZone);
  }

  /**
   * The instant reached after `minutes` of working time from `start`. Time outside office hours does not
   * count, so a dossier received after closing starts counting at the next working morning; a deadline
   * that uses up a session exactly ends at that session's close.
   */
  addWorkingMinutes(start: number, minutes: number): number {
    if (minutes < 0) throw new RangeError('working time to add is negative');
    if (minutes > MAX_WORKING_MINUTES) throw spanTooLong();
    let remaining = minutes * MINUTE_MS;
    if (remaining === 0) return start;
    let date = this.localDate(start);
    for (let scanned = 0; scanned < MAX_SPAN_DAYS; scanned++, date = addDays(date, 1)) {
      for (const [open, close] of this.windows(date)) {
        if (close <= start) continue;
        const from = Math.max(open, start);
        if (remaining <= close - from) return from + remaining;
        remaining -= close - from;
      }
    }
    throw spanTooLong();
  }

  /** Working minutes between two instants (0 when `to` is not after `from`), at most MAX_SPAN_DAYS apart. */
  workingMinutesBetween(from: number, to: number): number {
    if (to <= from) return 0;
    if (to - from > MAX_SPAN_DAYS * DAY_MS) throw spanTooLong();
    let total = 0;
    const last = this.localDate(to);
    for (let date = this.localDate(from); date <= last; date = addDays(date, 1)) {
      for (const [open, close] of this.windows(date)) {
        const a = Math.max(open, from);
        const b = Math.min(close, to);
        if (b > a) total += b - a;
      }
    }
    return total / MINUTE_MS;
  }

  /** The first working instant at or after `instant`: when a clock started now really starts. */
  nextWorkingInstant(instant: number): number {
    let date = this.localDate(instant);
    for (let scanned = 0; scanned < MAX_SPAN_DAYS; scanned++, date = addDays(date, 1)) {
      for (const [open, close] of this.windows(date)) {
        if (close > instant) return Math.max(open, instant);
      }
    }
    throw spanTooLong();
  }

  /** The first working day after `date`. */
  nextWorkingDay(date: LocalDate): LocalDate {
    let day = addDays(date, 1);
    for (let scanned = 0; scanned < MAX_SPAN_DAYS; scanned++, day = addDays(day, 1)) {
      if (this.isWorkingDay(day)) return day;
    }
    throw spanTooLong();
  }

  /** The close of a working day's last office session: where a time limit counted in days ends. */
  closeOf(date: LocalDate): number {
    const sessions = this.windows(date);
    const last = sessions[sessions.length - 1];
    if (!last) throw new RangeError(`${date} is not a working day`);
    return last[1];
  }

  /** Whether an instant is inside office hours of a working day (a session's close included, its opening not). */
  isWorkingMoment(instant: number): boolean {
    return this.windows(this.localDate(instant)).some(([open, close]) => instant > open && instant <= close);
  }

  /**
   * Whether the counter receives at an instant. Reception is not the working calendar: a ward may receive on
   * Saturday mornings and still count its deadlines on working days only. No day off by a holiday receives.
   */
  isReceptionOpen(instant: number): boolean {
    const date = this.localDate(instant);
    const working = this.isWorkingDay(date);
    if (!working && this.year(parseLocalDate(date)[0]).off.has(date)) return false;
    const weekday = isoWeekday(date);
    // A make-up Saturday is a working day like any other: the counter keeps office hours, not Saturday's rule.
    const makeUp = working && this.restWeekdays.has(weekday);
    const rules = makeUp ? [] : (this.reception ?? []).filter((r) => r.weekdays.includes(weekday) && inSeason(date, r));
    const sessions = rules.length > 0 ? rules.flatMap((r) => r.sessions) : working ? this.sessionsOn(date) : [];
    return sessions.some(
      ([open, close]) =>
        instant >= instantAt(date, open, this.timeZone) && instant < instantAt(date, close, this.timeZone),
    );
  }

  /** Office sessions of a working day, in minutes of the day: a season's if one covers the date. */
  private sessionsOn(date: LocalDate): readonly [number, number][] {
    return this.seasons.find((s) => inSeason(date, s))?.sessions ?? this.sessions;
  }

  /** Office sessions of a day as instants; none on a day off. */
  private windows(date: LocalDate): readonly [number, number][] {
    let found = this.windowCache.get(date);
    if (!found) {
      found = this.isWorkingDay(date)
        ? this.sessionsOn(date).map(
            ([open, close]) =>
              [instantAt(date, open, this.timeZone), instantAt(date, close, this.timeZone)] as [number, number],
          )
        : [];
      if (this.windowCache.size >= WINDOW_CACHE_DAYS) this.windowCache.clear();
      this.windowCache.set(date, found);
    }
    return found;
  }

  private year(year: number) {
    if (!(year >= CALENDAR_YEARS.first && year <= CALENDAR_YEARS.last)) {
      throw new OutsideCalendar('calendar_out_of_range', {
        year,
        first: CALENDAR_YEARS.first,
        last: CALENDAR_YEARS.last,
      });
    }
    let entry = this.yearCache.get(year);
    if (!entry) {
      const off = new Map(computedDaysOff(year, this.restWeekdays).map((d) => [d.date, d.reason]));
      const worked = new Set<LocalDate>();
      for (const o of this.overrides.filter((o) => o.year === year)) {
        for (const d of o.daysOff) off.set(d, o.note ?? 'Nghỉ theo quyết định của năm');
        for (const d of o.workingDays) worked.add(d);
      }
      for (const d of worked) off.delete(d);
      entry = { off, worked };
      this.yearCache.set(year, entry);
    }
    return entry;
  }
}

function minutesOf(sessions: readonly Session[]): [number, number][] {
  return sessions.map((s) => [minuteOfDay(s.start), minuteOfDay(s.end)]);
}

/** Whether a date's 'MM-DD' is within a season's bounds, inclusive; a season may wrap the new year (from > to). */
function inSeason(date: LocalDate, season: { from?: string | undefined; to?: string | undefined }): boolean {
  if (season.from === undefined || season.to === undefined) return true;
  const day = date.slice(5);
  return season.from <= season.to ? day >= season.from && day <= season.to : day >= season.from || day <= season.to;
}

function spanTooLong(): OutsideCalendar {
  return new OutsideCalendar('calendar_span_too_long', { days: MAX_SPAN_DAYS });
}

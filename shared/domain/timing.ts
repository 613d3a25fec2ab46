import type { Dossier } from './dossier.ts';
import { addDays, instantAt, type LocalDate, localDateOf } from './zoned-time.ts';

/**
 * The verdict on a dossier's deadline, and the one rule of when its clock ends (docs/data-model.md, "Verdicts").
 *
 * - The clock ends when the result is ready for return: the leader's approval, which makes the dossier `resolved`
 *   (`resolvedAt`). When the citizen then collects it (`returned`) is theirs, not the ward's.
 * - The due date is the receipt's (form 01), moved only by a supplement pause or restart (`dueAt`). An apology
 *   (form 04) sets a new appointment for the citizen (`appointmentOf`) but does not move it: a dossier ready after
 *   its due date is late, with an apology.
 * - Early / on time / late compare the ready moment with the due date by calendar date in the ward's time zone
 *   (DOMAIN.md): late once the due date's day has passed, whatever the hour.
 *
 * The verdict (workflow.ts `approve`), the deadline watch's overdue alert, the views' `overdue` flag and the report
 * counters all decide through these functions, so what the watch calls overdue is what the verdict calls late.
 */

export type Timing = 'early' | 'on_time' | 'late';

/** When a dossier's clock ended, if it has: the moment its result was ready for return. */
export function clockEnd(dossier: Pick<Dossier, 'resolvedAt'> | undefined): string | undefined {
  return dossier?.resolvedAt;
}

/**
 * A dossier whose clock runs until `at` (or ends then) is late if it was due before this instant: the start of
 * `at`'s day in the ward. The deadline watch queries its overdue alerts with it.
 */
export function lateIfDueBefore(at: number, timeZone: string): number {
  return instantAt(localDateOf(at, timeZone), 0, timeZone);
}

/** Whether a clock that ends (or still runs) at `at` is past the due date `dueAt`. */
export function isLate(at: number, dueAt: number, timeZone: string): boolean {
  return dueAt < lateIfDueBefore(at, timeZone);
}

/** Early / on time / late: the moment the result is ready against the due date, by calendar date in the ward. */
export function classifyTiming(readyAt: number, dueAt: number, timeZone: string): Timing {
  if (isLate(readyAt, dueAt, timeZone)) return 'late';
  return localDateOf(readyAt, timeZone) < localDateOf(dueAt, timeZone) ? 'early' : 'on_time';
}

/**
 * The last day an apology may be issued: one day before the due date. Decree 61/2018/NĐ-CP on the one-stop
 * mechanism, Art. 19, as reported (we could not read the decree's own text): "chậm nhất 01 ngày trước ngày hết hạn"
 * the agency sends the citizen an apology (form 04 of Circular 01/2018/TT-VPCP) with the reason and the new date.
 */
export function apologyLastDay(dueAt: number, timeZone: string): LocalDate {
  return addDays(localDateOf(dueAt, timeZone), -1);
}

/** The date the result is promised to the citizen: the due date, or the later one an apology set. */
export function appointmentOf(dossier: Pick<Dossier, 'dueAt' | 'apologies'>): string | undefined {
  const apologized = dossier.apologies.at(-1)?.newDueAt;
  if (dossier.dueAt === undefined || apologized === undefined) return dossier.dueAt;
  return Date.parse(apologized) > Date.parse(dossier.dueAt) ? apologized : dossier.dueAt;
}

import { type CounterName, counterNames } from './report.ts';

/** A rate as leaders report it: the exact fraction, and the percentage rounded half up to two decimals. */
export interface Rate {
  numerator: number;
  denominator: number;
  /** e.g. "70.98%"; null when there is nothing to divide by. */
  percent: string | null;
}

export function rate(numerator: number, denominator: number): Rate {
  if (denominator === 0) return { numerator, denominator, percent: null };
  // Basis points, rounded half up in integers: 614/865 → 7098 → "70.98%".
  const basisPoints = Math.floor((2 * numerator * 10_000 + denominator) / (2 * denominator));
  return {
    numerator,
    denominator,
    percent: `${Math.floor(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, '0')}%`,
  };
}

export type Counters = Record<CounterName, number>;

export function sumCounters(days: readonly Partial<Record<string, unknown>>[]): Counters {
  const sums = Object.fromEntries(counterNames.map((name) => [name, 0])) as Counters;
  for (const day of days) {
    for (const name of counterNames) {
      const value = day[name];
      if (typeof value === 'number') sums[name] += value;
    }
  }
  return sums;
}

/** Counters less counters, name by name. */
export function minus(a: Counters, b: Counters): Counters {
  return Object.fromEntries(counterNames.map((name) => [name, a[name] - b[name]])) as Counters;
}

/**
 * The sums a report is made of, for one scope: every day before the period, every day up to its last, and the last
 * day alone. The period's own counters are the difference of the first two; the snapshot figures need all three.
 */
export interface PeriodSums {
  before: Counters;
  through: Counters;
  lastDay: Counters;
}

/**
 * The dossiers open at the end of a day, and of those the overdue ones (late were they ready that day: their due
 * day is before it, timing.ts `isLate`), from the tally summed up to that day (`through`) and the day alone.
 */
export function openAtEndOf(through: Counters, lastDay: Counters): { open: number; overdue: number } {
  const open = through.received - through.closed;
  // Due before the day: due on any day up to it, less the day itself. Those closed by then: on or before their due
  // day (counted on it), or after it (counted on the day they closed, which was at most this one).
  const overdue =
    through.due - lastDay.due - (through.closed_by_due - lastDay.closed_by_due) - through.closed_after_due;
  return { open, overdue };
}

/**
 * The figures of a period (DOMAIN.md, "The figures"; the names are the issue's): each count an integer, each rate a
 * `Rate`. Events count on the day they happened, in the ward's time zone; fees and digitisation with the dossiers
 * received in the period; `carriedOver` and the two in-progress figures are snapshots at the period's start and
 * end. A pure function of the sums, so a group's figures and the totals are built alike.
 */
export function figuresOf({ before, through, lastDay }: PeriodSums) {
  const c = minus(through, before);
  const resolved = c.resolved_early + c.resolved_on_time + c.resolved_late;
  const atStart = openAtEndOf(before, sumCounters([]));
  const atEnd = openAtEndOf(through, lastDay);
  return {
    carriedOver: atStart.open,
    received: c.received,
    receivedOnline: c.received_online,
    receivedInPerson: c.received_in_person,
    receivedPostal: c.received_postal,
    notAccepted: c.not_accepted,
    onlineShare: rate(c.received_online, c.received),
    onlineRate: rate(c.received_online_capable_online, c.received_online_capable),
    fullOnlineRate: rate(c.received_full_online_online, c.received_full_online),
    resolved,
    early: c.resolved_early,
    onTime: c.resolved_on_time,
    late: c.resolved_late,
    lateWithApology: c.resolved_late_apologized,
    onTimeRate: rate(c.resolved_early + c.resolved_on_time, resolved),
    inProgressWithinDeadline: atEnd.open - atEnd.overdue,
    inProgressOverdue: atEnd.overdue,
    returned: c.returned,
    rejected: c.rejected,
    withdrawn: c.withdrawn,
    stopped: c.stopped,
    apologies: c.apologies,
    digitisationRate: rate(c.digitised, c.received),
    eResults: c.e_results,
    reused: c.reused,
    feeBearing: c.fee_bearing,
    paid: c.paid,
    paidOnline: c.paid_online,
    onlinePaymentRate: rate(c.paid_online, c.fee_bearing),
    feesPaidOnlineVnd: c.paid_online_vnd,
    feesTotalVnd: c.paid_vnd,
    satisfactionRate: rate(c.rated_satisfied, c.rated),
    feedbackReceived: c.feedback_received,
    feedbackResolved: c.feedback_resolved,
    feedbackOnTime: c.feedback_resolved_on_time,
  };
}
export type Figures = ReturnType<typeof figuresOf>;

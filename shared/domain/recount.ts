import { FEEDBACK_SCOPES, type Feedback, feedbackDeltas, type Rating, ratingDeltas, ratingScopes } from './citizens.ts';
import type { Dossier } from './dossier.ts';
import { type CounterDelta, type CounterName, counterDeltas, counterNames, reportScopes } from './report.ts';

/**
 * The day counters recounted from the dossiers themselves, and how they differ from the stored ones
 * (`npm run reports:rebuild`, functions/report-rebuild). Generic over whatever counterNames, reportScopes and
 * counterDeltas say: each dossier counts as `counterDeltas(undefined, dossier)` under each of its scopes, which is
 * what the aggregator's deltas along its history add up to (test/unit/domain/recount.test.ts checks that they do).
 */

/** The counters of one scope on one day. */
export interface DayCounters {
  scope: string;
  date: string;
  counters: Partial<Record<CounterName, number>>;
}

/** One counter of one day whose stored value is not what the dossiers give. */
export interface CounterDifference {
  scope: string;
  date: string;
  counter: CounterName;
  stored: number;
  recounted: number;
}

const MAX_UNREADABLE_LISTED = 20;
const dayKey = (scope: string, date: string) => `${scope}\u0000${date}`;

/** Day counters summed per scope and day, as dossiers are added one by one (a scan's pages go through it). */
export class Recount {
  readonly days = new Map<string, DayCounters>();
  dossiers = 0;
  private readonly timeZone: string;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
  }

  /** Dossiers that could not be counted (the first few codes): the aggregator could not count them either. */
  readonly unreadable: string[] = [];

  add(dossier: Dossier): void {
    this.dossiers++;
    this.count(String(dossier.code), () => [reportScopes(dossier), counterDeltas(undefined, dossier, this.timeZone)]);
  }

  /** A rating counts once, on its day, as the aggregator counts it when it is written. */
  addRating(rating: Rating): void {
    this.count(rating.code, () => [ratingScopes(rating), ratingDeltas(rating, this.timeZone)]);
  }

  /** Feedback counts as filed and as resolved: what its history's deltas add up to. */
  addFeedback(feedback: Feedback): void {
    this.count(feedback.code, () => [[...FEEDBACK_SCOPES], feedbackDeltas(undefined, feedback, this.timeZone)]);
  }

  private count(code: string, counted: () => [string[], CounterDelta[]]): void {
    let scopes: string[];
    let deltas: CounterDelta[];
    try {
      [scopes, deltas] = counted();
    } catch {
      // An item that is not whole: named, and the others still counted.
      if (this.unreadable.length < MAX_UNREADABLE_LISTED) this.unreadable.push(code);
      return;
    }
    for (const delta of deltas)
      for (const scope of scopes) {
        const key = dayKey(scope, delta.date);
        const day = this.days.get(key) ?? { scope, date: delta.date, counters: {} };
        this.days.set(key, day);
        for (const [name, value] of Object.entries(delta.counters) as [CounterName, number][])
          day.counters[name] = (day.counters[name] ?? 0) + value;
      }
  }
}

/** The counters of a stored day item: the numbers under counterNames, nothing else it carries. */
export function storedCounters(item: Record<string, unknown>): DayCounters['counters'] {
  const counters: DayCounters['counters'] = {};
  for (const name of counterNames) {
    const value = item[name];
    if (typeof value === 'number') counters[name] = value;
  }
  return counters;
}

/**
 * Every counter whose stored value differs from the recount, in order of scope, day and counter name; a counter
 * absent on either side is 0, and a day present on one side only is compared with nothing.
 */
export function counterDifferences(
  recounted: Iterable<DayCounters>,
  stored: Iterable<DayCounters>,
): CounterDifference[] {
  const pairs = new Map<string, { scope: string; date: string; recounted?: DayCounters; stored?: DayCounters }>();
  const pair = (day: DayCounters) => {
    const key = dayKey(day.scope, day.date);
    const entry = pairs.get(key) ?? { scope: day.scope, date: day.date };
    pairs.set(key, entry);
    return entry;
  };
  for (const day of recounted) pair(day).recounted = day;
  for (const day of stored) pair(day).stored = day;
  const differences: CounterDifference[] = [];
  for (const entry of pairs.values())
    for (const counter of counterNames) {
      const s = entry.stored?.counters[counter] ?? 0;
      const r = entry.recounted?.counters[counter] ?? 0;
      if (s !== r) differences.push({ scope: entry.scope, date: entry.date, counter, stored: s, recounted: r });
    }
  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return differences.sort(
    (a, b) =>
      byCode(a.scope, b.scope) ||
      byCode(a.date, b.date) ||
      counterNames.indexOf(a.counter) - counterNames.indexOf(b.counter),
  );
}

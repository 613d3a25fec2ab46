import { localDateOf } from './zoned-time.ts';

export type Timing = 'early' | 'on_time' | 'late';

/** Early / on time / late: the finish date against the due date, by calendar date in the ward's zone. */
export function classifyTiming(finishedAt: number, dueAt: number, timeZone: string): Timing {
  const finished = localDateOf(finishedAt, timeZone);
  const due = localDateOf(dueAt, timeZone);
  if (finished < due) return 'early';
  if (finished === due) return 'on_time';
  return 'late';
}

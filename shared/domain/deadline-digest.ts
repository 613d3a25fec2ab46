/**
 * The leaders' digest of deadlines: the dossiers whose clock runs, overdue, due by the end of the ward's day, or due
 * within the ward's due-soon window after it, counted and listed by department. Pure: the caller reads the
 * dossiers and brings the instant. The three groups do not overlap, so each dossier is counted once.
 */
import { addDays, instantAt, type LocalDate, localDateOf } from './zoned-time.ts';

export interface DigestEntry {
  code: string;
  procedureName: string;
  applicantName?: string | undefined;
  assignee?: string | undefined;
  assigneeName?: string | undefined;
  department?: string | undefined;
  dueAt: string;
}

export type DigestGroup = 'overdue' | 'dueToday' | 'dueSoon';
type Counts = Record<DigestGroup, number>;

export interface DepartmentDeadlines extends Record<DigestGroup, DigestEntry[]> {
  department: string;
  counts: Counts;
}

export interface DeadlineDigest {
  at: string;
  /** The ward's local date of `at`. */
  date: LocalDate;
  timeZone: string;
  dueSoonHours: number;
  counts: Counts;
  departments: DepartmentDeadlines[];
  /** False when more dossiers were due than one digest reads (the lists and counts are then a lower bound). */
  complete: boolean;
}

/** Dossiers with no department yet are listed under this name. */
export const UNASSIGNED_DEPARTMENT = 'Chưa phân công';

export interface DigestWindow {
  now: number;
  /** The end of the ward's day (exclusive). */
  endOfToday: number;
  /** The end of the due-soon window (inclusive), as the worklist's dueSoon flag counts it. */
  dueSoonUntil: number;
}

export function digestWindow(now: number, timeZone: string, dueSoonHours: number): DigestWindow {
  const endOfToday = instantAt(addDays(localDateOf(now, timeZone), 1), 0, timeZone);
  return { now, endOfToday, dueSoonUntil: now + dueSoonHours * 3_600_000 };
}

export function digestGroup(dueAt: number, window: DigestWindow): DigestGroup | undefined {
  if (dueAt < window.now) return 'overdue';
  if (dueAt < window.endOfToday) return 'dueToday';
  if (dueAt <= window.dueSoonUntil) return 'dueSoon';
  return undefined;
}

export function deadlineDigest(
  entries: readonly DigestEntry[],
  options: { now: number; timeZone: string; dueSoonHours: number; complete: boolean },
): DeadlineDigest {
  const window = digestWindow(options.now, options.timeZone, options.dueSoonHours);
  const zero = (): Counts => ({ overdue: 0, dueToday: 0, dueSoon: 0 });
  const counts = zero();
  const byDepartment = new Map<string, DepartmentDeadlines>();
  const sorted = [...entries].sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.code.localeCompare(b.code));
  for (const entry of sorted) {
    const group = digestGroup(Date.parse(entry.dueAt), window);
    if (!group) continue;
    const name = entry.department ?? UNASSIGNED_DEPARTMENT;
    let department = byDepartment.get(name);
    if (!department) {
      department = { department: name, counts: zero(), overdue: [], dueToday: [], dueSoon: [] };
      byDepartment.set(name, department);
    }
    department[group].push(entry);
    department.counts[group]++;
    counts[group]++;
  }
  return {
    at: new Date(options.now).toISOString(),
    date: localDateOf(options.now, options.timeZone),
    timeZone: options.timeZone,
    dueSoonHours: options.dueSoonHours,
    counts,
    departments: [...byDepartment.values()].sort((a, b) => a.department.localeCompare(b.department, 'vi')),
    complete: options.complete,
  };
}

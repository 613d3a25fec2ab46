import type { CounterName } from './report.ts';
import type { LocalDate } from './zoned-time.ts';

/**
 * A report as a leader hands it on (CSV, printable HTML): plain headings, labelled figures and the monthly series
 * of its chart. The renderers read only this, so the JSON view can grow or rename figures without touching them.
 */
export interface ReportDocument {
  ward: { name: string; unitCode: string };
  period: { from: LocalDate; to: LocalDate };
  /** What the figures cover, in words: the whole ward, a field, a procedure. */
  scope: string;
  sections: readonly ReportSection[];
  /** Every month the period touches, in order, empty months included. */
  series: readonly ReportMonth[];
}

export interface ReportSection {
  heading: string;
  rows: readonly ReportRow[];
}

export interface ReportRow {
  label: string;
  value: number | ReportRate;
  /** Counts are dossiers unless said otherwise. */
  unit?: 'vnd';
}

export interface ReportRate {
  numerator: number;
  denominator: number;
  /** "70.98%", or null when the denominator is 0. */
  percent: string | null;
}

export interface ReportMonth {
  /** YYYY-MM */
  month: string;
  received: { online: number; inPerson: number; postal: number };
  resolved: number;
}

/** The names of the series, in the chart's legend and in the CSV's monthly records. */
export const SERIES_LABELS = {
  online: 'Tiếp nhận trực tuyến',
  inPerson: 'Tiếp nhận trực tiếp',
  postal: 'Tiếp nhận qua bưu chính công ích',
  resolved: 'Đã giải quyết',
} as const;

export const isRate = (value: ReportRow['value']): value is ReportRate => typeof value === 'object';

/** The months from the period's first to its last, YYYY-MM: at most 13 for a period of at most 366 days. */
export function monthsOf(from: LocalDate, to: LocalDate): string[] {
  const months: string[] = [];
  let [year, month] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const last = to.slice(0, 7);
  for (;;) {
    const current = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (current > last) return months;
    months.push(current);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
}

const counted = (day: Record<string, unknown>, name: CounterName) =>
  typeof day[name] === 'number' ? (day[name] as number) : 0;

/**
 * The chart's series: the period's day counters (one item per day with its `date`) summed by month. A day outside
 * the period's months is left out rather than trusted.
 */
export function monthlySeries(
  period: { from: LocalDate; to: LocalDate },
  days: readonly Record<string, unknown>[],
): ReportMonth[] {
  const byMonth = new Map<string, ReportMonth>(
    monthsOf(period.from, period.to).map((month) => [
      month,
      { month, received: { online: 0, inPerson: 0, postal: 0 }, resolved: 0 },
    ]),
  );
  for (const day of days) {
    const month = typeof day.date === 'string' ? byMonth.get(day.date.slice(0, 7)) : undefined;
    if (!month) continue;
    month.received.online += counted(day, 'received_online');
    month.received.inPerson += counted(day, 'received_in_person');
    month.received.postal += counted(day, 'received_postal');
    month.resolved += counted(day, 'resolved_early') + counted(day, 'resolved_on_time') + counted(day, 'resolved_late');
  }
  return [...byMonth.values()];
}

/** 2025-07-01 → 01/07/2025, as Vietnamese documents write dates. */
export const vietnameseDate = (date: LocalDate) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
/** 2025-07 → 07/2025. */
export const vietnameseMonth = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;

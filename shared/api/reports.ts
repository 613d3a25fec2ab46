import * as z from 'zod';
import { CALENDAR_YEARS, inCalendarRange } from '../domain/calendar-bounds.ts';
import { reportGroupings } from '../domain/report.ts';
import { addDays, formatLocalDate, type LocalDate } from '../domain/zoned-time.ts';
import { index766View } from './index766.ts';

/** A year, leap or not: the longest period a report adds up. */
export const MAX_REPORT_DAYS = 366;
/** The most rows `groupBy` gives (procedures of a large catalog); each reads a few dozen items (report-store.ts). */
export const MAX_REPORT_GROUPS = 500;
const reportDate = z.iso.date().refine(inCalendarRange, { message: 'date_in_calendar_range', params: CALENDAR_YEARS });
const DAY_MS = 86_400_000;
/** Days from the first to the last day, both counted; undefined while either is not a date (its own field says so). */
const periodDays = (from: string, to: string) => {
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  return Number.isFinite(days) ? days : undefined;
};
/** A named period: a year (2025), a quarter (2025-Q3) or a month (2025-09). */
const PERIOD_PATTERN = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/;

/** The first and last day of a named period (`2025-Q3` → 2025-07-01 … 2025-09-30). */
export function namedPeriod(name: string): { from: LocalDate; to: LocalDate } {
  const [, y, quarter, month] = PERIOD_PATTERN.exec(name) ?? [];
  if (!y) throw new RangeError(`period ${name}`);
  const year = Number(y);
  const [first, months] = quarter ? [3 * Number(quarter) - 2, 3] : month ? [Number(month), 1] : [1, 12];
  const from = formatLocalDate(year, first, 1);
  const next = first + months > 12 ? formatLocalDate(year + 1, 1, 1) : formatLocalDate(year, first + months, 1);
  return { from, to: addDays(next, -1) };
}

/** The period a valid query names, in either form. */
export function reportPeriod(query: ReportQuery): { from: LocalDate; to: LocalDate } {
  return query.period ? namedPeriod(query.period) : { from: query.from!, to: query.to! };
}

const rateView = z
  .object({ numerator: z.number().int(), denominator: z.number().int(), percent: z.string().nullable() })
  .meta({ id: 'Rate', description: 'An exact fraction and its percentage, rounded half up to two decimals (70.98%)' });

export const reportQuery = z
  .object({
    from: reportDate
      .meta({
        description: `First day, in the ward’s time zone (years ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last}); with \`to\`, instead of \`period\``,
      })
      .optional(),
    to: reportDate
      .meta({ description: `Last day, inclusive; the period is at most ${MAX_REPORT_DAYS} days long` })
      .optional(),
    period: z
      .string()
      .regex(PERIOD_PATTERN, 'report_period_name')
      .refine((p) => inCalendarRange(`${p.slice(0, 4)}-01-01`), {
        message: 'date_in_calendar_range',
        params: CALENDAR_YEARS,
      })
      .meta({ description: 'A year (2025), a quarter (2025-Q3) or a month (2025-09), instead of `from` and `to`' })
      .optional(),
    field: z
      .string()
      .regex(/^[A-Z]{2,10}$/)
      .optional(),
    procedure: z
      .string()
      .regex(/^\d\.\d{6}$/)
      .optional(),
    groupBy: z
      .enum(reportGroupings)
      .meta({
        description: `A row per field, procedure, channel or department beside the totals (at most ${MAX_REPORT_GROUPS}); with \`field\`, only \`procedure\``,
      })
      .optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const dates = q.from !== undefined || q.to !== undefined;
    if (q.period !== undefined && dates)
      ctx.addIssue({ code: 'custom', message: 'report_period_one_form', path: ['period'] });
    else if (q.period === undefined)
      for (const name of ['from', 'to'] as const)
        if (q[name] === undefined) ctx.addIssue({ code: 'custom', message: 'report_period_required', path: [name] });
    if (q.field && q.procedure) ctx.addIssue({ code: 'custom', message: 'report_one_scope', path: ['procedure'] });
    if (q.groupBy && (q.procedure || (q.field && q.groupBy !== 'procedure')))
      ctx.addIssue({ code: 'custom', message: 'report_group_in_scope', path: ['groupBy'] });
    if (q.from === undefined || q.to === undefined) return;
    if (q.from > q.to) ctx.addIssue({ code: 'custom', message: 'report_period_order', path: ['to'] });
    else if ((periodDays(q.from, q.to) ?? 0) > MAX_REPORT_DAYS)
      ctx.addIssue({
        code: 'custom',
        message: 'report_period_too_long',
        path: ['to'],
        params: { days: MAX_REPORT_DAYS },
      });
  });
export type ReportQuery = z.infer<typeof reportQuery>;

const count = (description?: string) => {
  const n = z.number().int();
  return description ? n.meta({ description }) : n;
};

/** The figures of one scope for a period: the issue's names, each a count or a `Rate` (shared/domain/figures.ts). */
export const figuresView = z
  .object({
    carriedOver: count('Received before the period and not finished before it (a snapshot at its start)'),
    received: count('Received (accepted) in the period, every channel'),
    receivedOnline: count(),
    receivedInPerson: count(),
    receivedPostal: count(),
    notAccepted: count('Refused at intake (form 03)'),
    onlineShare: rateView.describe('Online of all received'),
    onlineRate: rateView.describe('Online among received dossiers whose procedure offers online filing'),
    fullOnlineRate: rateView.describe('Online among received dossiers of full-online procedures'),
    resolved: count('Results ready (the clock ended) in the period'),
    early: count(),
    onTime: count(),
    late: count(),
    lateWithApology: count('Of the late ones, those with an apology (form 04): an apology does not make one on time'),
    onTimeRate: rateView.describe('(early + on time) ÷ resolved'),
    inProgressWithinDeadline: count(
      'Open at the end of the last day, not past the due date (awaiting a supplement included)',
    ),
    inProgressOverdue: count('Open at the end of the last day, due on an earlier day'),
    returned: count(),
    rejected: count(),
    withdrawn: count(),
    stopped: count(),
    apologies: count('Apologies (form 04) issued in the period'),
    digitisationRate: rateView.describe('Received dossiers whose mandatory components are all digitised ÷ received'),
    eResults: count('Results issued as electronic documents'),
    reused: count('Components reused from earlier digitised results'),
    feeBearing: count('Received dossiers with a fee above zero, not exempt'),
    paid: count(),
    paidOnline: count(),
    onlinePaymentRate: rateView.describe('Paid online ÷ fee-bearing'),
    feesPaidOnlineVnd: count('Fees paid online (VND)'),
    feesTotalVnd: count('Fees paid by any method (VND)'),
    satisfactionRate: rateView.describe('Satisfied or very satisfied ÷ ratings'),
    feedbackReceived: count(),
    feedbackResolved: count(),
    feedbackOnTime: count('Feedback resolved within its deadline'),
  })
  .meta({
    id: 'ReportFigures',
    description:
      'Each event counts on the day it happened in the ward’s time zone; fees and digitisation with the dossiers received in the period; carriedOver and the in-progress figures are snapshots at the period’s start and end',
  });

export const reportView = z
  .object({
    ward: z.object({ name: z.string(), unitCode: z.string() }),
    period: z.object({ from: z.iso.date(), to: z.iso.date() }),
    scope: z.string().meta({ description: 'ward, field#<code> or procedure#<code>' }),
    figures: figuresView.describe('The totals of the scope'),
    index766: index766View,
    groupBy: z.enum(reportGroupings).optional(),
    groups: z
      .array(
        z.object({
          key: z.string().meta({
            description:
              'The field or procedure code, the channel, or the department ("" for dossiers not assigned to one)',
          }),
          name: z.string(),
          figures: figuresView,
        }),
      )
      .optional()
      .meta({ description: 'With groupBy: a row per group, in catalog or directory order; they add up to the totals' }),
  })
  .meta({ id: 'Report', description: 'Figures of a period, for the ward, a field or a procedure' });

import * as z from 'zod';
import { CALENDAR_YEARS, inCalendarRange } from '../domain/calendar-bounds.ts';
import { index766View } from './index766.ts';

/** A year, leap or not: the longest period a report adds up (its day counters are read one by one). */
export const MAX_REPORT_DAYS = 366;
const reportDate = z.iso.date().refine(inCalendarRange, { message: 'date_in_calendar_range', params: CALENDAR_YEARS });
const DAY_MS = 86_400_000;
/** Days from the first to the last day, both counted; undefined while either is not a date (its own field says so). */
const periodDays = (from: string, to: string) => {
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  return Number.isFinite(days) ? days : undefined;
};

const rateView = z
  .object({ numerator: z.number().int(), denominator: z.number().int(), percent: z.string().nullable() })
  .meta({ id: 'Rate', description: 'An exact fraction and its percentage, rounded half up to two decimals (70.98%)' });

export const reportQuery = z
  .object({
    from: reportDate.meta({
      description: `First day, in the ward’s time zone (years ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last})`,
    }),
    to: reportDate.meta({ description: `Last day, inclusive; the period is at most ${MAX_REPORT_DAYS} days long` }),
    field: z
      .string()
      .regex(/^[A-Z]{2,10}$/)
      .optional(),
    procedure: z
      .string()
      .regex(/^\d\.\d{6}$/)
      .optional(),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'report_period_order', path: ['to'] })
  .refine((q) => (periodDays(q.from, q.to) ?? 0) <= MAX_REPORT_DAYS, {
    message: 'report_period_too_long',
    path: ['to'],
    params: { days: MAX_REPORT_DAYS },
  })
  .refine((q) => !(q.field && q.procedure), { message: 'report_one_scope', path: ['procedure'] });

export const reportView = z
  .object({
    ward: z.object({ name: z.string(), unitCode: z.string() }),
    period: z.object({ from: z.iso.date(), to: z.iso.date() }),
    scope: z.string().meta({ description: 'ward, field#<code> or procedure#<code>' }),
    received: z.object({
      total: z.number(),
      online: z.number(),
      inPerson: z.number(),
      postal: z.number(),
      notAccepted: z.number(),
    }),
    online: z.object({ shareOfReceived: rateView, rateWhereOffered: rateView, rateForFullOnline: rateView }),
    resolved: z.object({
      total: z.number(),
      early: z.number(),
      onTime: z.number(),
      late: z.number(),
      lateWithApology: z.number().meta({
        description: 'Of the late ones, those with an apology (form 04): an apology does not make one on time',
      }),
      onTimeRate: rateView,
    }),
    outcomes: z.object({
      returned: z.number(),
      rejected: z.number(),
      withdrawn: z.number(),
      stopped: z.number(),
      apologies: z.number(),
    }),
    digitisation: rateView,
    fees: z.object({
      feeBearing: z.number(),
      paid: z.number(),
      paidOnline: z.number(),
      onlinePaymentRate: rateView,
      paidOnlineVnd: z.number(),
    }),
    index766: index766View,
  })
  .meta({ id: 'Report', description: 'Figures of a period, counted on the day each event happened' });

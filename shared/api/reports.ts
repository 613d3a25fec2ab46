import * as z from 'zod';

const rateView = z
  .object({ numerator: z.number().int(), denominator: z.number().int(), percent: z.string().nullable() })
  .meta({ id: 'Rate', description: 'An exact fraction and its percentage, rounded half up to two decimals (70.98%)' });

export const reportQuery = z
  .object({
    from: z.iso.date().meta({ description: 'First day, in the ward’s time zone' }),
    to: z.iso.date().meta({ description: 'Last day, inclusive' }),
    field: z.string().regex(/^[A-Z]{2,10}$/).optional(),
    procedure: z.string().regex(/^\d\.\d{6}$/).optional(),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'report_period_order', path: ['to'] })
  .refine((q) => !(q.field && q.procedure), { message: 'report_one_scope', path: ['procedure'] });

export const reportView = z
  .object({
    ward: z.object({ name: z.string(), unitCode: z.string() }),
    period: z.object({ from: z.iso.date(), to: z.iso.date() }),
    scope: z.string().meta({ description: 'ward, field#<code> or procedure#<code>' }),
    received: z.object({ total: z.number(), online: z.number(), inPerson: z.number(), postal: z.number(), notAccepted: z.number() }),
    online: z.object({ shareOfReceived: rateView, rateWhereOffered: rateView, rateForFullOnline: rateView }),
    resolved: z.object({ total: z.number(), early: z.number(), onTime: z.number(), late: z.number(), onTimeRate: rateView }),
    outcomes: z.object({ returned: z.number(), rejected: z.number(), withdrawn: z.number(), stopped: z.number(), apologies: z.number() }),
    digitisation: rateView,
    fees: z.object({ feeBearing: z.number(), paid: z.number(), paidOnline: z.number(), onlinePaymentRate: rateView, paidOnlineVnd: z.number() }),
  })
  .meta({ id: 'Report', description: 'Figures of a period, counted on the day each event happened' });

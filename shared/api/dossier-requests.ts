import * as z from 'zod';
import { CALENDAR_YEARS, inCalendarRange } from '../domain/calendar-bounds.ts';
import { channels, dossierStatuses } from '../domain/dossier.ts';
import { freeText } from './text.ts';

// The request schemas of the dossier routes, apart from their views (dossiers.ts): a function builds the schemas of
// its own requests at init, and no function but the OpenAPI document's builds a view.

export const dossierCodeParams = z.object({
  code: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: 'Dossier code <unit code>-YYMMDD-NNNN, e.g. 000.00.00.H99-261123-0001' }),
});

export const intakeHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{8,128}$/)
    .optional()
    .meta({
      description:
        'A unique key per submission (8–128 visible ASCII characters, a UUID is ideal): a retry with it returns the first answer',
    }),
});

export const actionHeaders = z.object({
  'if-match': z
    .string()
    .max(4096)
    .optional()
    .meta({ description: 'The ETag of the dossier as last read (GET /dossiers/{code})' }),
});

export const worklistQuery = z
  .object({
    status: z.enum(dossierStatuses).optional(),
    field: z
      .string()
      .regex(/^[A-Z]{2,10}$/)
      .optional(),
    assignee: freeText({ max: 128 }).optional().meta({ description: 'An assignee (username), or `me` for the caller' }),
    channel: z.enum(channels).optional(),
    dueBefore: z
      .union([z.iso.datetime({ offset: true }), z.iso.date()])
      .refine((v) => inCalendarRange(v.slice(0, 10)), { message: 'date_in_calendar_range', params: CALENDAR_YEARS })
      .optional()
      .meta({
        description: `An instant, or a date meaning the start of that day in the ward’s time zone; in the years ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last}`,
      }),
    sort: z.enum(['newest', 'due']).default('newest').meta({ description: 'newest filed first, or soonest due first' }),
    overdue: z
      .enum(['true', 'false'])
      .optional()
      .meta({ description: '`true`: only dossiers past their due date whose clock runs (soonest due first)' }),
    dueSoon: z.enum(['true', 'false']).optional().meta({
      description:
        '`true`: only dossiers due from now to the end of the ward’s due-soon window (soonest due first); with `overdue=true`, both',
    }),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const publicLookupQuery = z
  .object({
    pin: z
      .string()
      .regex(/^\d{8}$/)
      .meta({ description: 'The 8-digit PIN printed on the receipt' }),
  })
  .strict();

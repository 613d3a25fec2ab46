import * as z from 'zod';
import { CALENDAR_YEARS, inCalendarRange } from '../domain/calendar-bounds.ts';
import { channels, dossierStatuses, paymentMethods } from '../domain/dossier.ts';
import { type ActionName, actionRules } from '../domain/workflow.ts';
import { freeText } from './text.ts';

const instant = z.iso.datetime();
const actionNames = Object.keys(actionRules) as [ActionName, ...ActionName[]];

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

const actorView = z.object({
  kind: z.enum(['staff', 'portal', 'system']),
  id: z.string(),
  username: z.string().optional().meta({ description: 'A staff member’s sign-in name' }),
  name: z.string().meta({ description: 'Display name (of the staff directory for staff)' }),
  role: z.string().optional(),
});
const slipPaymentView = z
  .object({
    method: z.enum(paymentMethods),
    amountVnd: z.number().int().optional(),
    transactionRef: z.string().optional(),
    legalBasis: z.string().optional(),
  })
  .meta({ description: 'The payment or exemption recorded with this row; an exemption names its legal basis' });

export const receiptView = z
  .object({
    form: z
      .literal('01')
      .meta({ description: 'Circular 03/2025/TT-VPCP form 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả)' }),
    code: z.string(),
    status: z.enum(dossierStatuses),
    ward: z.object({ name: z.string(), unitCode: z.string() }),
    procedure: z.object({ code: z.string(), name: z.string() }),
    applicant: z.object({
      fullName: z.string(),
      idNumber: z.string(),
      phone: z.string(),
      email: z.string().optional(),
      address: z.string(),
    }),
    components: z.array(z.object({ code: z.string(), name: z.string() })),
    channel: z.enum(channels),
    filedAt: instant,
    receivedAt: instant
      .nullable()
      .meta({ description: 'Null for an online dossier until the one-stop officer accepts it' }),
    dueAt: instant.nullable(),
    feeVnd: z.number().int(),
    resultCollection: z.string(),
    lookup: z.object({
      pin: z.string().meta({ description: 'Shown once, here; only its hash is kept' }),
      path: z.string(),
    }),
  })
  .meta({ id: 'Receipt' });

export const slipEntryView = z
  .object({
    seq: z.number().int(),
    action: z.string(),
    actor: actorView,
    fromStatus: z.enum(dossierStatuses).nullable(),
    toStatus: z.enum(dossierStatuses),
    department: z.string().optional(),
    assignee: z.string().optional(),
    at: instant,
    note: z.string().optional(),
    payment: slipPaymentView.optional(),
    withinDeadline: z.boolean().nullable(),
  })
  .meta({ id: 'ControlSlipEntry', description: 'One row of the control slip (form 06)' });

export const dossierView = z
  .object({
    code: z.string(),
    version: z.number().int(),
    status: z.enum(dossierStatuses),
    procedure: z.object({
      code: z.string(),
      name: z.string(),
      fieldCode: z.string(),
      fieldName: z.string(),
      onlineLevel: z.string(),
    }),
    processingMinutes: z.number().int().meta({
      description:
        'The legal processing time in force for this dossier, in working minutes (a working day is 480), copied from the catalog at intake',
    }),
    channel: z.enum(channels),
    portalId: z.string().optional(),
    applicant: z
      .object({
        fullName: z.string(),
        idNumber: z.string().optional(),
        phone: z.string().optional(),
        email: z.string().optional(),
        address: z.string().optional(),
      })
      .optional()
      .meta({ description: 'As much as the caller’s role needs: see applicantDetail' }),
    applicantDetail: z.enum(['full', 'name', 'none']).meta({
      description:
        'full: officers, leaders, the specialist holding the dossier (its assignee, or its department’s specialists while only a department is named) and the filing portal; name: other specialists',
    }),
    components: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        mandatory: z.boolean(),
        document: z
          .object({
            key: z.string(),
            sha256: z.string(),
            contentType: z.string(),
            sizeBytes: z.number(),
            verifiedAt: instant,
          })
          .optional(),
      }),
    ),
    fee: z.object({
      amountVnd: z.number().int(),
      method: z.enum(paymentMethods).nullable(),
      paidAt: instant.optional(),
      paidAmountVnd: z.number().optional(),
      transactionRef: z.string().optional(),
      legalBasis: z.string().optional().meta({ description: 'The provision an exemption rests on' }),
    }),
    filedAt: instant,
    receivedAt: instant.optional(),
    dueAt: instant.optional(),
    originalDueAt: instant.optional(),
    assignee: z.string().optional().meta({ description: 'Username of the staff member handling the dossier' }),
    department: z
      .string()
      .optional()
      .meta({ description: 'The department handling it; alone, its specialists share the dossier' }),
    transferredTo: z.string().optional(),
    supplement: z
      .object({ requestedAt: instant, missing: z.array(z.string()), note: z.string().optional() })
      .optional(),
    resolvedAt: instant.optional(),
    timing: z.enum(['early', 'on_time', 'late']).optional(),
    returnedAt: instant.optional(),
    returnChannel: z.enum(channels).optional(),
    finishedAt: instant.optional(),
    reason: z.string().optional(),
    apologies: z
      .array(z.object({ at: instant, reason: z.string(), previousDueAt: instant, newDueAt: instant }))
      .max(1)
      .meta({ description: 'At most one: a new date is set only once' }),
    apologizedAt: instant.optional(),
    overdue: z.boolean().meta({ description: 'Past due and not finished, at the time of the answer' }),
    dueSoon: z.boolean().meta({ description: 'Due within the ward’s alert window (24 h by default) and not finished' }),
    allowedActions: z.array(z.enum(actionNames)).meta({ description: 'What the caller may do now' }),
  })
  .meta({ id: 'Dossier' });

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

export const worklistItemView = dossierView
  .pick({
    code: true,
    version: true,
    status: true,
    procedure: true,
    channel: true,
    filedAt: true,
    receivedAt: true,
    dueAt: true,
    assignee: true,
    department: true,
    timing: true,
    overdue: true,
    dueSoon: true,
  })
  .extend({ applicantName: z.string().optional(), etag: z.string() })
  .meta({ id: 'WorklistItem' });

export const worklistView = z
  .object({
    items: z.array(worklistItemView),
    cursor: z.string().optional().meta({ description: 'Pass it back for the next page; absent on the last page' }),
  })
  .meta({ id: 'Worklist' });

export const historyView = z.object({ code: z.string(), entries: z.array(slipEntryView) }).meta({ id: 'ControlSlip' });

export const actionResultView = z
  .object({
    code: z.string(),
    version: z.number().int(),
    status: z.enum(dossierStatuses),
    dueAt: instant.nullable(),
    allowedActions: z.array(z.enum(actionNames)),
    controlSlipEntry: slipEntryView,
  })
  .meta({ id: 'ActionResult' });

export const publicLookupQuery = z
  .object({
    pin: z
      .string()
      .regex(/^\d{8}$/)
      .meta({ description: 'The 8-digit PIN printed on the receipt' }),
  })
  .strict();

export const publicStatusView = z
  .object({
    code: z.string(),
    status: z.enum(dossierStatuses),
    statusText: z.string(),
    procedure: z.object({ code: z.string(), name: z.string() }),
    filedAt: instant,
    receivedAt: instant.nullable(),
    dueAt: instant.nullable(),
    finishedAt: instant.nullable(),
    timing: z.enum(['early', 'on_time', 'late']).nullable(),
  })
  .meta({ id: 'PublicDossierStatus', description: 'What a citizen sees with the receipt PIN: nothing personal' });

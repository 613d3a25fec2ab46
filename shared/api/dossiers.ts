import * as z from 'zod';
import { channels, dossierStatuses, paymentMethods } from '../domain/dossier.ts';
import { type ActionName, actionRules } from '../domain/workflow.ts';

const instant = z.iso.datetime();
const actionNames = Object.keys(actionRules) as [ActionName, ...ActionName[]];

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
        reused: z.object({ id: z.uuid(), at: instant }).optional().meta({
          description:
            'Reused (tái sử dụng): `id` is the dossier’s document pointing at an earlier verified one of the same applicant, which GET /dossiers/{code}/documents/{id} downloads',
        }),
      }),
    ),
    digitisedAt: instant.optional().meta({
      description: 'When every mandatory component was verified or reused (digitised); absent while one is not',
    }),
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
    dueAt: instant.optional().meta({
      description: 'The due date of the receipt, moved only by a supplement pause or restart; the verdict goes by it',
    }),
    appointmentAt: instant.optional().meta({
      description: 'The date the result is promised to the citizen: the due date, or the later one an apology set',
    }),
    originalDueAt: instant.optional(),
    assignee: z.string().optional().meta({ description: 'Username of the staff member handling the dossier' }),
    department: z
      .string()
      .optional()
      .meta({ description: 'The department handling it; alone, its specialists share the dossier' }),
    transferredTo: z.string().optional(),
    supplement: z
      .object({
        requestedAt: instant,
        missing: z.array(z.string()),
        note: z.string().optional(),
        components: z
          .array(z.object({ code: z.string(), name: z.string() }))
          .optional()
          .meta({ description: 'Components the supplement asks for; an unlisted one joins the dossier with its file' }),
      })
      .optional(),
    resolvedAt: instant.optional(),
    eResult: z
      .object({
        documentId: z.uuid().meta({ description: 'GET /dossiers/{code}/documents/{documentId} downloads it' }),
        contentType: z.string(),
        sizeBytes: z.number().int(),
        sha256: z.string(),
        verifiedAt: instant,
      })
      .optional()
      .meta({ description: 'The verified electronic result (kết quả điện tử); an online return needs one' }),
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
    overdue: z.boolean().meta({
      description: 'Its clock runs and its due date has passed: ready now, it would be late (apology or not)',
    }),
    dueSoon: z.boolean().meta({
      description: 'Its clock runs, not yet overdue, due within the ward’s alert window (24 h by default)',
    }),
    allowedActions: z.array(z.enum(actionNames)).meta({ description: 'What the caller may do now' }),
  })
  .meta({ id: 'Dossier' });

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

export const publicStatusView = z
  .object({
    code: z.string(),
    status: z.enum(dossierStatuses),
    statusText: z.string(),
    procedure: z.object({ code: z.string(), name: z.string() }),
    filedAt: instant,
    receivedAt: instant.nullable(),
    dueAt: instant.nullable(),
    appointmentAt: instant
      .nullable()
      .meta({ description: 'When the result is promised: the due date, or the later one an apology set' }),
    finishedAt: instant.nullable(),
    timing: z.enum(['early', 'on_time', 'late']).nullable(),
  })
  .meta({ id: 'PublicDossierStatus', description: 'What a citizen sees with the receipt PIN: nothing personal' });

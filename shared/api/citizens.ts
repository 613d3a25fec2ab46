import * as z from 'zod';
import { feedbackActions, feedbackStatuses, ratingLevels } from '../domain/citizen-terms.ts';
import { DOSSIER_CODE_PATTERN } from '../domain/dossier.ts';
import { freeText } from './text.ts';

// Requests and views of what citizens send: ratings of returned dossiers and feedback (PAKN).

const instant = z.iso.datetime();
const pin = z
  .string()
  .regex(/^\d{8}$/)
  .meta({ description: 'The 8-digit PIN printed on the receipt (or given when the feedback was filed)' });

export const ratingRequest = z
  .object({
    pin,
    rating: z.enum(ratingLevels).meta({ description: 'Rất hài lòng, hài lòng, không hài lòng' }),
    comment: freeText({ max: 1000, multiline: true }).optional(),
  })
  .strict();

export const ratingView = z
  .object({ code: z.string(), rating: z.enum(ratingLevels), ratedAt: instant })
  .meta({ id: 'Rating', description: 'The rating recorded: one per dossier' });

export const feedbackRequest = z
  .object({
    content: freeText({ min: 10, max: 4000, multiline: true }).meta({ description: 'The feedback itself' }),
    contact: freeText({ min: 5, max: 254 }).meta({
      description: 'How the ward can reach the sender: a phone number or an e-mail address (never shown publicly)',
    }),
    dossierCode: z.string().regex(DOSSIER_CODE_PATTERN).optional().meta({ description: 'The dossier it is about' }),
  })
  .strict();

export const feedbackReceiptView = z
  .object({
    code: z.string(),
    pin: z.string().meta({ description: 'Shown only here: with the code, it lets the sender follow the feedback' }),
    status: z.enum(feedbackStatuses),
    filedAt: instant,
    dueAt: instant,
  })
  .meta({ id: 'FeedbackReceipt' });

export const feedbackCodeParams = z.object({
  code: z.string().min(1).max(64).meta({ description: 'Feedback code, PAKN-XXXXXXXXXX' }),
});

export const publicFeedbackQuery = z.object({ pin }).strict();

export const publicFeedbackView = z
  .object({
    code: z.string(),
    status: z.enum(feedbackStatuses),
    filedAt: instant,
    dueAt: instant,
    question: z.string().nullable().meta({ description: 'What the ward asks the sender for, while it waits' }),
    refusalReason: z.string().nullable(),
    answer: z.string().nullable().meta({ description: 'The answer, once published' }),
    publishedAt: instant.nullable(),
  })
  .meta({ id: 'PublicFeedbackStatus', description: 'What the sender sees with the code and PIN: not the contact' });

const stepView = z.object({
  seq: z.number().int(),
  action: z.enum(['file', ...feedbackActions]),
  at: instant,
  by: z.union([
    z.object({ kind: z.literal('citizen') }),
    z.object({ kind: z.literal('staff'), id: z.string(), name: z.string(), role: z.string() }),
  ]),
  fromStatus: z.enum(feedbackStatuses).nullable(),
  toStatus: z.enum(feedbackStatuses),
  note: z.string().optional(),
  dueAt: instant.optional(),
  withinDeadline: z.boolean().nullable().optional(),
});

export const feedbackView = z
  .object({
    code: z.string(),
    version: z.number().int(),
    status: z.enum(feedbackStatuses),
    content: z.string(),
    contact: z.string(),
    dossierCode: z.string().nullable(),
    filedAt: instant,
    dueAt: instant,
    question: z.string().nullable(),
    refusalReason: z.string().nullable(),
    answer: z.string().nullable(),
    resolvedAt: instant.nullable(),
    resolvedOnTime: z.boolean().nullable(),
    publishedAt: instant.nullable(),
    allowedActions: z.array(z.enum(feedbackActions)),
    history: z.array(stepView),
  })
  .meta({ id: 'Feedback', description: 'A feedback item with its history, for staff' });

export const feedbackListQuery = z
  .object({
    status: z.enum(feedbackStatuses).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const feedbackListView = z
  .object({
    items: z.array(
      z.object({
        code: z.string(),
        version: z.number().int(),
        status: z.enum(feedbackStatuses),
        filedAt: instant,
        dueAt: instant,
      }),
    ),
    cursor: z.string().optional(),
  })
  .meta({ id: 'FeedbackList' });

const note = freeText({ max: 2000, multiline: true });
export const feedbackActionRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept'), note: note.optional() }).strict(),
  z.object({ action: z.literal('refuse'), reason: note }).strict(),
  z.object({ action: z.literal('request_information'), question: note }).strict(),
  z.object({ action: z.literal('information_received'), note }).strict(),
  z.object({ action: z.literal('resolve'), answer: freeText({ max: 8000, multiline: true }) }).strict(),
  z.object({ action: z.literal('publish'), note: note.optional() }).strict(),
]);

import * as z from 'zod';
import { channels, paymentMethods } from '../domain/dossier.ts';
import type { ActionCommand } from '../domain/workflow.ts';
import { freeText } from './text.ts';

/** The body of POST /dossiers/{code}/actions: one workflow action and what it carries. */
const note = freeText({ max: 2000, multiline: true }).optional();
const reason = freeText({ min: 3, max: 2000, multiline: true });
const componentCodes = z.array(z.string().regex(/^[A-Z0-9_-]{1,20}$/)).max(50);

// Strict, as the intake body is: a misspelt optional field (a note, a withdrawal's reason) is a 400, not lost in silence.
export const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('accept'), note }),
  z
    .strictObject({ action: z.literal('refuse'), reason })
    .meta({ description: 'Form 03: refuse to receive the dossier, with the reason' }),
  z
    .strictObject({
      action: z.literal('assign'),
      assignee: freeText({ max: 128 })
        .optional()
        .meta({ description: 'Username of a specialist or leader of the staff directory' }),
      department: freeText({ max: 200 })
        .optional()
        .meta({ description: 'A department of the staff directory; by default the assignee’s' }),
      note,
    })
    .refine((a) => a.assignee !== undefined || a.department !== undefined, {
      message: 'assignee_or_department',
      path: ['assignee'],
    })
    .meta({ description: 'To a person, or to a department whose specialists then share the dossier' }),
  z
    .strictObject({ action: z.literal('transfer'), agency: freeText({ max: 200 }), note })
    .meta({ description: 'Liên thông: hand the dossier to another agency' }),
  z
    .strictObject({
      action: z.literal('request_supplement'),
      missing: z
        .array(freeText({ max: 500 }))
        .min(1)
        .max(50),
      components: componentCodes.optional().meta({
        description:
          'Codes of the procedure’s components the supplement asks for, listed by the dossier or not: while it waits, a file of an unlisted one is taken and the component joins the dossier (not mandatory)',
      }),
      note,
    })
    .meta({ description: 'Form 02: what the citizen must add; the clock pauses or restarts per the ward setting' }),
  z.strictObject({ action: z.literal('supplement_received'), components: componentCodes.optional(), note }),
  z.strictObject({ action: z.literal('submit_for_approval'), note }),
  z.strictObject({ action: z.literal('approve'), note }),
  z.strictObject({ action: z.literal('send_back'), note: freeText({ max: 2000, multiline: true }) }),
  z.strictObject({ action: z.literal('reject'), reason }),
  z
    .strictObject({
      action: z.literal('record_payment'),
      method: z.enum(paymentMethods),
      amountVnd: z
        .number()
        .int()
        .min(0)
        .max(1_000_000_000)
        .optional()
        .meta({ description: 'The fee exactly; none for an exemption' }),
      transactionRef: freeText({ max: 100 })
        .optional()
        .meta({ description: 'Required online: the payment platform’s transaction' }),
      legalBasis: freeText({ min: 5, max: 500 }).optional().meta({
        description:
          'Required for an exemption: the provision it rests on, e.g. “Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC”',
      }),
    })
    .meta({
      description:
        'The fee paid in cash or online, or an exemption with its legal basis; anything else is a 422 naming the rule',
    }),
  z.strictObject({ action: z.literal('return_result'), channel: z.enum(channels), note }),
  z.strictObject({ action: z.literal('withdraw'), reason: reason.optional() }),
  z
    .strictObject({ action: z.literal('stop'), reason })
    .meta({ description: 'Form 05: stop processing, with the reason' }),
  z.strictObject({ action: z.literal('apologize'), reason, newDueAt: z.iso.datetime({ offset: true }) }).meta({
    description:
      'Form 04: apology and new appointment date, once per dossier, issued no later than the current due date; the new date is a working day after it and at most one more legal processing time (at least one working day) later',
  }),
]) satisfies z.ZodType<ActionCommand>;

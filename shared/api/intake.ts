import * as z from 'zod';
import { channels, paymentMethods } from '../domain/dossier.ts';
import type { IntakeInput } from '../domain/intake.ts';
import { freeText } from './text.ts';

/** Citizen ID (số định danh cá nhân): 12 digits, the first three a province code 001–096. */
const citizenId = z
  .string()
  .trim()
  .regex(/^0(0[1-9]|[1-8]\d|9[0-6])\d{9}$/, 'citizen_id');
/** Mobile 03x/05x/07x/08x/09x or landline 02x, with 0 or +84; spaces, dots and dashes are ignored. */
const vnPhone = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s.-]/g, ''))
  .pipe(z.string().regex(/^(?:0|\+84)(?:[35789]\d{8}|2\d{9})$/, 'vn_phone'));

export const applicantSchema = z
  .object({
    fullName: freeText({ min: 2, max: 200 }),
    idNumber: citizenId,
    phone: vnPhone,
    email: z.email().max(254).optional(),
    address: freeText({ min: 5, max: 500 }),
  })
  .strict()
  .meta({ id: 'Applicant' });

export const intakeSchema = z
  .object({
    procedureCode: z.string().regex(/^\d\.\d{6}$/),
    channel: z.enum(channels),
    applicant: applicantSchema,
    /** Codes of the components (papers or files) supplied. */
    components: z.array(z.string().regex(/^[A-Z0-9_-]{1,20}$/)).max(50),
    payment: z
      .object({
        method: z.enum(paymentMethods),
        /** True when the fee was paid at filing (online payment platform, or cash at the counter). */
        paid: z.boolean().default(false),
        transactionRef: freeText({ max: 100 }).optional().meta({ description: 'Required when paid online' }),
        legalBasis: freeText({ min: 5, max: 500 })
          .optional()
          .meta({ description: 'Required for an exemption: the provision it rests on' }),
      })
      .strict()
      .optional(),
    note: freeText({ max: 2000, multiline: true }).optional(),
  })
  .strict()
  .meta({ id: 'DossierIntake' }) satisfies z.ZodType<IntakeInput>;

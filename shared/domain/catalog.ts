import * as z from 'zod';
import { Unprocessable } from './errors.ts';

export const onlineLevels = ['full', 'partial', 'none'] as const;
export type OnlineLevel = (typeof onlineLevels)[number];

export const resultForms = ['paper', 'electronic', 'both'] as const;

export const componentSchema = z.object({
  code: z.string().regex(/^[A-Z0-9_-]{1,20}$/),
  name: z.string().min(1),
  mandatory: z.boolean(),
});

export const processingTimeSchema = z.object({
  amount: z.number().positive().max(365),
  unit: z.enum(['working_days', 'working_hours']),
});

export const procedureSchema = z.object({
  /** The national procedure code (mã TTHC), e.g. 1.001193. */
  code: z.string().regex(/^\d\.\d{6}$/),
  name: z.string().min(1),
  field: z.object({ code: z.string().regex(/^[A-Z]{2,10}$/), name: z.string().min(1) }),
  processingTime: processingTimeSchema,
  /** Fee and charge in VND; 0 when the procedure is free. */
  feeVnd: z.number().int().min(0),
  onlineLevel: z.enum(onlineLevels),
  resultForm: z.enum(resultForms),
  components: z.array(componentSchema).min(1),
});

export type Procedure = z.output<typeof procedureSchema>;
export type Component = z.output<typeof componentSchema>;
export type ProcessingTime = z.output<typeof processingTimeSchema>;

/** 1 working day = 8 working hours (DOMAIN.md), whatever the ward's office hours. */
export const WORKING_DAY_MINUTES = 8 * 60;

export function processingMinutes(time: ProcessingTime): number {
  return Math.round(time.unit === 'working_days' ? time.amount * WORKING_DAY_MINUTES : time.amount * 60);
}

export interface CatalogFilter {
  field?: string | undefined;
  onlineLevel?: OnlineLevel | undefined;
}

export function filterCatalog(procedures: readonly Procedure[], filter: CatalogFilter): Procedure[] {
  return procedures.filter(
    (p) =>
      (filter.field === undefined || p.field.code === filter.field) &&
      (filter.onlineLevel === undefined || p.onlineLevel === filter.onlineLevel),
  );
}

export function missingMandatoryComponents(procedure: Procedure, supplied: readonly string[]): Component[] {
  const have = new Set(supplied);
  return procedure.components.filter((c) => c.mandatory && !have.has(c.code));
}

/** "Đúng, đủ": an incomplete dossier is answered with its missing components (422), at intake and at acceptance. */
export function assertComplete(procedure: Procedure, supplied: readonly string[]): void {
  const missing = missingMandatoryComponents(procedure, supplied);
  if (missing.length > 0) {
    throw new Unprocessable(
      'dossier_incomplete',
      { missing: missing.map((c) => c.name).join('; ') },
      { missingComponents: missing.map((c) => ({ code: c.code, name: c.name })) },
    );
  }
}

import type * as z from 'zod';
import type { componentSchema, procedureSchema, processingTimeSchema } from './catalog-schema.ts';
import { Unprocessable } from './errors.ts';

export const onlineLevels = ['full', 'partial', 'none'] as const;
export type OnlineLevel = (typeof onlineLevels)[number];

export const resultForms = ['paper', 'electronic', 'both'] as const;

/** The four ways a legal processing time is written (DOMAIN.md, Deadlines; docs/deadlines.md). */
export const processingUnits = ['working_hours', 'working_days', 'calendar_days', 'same_working_day'] as const;

export type Procedure = z.output<typeof procedureSchema>;
export type Component = z.output<typeof componentSchema>;
export type ProcessingTime = z.output<typeof processingTimeSchema>;

/** 1 working day = 8 working hours (DOMAIN.md), whatever the ward's office hours. */
export const WORKING_DAY_MINUTES = 8 * 60;

/**
 * The legal time in working minutes: exact for working hours and days. For calendar days and the same working day
 * it is an upper bound (a calendar day holds at most one working day), used only to size an apology's new date.
 */
export function processingMinutes(time: ProcessingTime): number {
  switch (time.unit) {
    case 'working_hours':
      return Math.round(time.amount * 60);
    case 'working_days':
    case 'calendar_days':
      return Math.round(time.amount * WORKING_DAY_MINUTES);
    case 'same_working_day':
      return 2 * WORKING_DAY_MINUTES;
  }
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

import * as z from 'zod';
import { dossierStatuses } from './domain/dossier.ts';

/** Bodies of the messages the functions pass each other through SQS; validated on both sides. */
export const alertMessageSchema = z.object({
  kind: z.enum(['due_soon', 'overdue']),
  code: z.string(),
  status: z.enum(dossierStatuses),
  dueAt: z.iso.datetime(),
  procedureName: z.string(),
  assignee: z.string().optional(),
  department: z.string().optional(),
  detectedAt: z.iso.datetime(),
});
export type AlertMessage = z.output<typeof alertMessageSchema>;

export const portalStatusMessageSchema = z.object({
  portalId: z.string(),
  code: z.string(),
  status: z.enum(dossierStatuses),
  version: z.number().int(),
  changedAt: z.iso.datetime(),
  dueAt: z.iso.datetime().nullable(),
  /** The date promised to the citizen: the due date, or the later one an apology set (absent from older messages). */
  appointmentAt: z.iso.datetime().nullable().optional(),
  timing: z.enum(['early', 'on_time', 'late']).nullable(),
});
export type PortalStatusMessage = z.output<typeof portalStatusMessageSchema>;

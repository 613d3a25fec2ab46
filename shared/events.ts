import * as z from 'zod';
import { feedbackStatuses } from './domain/citizen-terms.ts';
import { dossierStatuses } from './domain/dossier.ts';

/** The statuses an alert may name: a dossier's, or a feedback item's (its `subject`). */
const alertStatuses = [...new Set([...dossierStatuses, ...feedbackStatuses])] as [string, ...string[]];

/** Bodies of the events the functions pass each other (SQS messages, invocations); validated on both sides. */
export const alertMessageSchema = z.object({
  kind: z.enum(['due_soon', 'overdue']),
  /** What is due: a dossier (absent, as in alerts from before feedback had deadlines) or a feedback item. */
  subject: z.enum(['dossier', 'feedback']).optional(),
  code: z.string(),
  status: z.enum(alertStatuses),
  dueAt: z.iso.datetime(),
  procedureName: z.string(),
  assignee: z.string().optional(),
  department: z.string().optional(),
  detectedAt: z.iso.datetime(),
});
export type AlertMessage = z.output<typeof alertMessageSchema>;

/**
 * Alerts handed to alert-dispatch in one invocation: a full batch is about 30 KB of JSON, far below the 256 KiB an
 * asynchronous invocation may carry, and delivered one after another well within alert-dispatch's timeout.
 */
export const ALERTS_PER_INVOCATION = 50;

/** The event the deadline watch invokes alert-dispatch with. */
export const alertBatchSchema = z.object({ alerts: z.array(alertMessageSchema).min(1).max(ALERTS_PER_INVOCATION) });
export type AlertBatch = z.output<typeof alertBatchSchema>;

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
  /** The dossier's electronic result, once verified: its document id and the API path the portal fetches it from. */
  result: z.object({ documentId: z.uuid(), path: z.string() }).nullable().optional(),
});
export type PortalStatusMessage = z.output<typeof portalStatusMessageSchema>;

/**
 * The body a portal's webhook gets for a status change: the message and the event's name. Made once, when the
 * change is recorded, and sent byte for byte on every attempt (its signature covers these bytes).
 */
export function statusWebhookBody(message: PortalStatusMessage): string {
  return JSON.stringify({ event: 'dossier.status_changed', ...message });
}

import * as z from 'zod';
import { dossierStatuses } from '../domain/dossier.ts';

export const alertsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }).strict();

export const alertView = z
  .object({
    kind: z.enum(['due_soon', 'overdue']),
    code: z.string(),
    status: z.enum(dossierStatuses),
    dueAt: z.iso.datetime(),
    procedureName: z.string(),
    assignee: z.string().optional(),
    department: z.string().optional(),
    detectedAt: z.iso.datetime(),
    role: z.string().meta({ description: 'The inbox it was delivered to' }),
  })
  .meta({ id: 'Alert' });

export const alertsView = z.object({ items: z.array(alertView) }).meta({ id: 'Alerts' });

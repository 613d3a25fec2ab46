import * as z from 'zod';
import { alertMessageSchema } from '../events.ts';

export const alertsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }).strict();

export const alertView = alertMessageSchema
  .extend({ role: z.string().meta({ description: 'The inbox it was delivered to' }) })
  .meta({ id: 'Alert' });

export const alertsView = z.object({ items: z.array(alertView) }).meta({ id: 'Alerts' });

import * as z from 'zod';
import { dossierStatuses } from '../domain/dossier.ts';
import { portalStatusMessageSchema } from '../events.ts';

const portalId = z.string().regex(/^[a-z0-9-]{2,40}$/, 'a portal id');

export const deliveriesQuery = z
  .object({
    status: z.enum(['pending', 'failed']).meta({ description: 'Pending (still tried) or failed (past the horizon)' }),
    portal: portalId.optional().meta({ description: 'Only the deliveries to this portal' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(2000).optional().meta({ description: 'The `cursor` of the previous page' }),
  })
  .strict();

export const deliveryParams = z
  .object({
    id: z
      .string()
      .max(80)
      .regex(/^[0-9A-Z.]+-\d{6}-\d{4}~\d{1,9}$/, 'a delivery id: <dossier code>~<version>'),
  })
  .strict();

export const portalRetryParams = z.object({ portal: portalId }).strict();

export const deliveryView = z
  .object({
    id: z.string().meta({ description: 'The `webhook-id` the portal gets: `<dossier code>~<version>`' }),
    code: z.string(),
    version: z.number().int(),
    portalId: z.string(),
    status: z.enum(dossierStatuses).meta({ description: 'The status the delivery carries' }),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    createdAt: z.iso.datetime(),
    nextAttemptAt: z.iso
      .datetime()
      .optional()
      .meta({ description: 'Absent while an earlier change of the dossier is still to be delivered' }),
    lastAttemptAt: z.iso.datetime().optional(),
    lastError: z.string().optional(),
    failedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'Delivery' });

export const deliveriesView = z
  .object({
    items: z.array(deliveryView),
    cursor: z.string().optional().meta({ description: 'Pass it back for the next page; absent on the last page' }),
  })
  .meta({ id: 'Deliveries' });

export const retryView = z
  .object({ retried: z.number().int().meta({ description: 'Deliveries made due again' }) })
  .meta({ id: 'DeliveriesRetried' });

/** The body a portal's status webhook gets (shared/events.ts statusWebhookBody); new members may be added. */
export const statusWebhookSchema = portalStatusMessageSchema
  .extend({ event: z.literal('dossier.status_changed') })
  .meta({ id: 'StatusChange' });

export const statusWebhookHeaders = z.object({
  'webhook-id': z.string().meta({
    description: 'The delivery: `<dossier code>~<version>`, the same on every attempt. Drop one you already have.',
  }),
  'webhook-timestamp': z.string().regex(/^\d+$/).meta({
    description: 'Unix seconds when this attempt was signed. Refuse one more than 5 minutes from your clock.',
  }),
  'webhook-signature': z.string().meta({
    description:
      'Space-separated `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<raw body>`, one per secret: two while your secret is rolled over.',
  }),
  'idempotency-key': z.string().meta({ description: '`<code>#<version>`, kept for portals that deduplicated on it' }),
});

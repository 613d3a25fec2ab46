import * as z from 'zod';

const wardIdentity = z.object({ id: z.string(), unitCode: z.string(), name: z.string() });

export const healthSchema = z
  .object({
    status: z.literal('ok'),
    ward: wardIdentity,
    /** Each dependency probed, and how it answered. */
    checks: z.object({ table: z.literal('ok').meta({ description: 'The table answered a GetItem in time' }) }),
    time: z.iso.datetime(),
  })
  .meta({ id: 'Health' });

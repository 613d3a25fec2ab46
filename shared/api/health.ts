import * as z from 'zod';

export const healthSchema = z
  .object({
    status: z.literal('ok'),
    ward: z.object({ id: z.string(), unitCode: z.string(), name: z.string() }),
    time: z.iso.datetime(),
  })
  .meta({ id: 'Health' });

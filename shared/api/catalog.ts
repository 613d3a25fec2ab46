import * as z from 'zod';
import { onlineLevels } from '../domain/catalog.ts';
import { procedureSchema } from '../domain/catalog-schema.ts';

export const procedureView = procedureSchema.meta({
  id: 'Procedure',
  description: 'A catalogued administrative procedure (thủ tục hành chính)',
});

export const catalogQuery = z
  .object({
    field: z
      .string()
      .regex(/^[A-Z]{2,10}$/)
      .optional()
      .meta({ description: 'Field code, e.g. HOTICH' }),
    onlineLevel: z.enum(onlineLevels).optional(),
  })
  .strict();

export const procedureParams = z.object({
  code: z
    .string()
    .regex(/^\d\.\d{6}$/)
    .meta({ description: 'Procedure code, e.g. 1.001193' }),
});

export const catalogView = z
  .object({
    sample: z.boolean().meta({ description: 'True when the catalog is the shipped example, not a legal source' }),
    fields: z.array(z.object({ code: z.string(), name: z.string(), procedures: z.number().int() })),
    procedures: z.array(procedureView),
  })
  .meta({ id: 'Catalog' });

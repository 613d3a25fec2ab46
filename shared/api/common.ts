import * as z from 'zod';

/** An RFC 9457 problem document, as every 4xx and 5xx answer of the API. */
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'URI of the problem type, e.g. urn:motcua:problem:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    correlationId: z.string().meta({ description: 'Quote it to an administrator; logs carry the same id.' }),
    errors: z
      .array(
        z.object({
          in: z.enum(['body', 'query', 'path', 'header']),
          field: z.string(),
          pointer: z.string().meta({ description: 'JSON Pointer (RFC 6901) to the value' }),
          rule: z.string(),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .catchall(z.unknown())
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details, in Vietnamese by default, English with Accept-Language: en',
  });

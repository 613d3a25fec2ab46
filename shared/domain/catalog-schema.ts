import * as z from 'zod';
import { onlineLevels, resultForms } from './catalog.ts';

/**
 * The catalog's schemas, apart from catalog.ts: the configuration's parser and the catalog's OpenAPI view build
 * them, while the functions that only count deadlines or move dossiers (catalog.ts's types and rules) need not
 * build them at import, which cost the intake and action bundles about 13 ms of their cold start.
 */

export const componentSchema = z.object({
  code: z.string().regex(/^[A-Z0-9_-]{1,20}$/),
  name: z.string().min(1),
  mandatory: z.boolean(),
});

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm');

export const processingTimeSchema = z.discriminatedUnion('unit', [
  /** Counted over office hours; 1 working day = 8 working hours. */
  z.object({ unit: z.literal('working_hours'), amount: z.number().positive().max(365) }),
  z.object({ unit: z.literal('working_days'), amount: z.number().positive().max(365) }),
  /** Whole days of the calendar (Civil Code 2015 art. 147–148): the day of receipt is not counted. */
  z.object({ unit: z.literal('calendar_days'), amount: z.number().int().positive().max(365) }),
  /**
   * The result the same working day, or the next working day when received after the cut-off: certification
   * under Decree 23/2015/NĐ-CP ("ngay trong ngày ... hoặc trong ngày làm việc tiếp theo, nếu tiếp nhận sau 15 giờ").
   */
  z.object({ unit: z.literal('same_working_day'), cutOff: clockTime }),
]);

export const procedureSchema = z.object({
  /** The national procedure code (mã TTHC), e.g. 1.001193. */
  code: z.string().regex(/^\d\.\d{6}$/),
  name: z.string().min(1),
  field: z.object({ code: z.string().regex(/^[A-Z]{2,10}$/), name: z.string().min(1) }),
  processingTime: processingTimeSchema,
  /** Fee and charge in VND; 0 when the procedure is free. */
  feeVnd: z.number().int().min(0),
  onlineLevel: z.enum(onlineLevels),
  resultForm: z.enum(resultForms),
  components: z.array(componentSchema).min(1),
});

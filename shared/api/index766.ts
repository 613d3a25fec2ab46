import * as z from 'zod';
import { index766Groups } from '../domain/index766.ts';

const rateView = z.object({
  numerator: z.number().int(),
  denominator: z.number().int(),
  percent: z.string().nullable(),
});

/** The Decision 766/QĐ-TTg groups a report carries (shared/domain/index766.ts, docs/index766.md). */
export const index766View = z
  .object({
    decision: z.literal('766/QĐ-TTg'),
    groups: z.array(
      z.object({
        group: z.enum(index766Groups),
        criterion: z.string().meta({ description: 'The criterion as the decision names it' }),
        decisionGroup: z.string(),
        groupMaxPoints: z.number(),
        rate: rateView.nullable().meta({ description: 'Null while this system does not hold the data' }),
        target: z.number().nullable().meta({ description: 'Percent earning full points; null: not confirmed' }),
        maxPoints: z.number().nullable().meta({ description: 'The criterion’s points; null: not confirmed' }),
        points: z.number().nullable().meta({ description: 'Earned, when the rate, target and points are known' }),
      }),
    ),
    outsideData: z
      .array(z.object({ decisionGroup: z.string(), maxPoints: z.number().nullable(), criteria: z.array(z.string()) }))
      .meta({ description: 'What the index scores from data this system does not hold' }),
  })
  .meta({
    id: 'Index766',
    description:
      'Decision 766/QĐ-TTg (23 June 2022): the groups of the index this system’s counters support, as far as confirmed',
  });

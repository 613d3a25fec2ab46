import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBRecord } from 'aws-lambda';
import { streamConsumer } from '../../shared/adapters/batch.ts';
import { addCountersOnce } from '../../shared/adapters/report-store.ts';
import { dossierChange } from '../../shared/adapters/stream.ts';
import { wardConfig } from '../../shared/config/ward.ts';
import { counterDeltas, reportScopes } from '../../shared/domain/report.ts';
import { metrics } from '../../shared/observability.ts';

/**
 * Adds each dossier change to the day counters, once per stream record. One record at a time: the records of a
 * batch mostly add to the same counters (the ward's, today's), and two transactions on one item at once conflict.
 */
export const handler = streamConsumer('one_at_a_time', async (record: DynamoDBRecord) => {
  const { before, after } = dossierChange(record);
  if (!after) return;
  const deltas = counterDeltas(before, after, wardConfig().timeZone);
  const approximate = (record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;
  const counted = await addCountersOnce(
    record.eventID!,
    reportScopes(after),
    deltas,
    approximate || Date.parse(after.filedAt),
  );
  if (!counted) metrics.addMetric('streamRecordReplayed', MetricUnit.Count, 1);
});

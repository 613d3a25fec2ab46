import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchItemFailure } from 'aws-lambda';
import { streamBatchConsumer } from '../../shared/adapters/batch.ts';
import { citizenChange } from '../../shared/adapters/citizen-store.ts';
import { addBatchOnce, type CountedChange } from '../../shared/adapters/report-store.ts';
import { dossierChange } from '../../shared/adapters/stream.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { FEEDBACK_SCOPES, feedbackDeltas, ratingDeltas, ratingScopes } from '../../shared/domain/citizens.ts';
import { scopedDeltas } from '../../shared/domain/report.ts';
import { logger, metrics } from '../../shared/observability.ts';

/**
 * Adds the dossier changes of a batch to the day counters, exactly once per stream record: the batch is summed in
 * memory and each counter item written once, with the shard's checkpoint (shared/adapters/report-store.ts). A
 * record that cannot be read fails with the ones after it; those before it are counted, and the stream retries
 * from it.
 */
export const handler = streamBatchConsumer(async (shardId, records): Promise<DynamoDBBatchItemFailure[]> => {
  const { timeZone } = wardConfig();
  const changes: CountedChange[] = [];
  let failed: string | undefined;
  for (const record of records) {
    try {
      const citizen = citizenChange(record);
      if (citizen) {
        // A rating is written once; a feedback item counts as it is filed and as it is resolved.
        const deltas =
          citizen.kind === 'rating'
            ? citizen.isNew
              ? ratingDeltas(citizen.rating, timeZone)
              : []
            : feedbackDeltas(citizen.before, citizen.after, timeZone);
        const scopes = citizen.kind === 'rating' ? ratingScopes(citizen.rating) : [...FEEDBACK_SCOPES];
        const scoped = deltas.length > 0 ? scopes.map((scope) => ({ scope, deltas })) : [];
        changes.push({ sequenceNumber: record.dynamodb!.SequenceNumber!, scoped });
        continue;
      }
      const { before, after } = dossierChange(record);
      if (!after) continue;
      changes.push({
        sequenceNumber: record.dynamodb!.SequenceNumber!,
        scoped: scopedDeltas(before, after, timeZone),
      });
    } catch (error) {
      failed = record.dynamodb?.SequenceNumber ?? '';
      logger.error('a stream record could not be counted', {
        eventID: record.eventID,
        error: (error as Error).message,
      });
      break;
    }
  }
  const approximate = (records[0]?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;
  const { replayed } = await addBatchOnce(shardId, changes, approximate || Date.now());
  if (replayed > 0) metrics.addMetric('streamRecordReplayed', MetricUnit.Count, replayed);
  return failed === undefined ? [] : [{ itemIdentifier: failed }];
});

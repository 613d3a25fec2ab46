import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { addCountersOnce } from '../../shared/adapters/report-store.ts';
import { dossierChange } from '../../shared/adapters/stream.ts';
import { wardConfig } from '../../shared/config/ward.ts';
import { counterDeltas, reportScopes } from '../../shared/domain/report.ts';
import { logger, metrics } from '../../shared/observability.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function countRecord(record: DynamoDBRecord): Promise<void> {
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
}

export const handler = middy((event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, countRecord, processor, { context }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

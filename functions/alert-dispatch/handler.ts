import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliverAlert } from '../../shared/adapters/alert-store.ts';
import { wardConfig } from '../../shared/config/ward.ts';
import { alertMessageSchema } from '../../shared/events.ts';
import { logger, metrics } from '../../shared/observability.ts';

const processor = new BatchProcessor(EventType.SQS);

async function dispatch(record: SQSRecord): Promise<void> {
  const alert = alertMessageSchema.parse(JSON.parse(record.body));
  const delivered = await deliverAlert(alert, wardConfig().alerts.recipientRoles);
  logger.info(delivered ? 'alert delivered' : 'alert already delivered', { code: alert.code, kind: alert.kind });
}

export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, dispatch, processor, { context }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

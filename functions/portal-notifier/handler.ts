import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { queueUrl, sqs } from '../../shared/adapters/aws.ts';
import { dossierChange } from '../../shared/adapters/stream.ts';
import { wardConfig } from '../../shared/config/ward.ts';
import type { PortalStatusMessage } from '../../shared/events.ts';
import { logger, metrics } from '../../shared/observability.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * The outbox of status changes: each new version of an online dossier whose portal takes webhooks goes to
 * the FIFO queue, grouped by dossier so its changes arrive in order, deduplicated by code and version so a
 * replayed stream record sends nothing twice.
 */
async function notify(record: DynamoDBRecord): Promise<void> {
  const { before, after } = dossierChange(record);
  if (!after?.portalId || (before && before.version === after.version)) return;
  const portal = wardConfig().portals.find((p) => p.id === after.portalId);
  if (!portal?.statusWebhookUrl) return;
  const message: PortalStatusMessage = {
    portalId: after.portalId,
    code: after.code,
    status: after.status,
    version: after.version,
    changedAt: new Date(
      (record.dynamodb?.ApproximateCreationDateTime ?? Date.parse(after.filedAt) / 1000) * 1000,
    ).toISOString(),
    dueAt: after.dueAt ?? null,
    timing: after.timing ?? null,
  };
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl('portalSync'),
      MessageBody: JSON.stringify(message),
      MessageGroupId: after.code,
      MessageDeduplicationId: `${after.code}#${after.version}`,
    }),
  );
}

export const handler = middy((event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, notify, processor, { context }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

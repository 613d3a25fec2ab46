import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { wardConfig } from '../../shared/config/ward.ts';
import { portalStatusMessageSchema } from '../../shared/events.ts';
import { logger, metrics } from '../../shared/observability.ts';

// FIFO: after a failure the rest of that dossier's messages are returned too (skipGroupOnError), so they stay
// in order; other dossiers' messages go on.
const processor = new SqsFifoPartialProcessorAsync();
const TIMEOUT_MS = 10_000;

async function deliver(record: SQSRecord): Promise<void> {
  const message = portalStatusMessageSchema.parse(JSON.parse(record.body));
  const portal = wardConfig().portals.find((p) => p.id === message.portalId);
  if (!portal?.statusWebhookUrl) {
    logger.warn('portal has no status webhook any more; change dropped', {
      portalId: message.portalId,
      code: message.code,
    });
    return;
  }
  const response = await fetch(portal.statusWebhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `${message.code}#${message.version}`,
      'user-agent': 'motcua-portal-sync',
    },
    body: JSON.stringify({ event: 'dossier.status_changed', ...message }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`portal ${message.portalId} answered ${response.status}`);
  metrics.addMetric('portalStatusDelivered', MetricUnit.Count, 1);
}

export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, deliver, processor, { context, skipGroupOnError: true }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

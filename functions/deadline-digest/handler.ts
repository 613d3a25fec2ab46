import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { publishNotice } from '../../shared/adapters/alert-notifier.ts';
import { deadlineDigestAt } from '../../shared/adapters/deadline-lists.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { digestText } from '../../shared/domain/alert-text.ts';
import { logger, metrics } from '../../shared/observability.ts';

/**
 * At 7:00 ward time (EventBridge Scheduler, in the ward's zone): the leaders' digest, published to the alerts topic,
 * where the ward's addresses get it (a member's subscription lets only their own alerts through). The instant is the
 * one the schedule fired for, so a retried invocation says what the first would have.
 */
export async function sendDigest(at: number): Promise<{ overdue: number; dueToday: number; dueSoon: number }> {
  const digest = await deadlineDigestAt(at);
  await publishNotice(digestText(digest, wardConfig().name), { notice: 'digest' });
  metrics.addMetric('digestOverdue', MetricUnit.Count, digest.counts.overdue);
  logger.info('deadline digest published', { ...digest.counts, complete: digest.complete });
  return digest.counts;
}

export const handler = middy((event: { time: string }) => sendDigest(Date.parse(event.time)))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

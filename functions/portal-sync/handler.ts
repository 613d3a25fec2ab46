import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { queueConsumer } from '../../shared/adapters/batch.ts';
import { postStatusChange } from '../../shared/adapters/portal-webhook.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { portalStatusMessageSchema } from '../../shared/events.ts';
import { logger, metrics } from '../../shared/observability.ts';

/**
 * Sends each status change to the portal the dossier came from. FIFO, in order per dossier: after a failure the
 * rest of that dossier's messages are returned too, so they stay in order; other dossiers' messages go on.
 */
export const handler = queueConsumer('in_order_per_group', async (record: SQSRecord) => {
  const message = portalStatusMessageSchema.parse(JSON.parse(record.body));
  const portal = wardConfig().portals.find((p) => p.id === message.portalId);
  if (!portal?.statusWebhookUrl) {
    logger.warn('portal has no status webhook any more; change dropped', {
      portalId: message.portalId,
      code: message.code,
    });
    return;
  }
  await postStatusChange(portal.statusWebhookUrl, message);
  metrics.addMetric('portalStatusDelivered', MetricUnit.Count, 1);
});

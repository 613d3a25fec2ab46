import type { SQSRecord } from 'aws-lambda';
import { deliverAlert } from '../../shared/adapters/alert-store.ts';
import { queueConsumer } from '../../shared/adapters/batch.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { alertMessageSchema } from '../../shared/events.ts';
import { logger } from '../../shared/observability.ts';

/**
 * Puts each alert in the inboxes of the ward's recipient roles, once. One message at a time: the watch raises the
 * same alert every run, and two copies in one batch would race their transactions on the same marker.
 */
export const handler = queueConsumer('one_at_a_time', async (record: SQSRecord) => {
  const alert = alertMessageSchema.parse(JSON.parse(record.body));
  const delivered = await deliverAlert(alert, wardConfig().alerts.recipientRoles);
  logger.info(delivered ? 'alert delivered' : 'alert already delivered', { code: alert.code, kind: alert.kind });
});

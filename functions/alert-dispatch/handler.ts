import { deliverAlert } from '../../shared/adapters/alert-store.ts';
import { asyncConsumer } from '../../shared/adapters/batch.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { alertBatchSchema } from '../../shared/events.ts';
import { logger } from '../../shared/observability.ts';

/**
 * Puts each alert the deadline watch hands over in the inboxes of the ward's recipient roles, once: an
 * asynchronous invocation may arrive twice, and overlapping watch runs may raise one alert twice, so an alert
 * marker keeps the first delivery only. One alert at a time: two copies at once would race their transactions on
 * the same marker. A failed alert fails the invocation after the others were tried, so Lambda retries the whole
 * event and the markers skip what was delivered.
 */
export const handler = asyncConsumer(async (event: unknown) => {
  const { alerts } = alertBatchSchema.parse(event);
  const roles = wardConfig().alerts.recipientRoles;
  let failed = 0;
  for (const alert of alerts) {
    try {
      const delivered = await deliverAlert(alert, roles);
      logger.info(delivered ? 'alert delivered' : 'alert already delivered', { code: alert.code, kind: alert.kind });
    } catch (error) {
      failed += 1;
      logger.error('alert not delivered', { code: alert.code, kind: alert.kind, error: error as Error });
    }
  }
  if (failed > 0) throw new Error(`${failed} of ${alerts.length} alerts not delivered; the invocation is retried`);
});

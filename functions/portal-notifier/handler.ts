import type { DynamoDBRecord } from 'aws-lambda';
import { streamConsumer } from '../../shared/adapters/batch.ts';
import { recordDelivery } from '../../shared/adapters/delivery-store.ts';
import { queueStatusChange } from '../../shared/adapters/portal-sync-queue.ts';
import { dossierChange } from '../../shared/adapters/stream.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { appointmentOf } from '../../shared/domain/timing.ts';
import { type PortalStatusMessage, statusWebhookBody } from '../../shared/events.ts';

/**
 * The outbox of status changes: each new version of an online dossier whose portal takes webhooks is recorded as a
 * delivery in the table (shared/adapters/delivery-store.ts), which keeps it until the portal has it, and announced
 * on the portal-sync queue so it is sent at once. In order, stopping at the first failure: a later version must not
 * be recorded before an earlier one that failed.
 */
export const handler = streamConsumer('in_order', async (record: DynamoDBRecord) => {
  const { before, after } = dossierChange(record);
  if (!after?.portalId || (before && before.version === after.version)) return;
  const portal = wardConfig().portals.find((p) => p.id === after.portalId);
  if (!portal?.statusWebhookUrl) return;
  const changedAtSeconds = record.dynamodb?.ApproximateCreationDateTime ?? Date.parse(after.filedAt) / 1000;
  const message: PortalStatusMessage = {
    portalId: after.portalId,
    code: after.code,
    status: after.status,
    version: after.version,
    changedAt: new Date(changedAtSeconds * 1000).toISOString(),
    dueAt: after.dueAt ?? null,
    appointmentAt: appointmentOf(after) ?? null,
    timing: after.timing ?? null,
    // GET of this path gives the file's metadata and a short-lived download URL, to the filing portal only.
    result: after.eResult
      ? {
          documentId: after.eResult.uploadId,
          path: `/dossiers/${encodeURIComponent(after.code)}/documents/${after.eResult.uploadId}`,
        }
      : null,
  };
  await recordDelivery(message, statusWebhookBody(message), new Date().toISOString());
  await queueStatusChange(message);
});

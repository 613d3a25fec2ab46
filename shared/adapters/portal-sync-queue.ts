import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { PortalStatusMessage } from '../events.ts';
import { queueUrl, sqs } from './aws.ts';

/**
 * Puts a status change on the portal-sync FIFO queue, grouped by dossier so its changes arrive in order, and
 * deduplicated by code and version so a replayed stream record sends nothing twice.
 */
export async function queueStatusChange(message: PortalStatusMessage): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl('portalSync'),
      MessageBody: JSON.stringify(message),
      MessageGroupId: message.code,
      MessageDeduplicationId: `${message.code}#${message.version}`,
    }),
  );
}

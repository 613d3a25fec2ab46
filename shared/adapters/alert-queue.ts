import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AlertMessage } from '../events.ts';
import { queueUrl, sqs } from './aws.ts';

/** SQS takes at most ten messages a call. */
const SQS_BATCH = 10;

/** Puts alerts on the alerts queue, ten a call; any message the queue refuses fails the whole run, to be retried. */
export async function queueAlerts(alerts: readonly AlertMessage[]): Promise<void> {
  for (let i = 0; i < alerts.length; i += SQS_BATCH) {
    const batch = alerts.slice(i, i + SQS_BATCH);
    const result = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl('alerts'),
        Entries: batch.map((alert, j) => ({ Id: String(j), MessageBody: JSON.stringify(alert) })),
      }),
    );
    if (result.Failed?.length) throw new Error(`${result.Failed.length} alert(s) could not be queued`);
  }
}

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertMessage } from '../events.ts';
import { alertMarkerKey, newNoticeClaim, pendingNotice, sendAlertNotice } from './alert-notifier.ts';
import { dynamo, tableName } from './aws.ts';
import { writeOnce } from './once.ts';

/** Inbox entries are kept 90 days. */
const INBOX_TTL_SECONDS = 90 * 24 * 3600;

/**
 * Puts an alert in the inbox of each recipient role, once per dossier, kind and due date: the deadline watch
 * raises the same alert every run until the dossier moves on, and a marker keeps only the first. Then sends its
 * e-mail notice, once too (alert-notifier.ts: the marker carries the notice's state).
 * Returns false when it had been delivered before.
 */
export async function deliverAlert(alert: AlertMessage, roles: readonly string[]): Promise<boolean> {
  const expiresAt = Math.floor(Date.parse(alert.detectedAt) / 1000) + INBOX_TTL_SECONDS;
  const claim = newNoticeClaim();
  const delivered = await writeOnce(
    { ...alertMarkerKey(alert), entity: 'alert-marker', expiresAt, ...pendingNotice(claim) },
    roles.map((role) => ({
      Put: {
        TableName: tableName(),
        Item: {
          pk: `INBOX#${role}`,
          sk: `${alert.detectedAt}#${alert.code}#${alert.kind}`,
          entity: 'alert',
          ...alert,
          expiresAt,
        },
      },
    })),
  );
  await sendAlertNotice(alert, delivered ? claim : undefined);
  return delivered;
}

/** The newest alerts of a role's inbox. */
export async function inbox(role: string, limit: number): Promise<AlertMessage[]> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `INBOX#${role}` },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (page.Items ?? []).map(
    ({ pk: _pk, sk: _sk, entity: _entity, expiresAt: _expiresAt, ...alert }) => alert as AlertMessage,
  );
}

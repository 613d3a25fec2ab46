import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ASSIGNEE_ATTRIBUTE } from '../config/alert-recipients.ts';
import { wardCalendar } from '../config/calendar.ts';
import { wardConfig } from '../config/current-ward.ts';
import { alertText } from '../domain/alert-text.ts';
import { staffMember } from '../domain/staff.ts';
import type { AlertMessage } from '../events.ts';
import { logger } from '../observability.ts';
import { dynamo, sns, tableName, topicArn } from './aws.ts';
import { keys } from './dossier-store.ts';

/**
 * Alerts by e-mail, through the ward's alerts topic: each alert published once per dossier, level and due date.
 * SNS standard topics do not deduplicate, so the alert's marker (written once, with the inbox entries) carries the
 * notice's state: `pending` when written, `sent` once published. Whoever wrote the marker holds a claim on the
 * notice and publishes it; a failed publish gives the claim back and fails the delivery, so its retry finds the
 * notice pending and publishes it then. A retry, or an overlapping copy of the alert, that finds the notice pending
 * takes the claim over only once it is free or has lapsed (past the function's timeout): while another holds it the
 * copy fails and is tried again later, rather than publishing a second time or returning as if it were sent. What
 * is left is the window between a publish SNS accepted and the mark that it was: a crash in it publishes again on
 * the retry, which is the one duplicate no standard topic can rule out.
 */

/** Longer than alert-dispatch's timeout (30 s): a claim outlives any invocation that could still publish under it. */
const CLAIM_MS = 60_000;

export const alertMarkerKey = (alert: Pick<AlertMessage, 'code' | 'kind' | 'dueAt'>) => ({
  pk: `ALERT#${alert.code}`,
  sk: `${alert.kind}#${alert.dueAt}`,
});

export interface NoticeClaim {
  id: string;
  until: number;
}

export const newNoticeClaim = (): NoticeClaim => ({ id: randomUUID(), until: Date.now() + CLAIM_MS });

/** The marker's attributes of a notice still to publish, claimed by its writer. */
export const pendingNotice = (claim: NoticeClaim) => ({
  notice: 'pending',
  noticeClaim: claim.id,
  noticeClaimedUntil: claim.until,
});

/** The notice of another copy of this alert is being published: this copy is tried again later. */
export class NoticeInFlight extends Error {
  constructor(alert: AlertMessage) {
    super(`the e-mail notice of ${alert.kind} ${alert.code} is being published by another invocation`);
    this.name = 'NoticeInFlight';
  }
}

/**
 * Publishes the alert's notice unless it was sent: at once with the claim of a marker just written, else after
 * taking the claim of a pending one over. Returns whether this call published it.
 */
export async function sendAlertNotice(alert: AlertMessage, claimed: NoticeClaim | undefined): Promise<boolean> {
  const key = alertMarkerKey(alert);
  const claim = claimed ?? (await takeOver(alert));
  if (!claim) return false;
  try {
    await publishAlert(alert);
  } catch (error) {
    await release(key, claim).catch(() => undefined);
    throw error;
  }
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET notice = :sent REMOVE noticeClaim, noticeClaimedUntil',
        ConditionExpression: 'noticeClaim = :claim',
        ExpressionAttributeValues: { ':sent': 'sent', ':claim': claim.id },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // Only a claim that lapsed mid-publish ends here: another invocation may have published too.
    logger.warn('alert notice published after its claim lapsed', { code: alert.code, kind: alert.kind });
  }
  return true;
}

/** Claims a pending notice; undefined when it was sent (or the marker predates notices, which were never due). */
async function takeOver(alert: AlertMessage): Promise<NoticeClaim | undefined> {
  const key = alertMarkerKey(alert);
  const now = Date.now();
  const claim = newNoticeClaim();
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET noticeClaim = :claim, noticeClaimedUntil = :until',
        ConditionExpression:
          'notice = :pending AND (attribute_not_exists(noticeClaimedUntil) OR noticeClaimedUntil < :now)',
        ExpressionAttributeValues: { ':claim': claim.id, ':until': claim.until, ':pending': 'pending', ':now': now },
      }),
    );
    return claim;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const marker = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true, ProjectionExpression: 'notice' }),
  );
  if (marker.Item?.notice === 'pending') throw new NoticeInFlight(alert);
  return undefined;
}

async function release(key: { pk: string; sk: string }, claim: NoticeClaim): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'REMOVE noticeClaim, noticeClaimedUntil',
      ConditionExpression: 'noticeClaim = :claim',
      ExpressionAttributeValues: { ':claim': claim.id },
    }),
  );
}

/** The alert in words, to the ward's addresses and, by the assignee attribute, to the assignee's. */
async function publishAlert(alert: AlertMessage): Promise<void> {
  const ward = wardConfig();
  // The applicant's name and whether an apology was issued: nothing else of the dossier is read.
  const dossier = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.dossier(alert.code),
      ProjectionExpression: '#applicant.#fullName, apologizedAt',
      ExpressionAttributeNames: { '#applicant': 'applicant', '#fullName': 'fullName' },
    }),
  );
  const due = Date.parse(alert.dueAt);
  const at = Date.parse(alert.detectedAt);
  const calendar = wardCalendar();
  const assignee = alert.assignee ? staffMember(ward.staff, alert.assignee) : undefined;
  const text = alertText(
    {
      kind: alert.kind,
      subject: alert.subject,
      code: alert.code,
      procedureName: alert.procedureName,
      applicantName: (dossier.Item?.applicant as { fullName?: string } | undefined)?.fullName,
      assigneeName: assignee?.displayName ?? alert.assignee,
      department: alert.department,
      dueAt: alert.dueAt,
      workingMinutes:
        alert.kind === 'overdue' ? calendar.workingMinutesBetween(due, at) : calendar.workingMinutesBetween(at, due),
      apologized: Boolean(dossier.Item?.apologizedAt),
    },
    ward.timeZone,
  );
  await publishNotice(text, {
    notice: 'alert',
    ...(alert.assignee ? { [ASSIGNEE_ATTRIBUTE]: alert.assignee } : {}),
  });
}

/** One message on the alerts topic: the subject and body every e-mail subscription gets, and its attributes. */
export async function publishNotice(
  text: { subject: string; body: string },
  attributes: Record<string, string>,
): Promise<void> {
  await sns().send(
    new PublishCommand({
      TopicArn: topicArn('alerts'),
      Subject: text.subject,
      Message: text.body,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
    }),
  );
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { clockRunningStatuses, type DossierStatus } from '../domain/dossier.ts';
import { dynamo, tableName } from './aws.ts';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * A dossier's next deadline alert, on an item of its own beside the alert markers: pk `ALERT#<code>`, sk
 * `SCHEDULE`, with `alertLevel` (the alert still to come: `due_soon`, then `overdue`) and `dueSort`, the keys of
 * the sparse index `byAlertDue`. It is written with the dossier, in the same transaction, whenever the dossier's
 * due date is set or moved or its clock starts again (intake, accept, a supplement handed in; an apology moves no
 * due date), and deleted
 * when the clock stops (supplement requested, resolved, refused…); the deadline watch moves it on to the next level
 * once it has queued an alert, and off the index after the last. So the watch reads the alerts due, not the open
 * dossiers, and raises each once per level and due date.
 */
export const alertScheduleKey = (code: string) => ({ pk: `ALERT#${code}`, sk: 'SCHEDULE' });

export type AlertLevel = 'due_soon' | 'overdue';

/** A schedule whose alerts have all been raised waits for its dossier to move on, at most this long. */
const SPENT_SCHEDULE_TTL_SECONDS = 90 * 24 * 3600;

const clockRuns = (status: DossierStatus) => (clockRunningStatuses as readonly DossierStatus[]).includes(status);

/** The schedule of a dossier whose clock runs and is due at `dueAt`: no alert raised yet. */
export function alertScheduleItem(code: string, dueAt: string): Record<string, unknown> {
  return {
    ...alertScheduleKey(code),
    entity: 'alert-schedule',
    code,
    dueAt,
    alertLevel: 'due_soon' satisfies AlertLevel,
    dueSort: `${dueAt}#${code}`,
  };
}

interface Clock {
  status: DossierStatus;
  dueAt?: string | null | undefined;
}

/**
 * What a write of a dossier does to its schedule, as an item of the same transaction: a new schedule when its
 * clock runs towards another due date than before (or runs again), a deletion when it stops, nothing otherwise.
 */
export function alertScheduleWrite(code: string, before: Clock | undefined, after: Clock): TransactItem | undefined {
  const was = before?.dueAt && clockRuns(before.status) ? before.dueAt : undefined;
  const is = after.dueAt && clockRuns(after.status) ? after.dueAt : undefined;
  if (was === is) return undefined;
  if (is) return { Put: { TableName: tableName(), Item: alertScheduleItem(code, is) } };
  return { Delete: { TableName: tableName(), Key: alertScheduleKey(code) } };
}

/**
 * After an alert of a schedule was queued: the next level (overdue after due soon), or off the index once the
 * overdue one is out. Conditional on the schedule being as read, so a due date moved meanwhile keeps its own.
 * Returns false when it was not.
 */
export async function advanceAlertSchedule(
  schedule: { code: string; dueAt: string; level: AlertLevel },
  raised: AlertLevel,
  now: number,
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: alertScheduleKey(schedule.code),
        ...(raised === 'due_soon'
          ? {
              UpdateExpression: 'SET alertLevel = :next',
              ExpressionAttributeValues: { ':next': 'overdue', ':seen': schedule.level, ':dueAt': schedule.dueAt },
            }
          : {
              UpdateExpression: 'REMOVE alertLevel SET expiresAt = :expiresAt',
              ExpressionAttributeValues: {
                ':expiresAt': Math.floor(now / 1000) + SPENT_SCHEDULE_TTL_SECONDS,
                ':seen': schedule.level,
                ':dueAt': schedule.dueAt,
              },
            }),
        ConditionExpression: 'alertLevel = :seen AND dueAt = :dueAt',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

import { BatchGetCommand, type BatchGetCommandOutput, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DossierStatus } from '../domain/dossier.ts';
import type { AlertLevel } from './alert-schedule.ts';
import { dynamo, tableName } from './aws.ts';
import { keys } from './dossier-store.ts';

/** What the deadline watch reads of a dossier: enough for an alert, no applicant. */
export interface DueDossier {
  code: string;
  status: DossierStatus;
  dueAt: string;
  procedureName: string;
  assignee?: string | undefined;
  department?: string | undefined;
  /** Set once the clock has ended (shared/domain/timing.ts clockEnd): nothing more to alert on. */
  resolvedAt?: string | undefined;
}

/** An alert whose instant has come: the schedule item as the index holds it. */
export interface PendingAlert {
  code: string;
  dueAt: string;
  level: AlertLevel;
}

/** Most alerts one run raises; any more stay in the index for the next run, a quarter hour later. */
export const MAX_ALERTS_PER_RUN = 1000;
/** DynamoDB's limit of keys in one BatchGetItem. */
const BATCH_GET_KEYS = 100;
/** Rounds of a BatchGetItem's unprocessed keys before the run gives up (and the next run reads them again). */
const MAX_BATCH_GET_ROUNDS = 5;

/**
 * The alerts due now, from the sparse index byAlertDue: overdue ones for dossiers due before `overdueBefore` (the
 * instant from which the verdict would call them late: shared/domain/timing.ts lateIfDueBefore), due-soon ones for
 * those due before `horizon`. The index holds only schedules with an alert still to come, so what this reads grows
 * with the alerts due, not with the open dossiers.
 */
export async function pendingAlerts(overdueBefore: string, horizon: string): Promise<PendingAlert[]> {
  const pending: PendingAlert[] = [];
  for (const [level, before] of [
    ['overdue', overdueBefore],
    ['due_soon', horizon],
  ] as const) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'byAlertDue',
          KeyConditionExpression: 'alertLevel = :level AND dueSort < :before',
          ExpressionAttributeValues: { ':level': level, ':before': before },
          ProjectionExpression: 'code, dueAt',
          Limit: MAX_ALERTS_PER_RUN - pending.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        pending.push({ code: item.code as string, dueAt: item.dueAt as string, level });
      start = page.LastEvaluatedKey;
    } while (start && pending.length < MAX_ALERTS_PER_RUN);
    if (pending.length >= MAX_ALERTS_PER_RUN) break;
  }
  return pending;
}

/** The dossiers of these codes, as an alert tells of them (BatchGetItem, a hundred at a time). */
export async function dueDossiers(codes: readonly string[]): Promise<Map<string, DueDossier>> {
  const found = new Map<string, DueDossier>();
  for (let i = 0; i < codes.length; i += BATCH_GET_KEYS) {
    let requested: Record<string, unknown>[] | undefined = codes.slice(i, i + BATCH_GET_KEYS).map(keys.dossier);
    for (let round = 0; requested?.length; round++) {
      if (round === MAX_BATCH_GET_ROUNDS) throw new Error('the table kept keys of a BatchGetItem unprocessed');
      const result: BatchGetCommandOutput = await dynamo().send(
        new BatchGetCommand({
          RequestItems: {
            [tableName()]: {
              Keys: requested,
              ProjectionExpression: 'code, #status, dueAt, #procedure.#name, assignee, department, resolvedAt',
              ExpressionAttributeNames: { '#status': 'status', '#procedure': 'procedure', '#name': 'name' },
            },
          },
        }),
      );
      for (const item of result.Responses?.[tableName()] ?? []) {
        found.set(item.code as string, {
          code: item.code as string,
          status: item.status as DossierStatus,
          dueAt: item.dueAt as string,
          procedureName: (item.procedure as { name: string }).name,
          ...(item.assignee ? { assignee: item.assignee as string } : {}),
          ...(item.department ? { department: item.department as string } : {}),
          ...(item.resolvedAt ? { resolvedAt: item.resolvedAt as string } : {}),
        });
      }
      requested = result.UnprocessedKeys?.[tableName()]?.Keys;
      if (requested?.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    }
  }
  return found;
}

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Feedback, FeedbackStatus, FeedbackStep, Rating } from '../domain/citizens.ts';
import { Conflict, NotFound } from '../domain/errors.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { alertScheduleItem, alertScheduleKey } from './alert-schedule.ts';
import { dynamo, tableName } from './aws.ts';
import { queryAll } from './query.ts';

/**
 * What citizens send, on the single table (docs/data-model.md):
 *   rating            pk RATING#<dossier code>     sk RATING      written once
 *   feedback          pk FEEDBACK#<code>           sk FEEDBACK    listStatus FEEDBACK#<status>, listAll FEEDBACK
 *   feedback step     pk FEEDBACK#<code>           sk STEP#<seq, 4 digits>
 *   filing counter    pk LIMIT#<scope>#<window>    sk LIMIT       expires after its window
 * A feedback item is listed through the worklist indexes (byStatusFiled, allByFiled) under partitions of its own,
 * which no dossier worklist reads; the indexes project no content and no contact.
 */
export const citizenKeys = {
  rating: (code: string) => ({ pk: `RATING#${code}`, sk: 'RATING' }),
  feedback: (code: string) => ({ pk: `FEEDBACK#${code}`, sk: 'FEEDBACK' }),
  step: (code: string, seq: number) => ({ pk: `FEEDBACK#${code}`, sk: `STEP#${String(seq).padStart(4, '0')}` }),
};

/** Records the rating unless the dossier has one: false when it had (the conditional write decides, not a read). */
export async function putRatingOnce(rating: Rating): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...citizenKeys.rating(rating.code), entity: 'rating', ...rating },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export function ratingFromItem(item: Record<string, unknown>): Rating | undefined {
  if (item.entity !== 'rating') return undefined;
  const { pk: _pk, sk: _sk, entity: _entity, ...rating } = item;
  return rating as unknown as Rating;
}

const listStatus = (status: FeedbackStatus) => `FEEDBACK#${status}`;

function feedbackItem(feedback: Feedback): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...citizenKeys.feedback(feedback.code),
    entity: 'feedback',
    ...feedback,
    listStatus: listStatus(feedback.status),
    listAll: 'FEEDBACK',
    filedSort: `${feedback.filedAt}#${feedback.code}`,
  };
  for (const [name, value] of Object.entries(item)) if (value === undefined) delete item[name];
  return item;
}

export function feedbackFromItem(item: Record<string, unknown>): Feedback | undefined {
  if (item.entity !== 'feedback') return undefined;
  const { pk: _pk, sk: _sk, entity: _e, listStatus: _l, listAll: _a, filedSort: _f, ...feedback } = item;
  return feedback as unknown as Feedback;
}

const stepItem = (code: string, step: FeedbackStep) => ({
  ...citizenKeys.step(code, step.seq),
  entity: 'feedback-step',
  ...step,
});

/**
 * What a write does to the feedback's alert schedule (the dossiers' one, shared/adapters/alert-schedule.ts): a new
 * one while the answer is owed, off the alert index once it is not. Never a deletion: the feedback functions may put
 * and update items, no more.
 */
/** A feedback's spent schedule is kept this long after its due date, like a dossier's. */
const SPENT_SCHEDULE_TTL_SECONDS = 90 * 24 * 3600;

function scheduleWrite(before: Feedback | undefined, after: Feedback) {
  const runs = (f: Feedback | undefined) =>
    f && (f.status === 'received' || f.status === 'accepted') ? f.dueAt : undefined;
  const was = runs(before);
  const is = runs(after);
  if (was === is) return [];
  if (is) return [{ Put: { TableName: tableName(), Item: alertScheduleItem(after.code, is) } }];
  return [
    {
      Update: {
        TableName: tableName(),
        Key: alertScheduleKey(after.code),
        // Off the index, and gone once nothing can ask for it any more.
        UpdateExpression: 'REMOVE alertLevel SET expiresAt = :expiresAt',
        ExpressionAttributeValues: {
          ':expiresAt': Math.floor(Date.parse(after.dueAt) / 1000) + SPENT_SCHEDULE_TTL_SECONDS,
        },
      },
    },
  ];
}

/** A new feedback item, its first step and its alert schedule, in one transaction. False if the code was taken. */
export async function createFeedback(feedback: Feedback, step: FeedbackStep): Promise<boolean> {
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: feedbackItem(feedback),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tableName(), Item: stepItem(feedback.code, step) } },
          ...scheduleWrite(undefined, feedback),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    )
      return false;
    throw error;
  }
}

/**
 * A step of the workflow: the item as it was read moves to its next version with its step and schedule, or nothing
 * is written (409) when another step came first.
 */
export async function saveFeedbackStep(before: Feedback, after: Feedback, step: FeedbackStep): Promise<void> {
  const schedule = scheduleWrite(before, after);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: feedbackItem(after),
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': before.version },
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: stepItem(after.code, step),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...schedule,
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed' || reasons[1]?.Code === 'ConditionalCheckFailed')
      throw new Conflict('feedback_changed', { code: after.code });
    throw error;
  }
}

export async function getFeedback(code: string): Promise<Feedback | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: citizenKeys.feedback(code), ConsistentRead: true }),
  );
  return result.Item ? feedbackFromItem(result.Item) : undefined;
}

export async function requireFeedback(code: string): Promise<Feedback> {
  const feedback = await getFeedback(code);
  if (!feedback) throw new NotFound('feedback_not_found', { code });
  return feedback;
}

/** The history of a feedback item: at most a few dozen steps (each is a staff action). */
export async function feedbackHistory(code: string): Promise<FeedbackStep[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
    ExpressionAttributeValues: { ':pk': `FEEDBACK#${code}`, ':step': 'STEP#' },
  });
  return items.map(({ pk: _pk, sk: _sk, entity: _entity, ...step }) => step as unknown as FeedbackStep);
}

export interface FeedbackSummary {
  code: string;
  version: number;
  status: FeedbackStatus;
  filedAt: string;
  dueAt: string;
}

/** Feedback newest first, of one status or all, one page. */
export async function listFeedback(query: {
  status?: FeedbackStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}): Promise<{ items: FeedbackSummary[]; cursor?: string }> {
  const fingerprint = `feedback|${query.status ?? ''}`;
  const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, fingerprint);
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: query.status ? 'byStatusFiled' : 'allByFiled',
      KeyConditionExpression: query.status ? 'listStatus = :p' : 'listAll = :p',
      ExpressionAttributeValues: { ':p': query.status ? listStatus(query.status) : 'FEEDBACK' },
      ScanIndexForward: false,
      Limit: query.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    }),
  );
  const items = (page.Items ?? []).map((item) => ({
    code: item.code as string,
    version: item.version as number,
    status: item.status as FeedbackStatus,
    filedAt: item.filedAt as string,
    dueAt: item.dueAt as string,
  }));
  const cursor = page.LastEvaluatedKey ? encodeCursor(page.LastEvaluatedKey, fingerprint) : undefined;
  return { items, ...(cursor ? { cursor } : {}) };
}

/** What the deadline watch reads of feedback items whose alerts are due (BatchGetItem, a hundred at a time). */
export async function dueFeedback(codes: readonly string[]): Promise<Map<string, Feedback>> {
  const found = new Map<string, Feedback>();
  for (let i = 0; i < codes.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = codes.slice(i, i + 100).map(citizenKeys.feedback);
    for (let round = 0; keys?.length; round++) {
      if (round === 5) throw new Error('the table kept keys of a BatchGetItem unprocessed');
      const result: BatchGetCommandOutput = await dynamo().send(
        new BatchGetCommand({
          RequestItems: {
            [tableName()]: {
              Keys: keys,
              ProjectionExpression: 'entity, code, #status, dueAt, filedAt, version',
              ExpressionAttributeNames: { '#status': 'status' },
            },
          },
        }),
      );
      for (const item of result.Responses?.[tableName()] ?? []) {
        const feedback = feedbackFromItem(item);
        if (feedback) found.set(feedback.code, feedback);
      }
      keys = result.UnprocessedKeys?.[tableName()]?.Keys;
      if (keys?.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    }
  }
  return found;
}

/**
 * Counts one filing in a fixed window of `windowMs` under `scope`, atomically, and returns the count with this one:
 * one counter item per window (it expires after it), so windows need no reset and parallel filings race on nothing.
 */
export async function countInWindow(scope: string, windowMs: number, now: number): Promise<number> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const updated = await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: { pk: `LIMIT#${scope}#${windowStart}`, sk: 'LIMIT' },
      UpdateExpression: 'SET entity = :entity, expiresAt = :expiresAt ADD filings :one',
      ExpressionAttributeValues: {
        ':entity': 'filing-limit',
        ':expiresAt': Math.ceil((windowStart + 2 * windowMs) / 1000),
        ':one': 1,
      },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return (updated.Attributes as { filings: number }).filings;
}

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;
const imageOf = (image: StreamImage | undefined) =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

/** A stream record about a rating or a feedback item, read for the report counters; undefined for anything else. */
export function citizenChange(
  record: DynamoDBRecord,
):
  | { kind: 'rating'; rating: Rating; isNew: boolean }
  | { kind: 'feedback'; before: Feedback | undefined; after: Feedback | undefined }
  | undefined {
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  if (after?.entity === 'rating') return { kind: 'rating', rating: ratingFromItem(after)!, isNew: !before };
  if (after?.entity === 'feedback')
    return { kind: 'feedback', before: before && feedbackFromItem(before), after: feedbackFromItem(after) };
  return undefined;
}

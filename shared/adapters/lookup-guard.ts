import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamo, tableName } from './aws.ts';

/** At most this many PIN attempts per dossier code in one window… */
export const LOOKUP_ATTEMPTS = 5;
/** …of this length, counted from the window's first attempt. */
export const LOOKUP_WINDOW_MS = 15 * 60_000;

/**
 * The attempt counter of one dossier code: pk LOOKUP#<code>. It is kept whether or not the code exists, so a
 * lockout says nothing about existence; it expires with its window (TTL).
 */
const guardKey = (code: string) => ({ pk: `LOOKUP#${code}`, sk: 'LOOKUP' });

export interface Attempt {
  /** Attempts in the current window, this one included. */
  count: number;
  windowEndsAt: number;
}

/**
 * Counts an attempt before the PIN is checked, atomically, so a burst of parallel guesses is counted as
 * many attempts as it makes. A window that has passed starts over; two requests that both find it passed race
 * on a conditional write, and the loser counts itself in the winner's new window.
 */
export async function countAttempt(code: string, now: number): Promise<Attempt> {
  const expiresAt = Math.ceil((now + 2 * LOOKUP_WINDOW_MS) / 1000);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const updated = await dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: guardKey(code),
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: 'windowStart > :windowFloor',
          ExpressionAttributeValues: { ':one': 1, ':windowFloor': now - LOOKUP_WINDOW_MS },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const item = updated.Attributes as { attempts: number; windowStart: number };
      return { count: item.attempts, windowEndsAt: item.windowStart + LOOKUP_WINDOW_MS };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item
        ? (unmarshall(error.Item as Record<string, AttributeValue>) as { windowStart?: number })
        : undefined;
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName(),
            Item: { ...guardKey(code), entity: 'lookupGuard', attempts: 1, windowStart: now, expiresAt },
            ConditionExpression: old?.windowStart === undefined ? 'attribute_not_exists(pk)' : 'windowStart = :old',
            ...(old?.windowStart === undefined ? {} : { ExpressionAttributeValues: { ':old': old.windowStart } }),
          }),
        );
        return { count: 1, windowEndsAt: now + LOOKUP_WINDOW_MS };
      } catch (raced) {
        if (!(raced instanceof ConditionalCheckFailedException)) throw raced;
      }
    }
  }
  // Still racing after three rounds: count it as over the limit rather than let it through uncounted.
  return { count: LOOKUP_ATTEMPTS + 1, windowEndsAt: now + LOOKUP_WINDOW_MS };
}

/** A right PIN gives its attempt back: a citizen checking often is not locked out by their own lookups. */
export async function refundAttempt(code: string): Promise<void> {
  await dynamo()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: guardKey(code),
        UpdateExpression: 'ADD attempts :minusOne',
        ConditionExpression: 'attempts > :zero',
        ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

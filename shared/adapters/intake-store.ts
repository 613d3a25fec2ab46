import { TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ControlSlipEntry, Dossier } from '../domain/dossier.ts';
import { Conflict, Unprocessable } from '../domain/errors.ts';
import { dynamo, tableName } from './aws.ts';
import { dossierItem, keys, slipItem } from './dossier-store.ts';

/** How long a retried submission gets the first answer back. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const MAX_ATTEMPTS = 60;

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export interface Idempotency {
  caller: string;
  keyHash: string;
  requestHash: string;
}

export interface IntakeAttempt {
  dossier: Dossier;
  slip: ControlSlipEntry;
  answer: StoredAnswer;
}

/**
 * Files a dossier in two round trips: read the day's sequence, then one transaction that advances the
 * sequence only if nobody else did (so codes are gap-free under concurrency), puts the dossier and its first
 * control-slip row, and records the answer under the Idempotency-Key. A retry with the same key finds its
 * record in the cancelled transaction and gets the first answer back; a lost race on the sequence reads it
 * again. `build` makes the dossier for a sequence number.
 */
export async function fileDossier(
  localDate: string,
  build: (sequence: number) => IntakeAttempt,
  idempotency: Idempotency | undefined,
  now: number,
): Promise<{ answer: StoredAnswer; replayed: boolean }> {
  const sequenceKey = keys.sequence(localDate);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await dynamo().send(new GetCommand({ TableName: tableName(), Key: sequenceKey, ConsistentRead: true }));
    const last = (current.Item?.last as number | undefined) ?? 0;
    const { dossier, slip, answer } = build(last + 1);
    const idempotencyItem = idempotency
      ? {
          ...keys.idempotency(idempotency.caller, idempotency.keyHash),
          entity: 'idempotency',
          requestHash: idempotency.requestHash,
          answer,
          code: dossier.code,
          createdAt: new Date(now).toISOString(),
          expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
        }
      : undefined;
    try {
      await dynamo().send(
        new TransactWriteCommand({
          TransactItems: [
            ...(idempotencyItem
              ? [
                  {
                    Put: {
                      TableName: tableName(),
                      Item: idempotencyItem,
                      // An expired record (TTL deletion is lazy) no longer counts.
                      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
                      ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000) },
                      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                    },
                  },
                ]
              : []),
            {
              Put: {
                TableName: tableName(),
                Item: { ...sequenceKey, entity: 'sequence', last: last + 1 },
                ConditionExpression: last === 0 ? 'attribute_not_exists(pk)' : '#last = :last',
                ...(last === 0 ? {} : { ExpressionAttributeNames: { '#last': 'last' }, ExpressionAttributeValues: { ':last': last } }),
              },
            },
            { Put: { TableName: tableName(), Item: dossierItem(dossier), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: tableName(), Item: slipItem(dossier.code, slip), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return { answer, replayed: false };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const idempotencyReason = idempotencyItem ? reasons[0] : undefined;
      if (idempotencyReason?.Code === 'ConditionalCheckFailed' && idempotencyReason.Item) {
        const stored = unmarshall(idempotencyReason.Item as Record<string, AttributeValue>) as { requestHash: string; answer: StoredAnswer; code: string };
        if (stored.requestHash !== idempotency!.requestHash) {
          throw new Unprocessable('idempotency_key_reused', {}, { dossierCode: stored.code });
        }
        return { answer: stored.answer, replayed: true };
      }
      // Someone else took this sequence number (or was writing it): read it again and retry.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
    }
  }
  throw new Conflict('intake_busy');
}

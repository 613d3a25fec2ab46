import { randomUUID } from 'node:crypto';
import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ControlSlipEntry, Dossier } from '../domain/dossier.ts';
import { ServiceUnavailable, Unprocessable } from '../domain/errors.ts';
import { logger } from '../observability.ts';
import { alertScheduleWrite } from './alert-schedule.ts';
import { dynamo, tableName } from './aws.ts';
import { dossierItem, keys, slipItem } from './dossier-store.ts';

/** How long a retried submission gets the first answer back. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * A claim this old without an answer belongs to a request that died (every function times out well before):
 * its retry takes it over.
 */
const STALE_CLAIM_MS = 60_000;
/** Waits for a racing request's answer, at most (each up to 200 ms; the function's own deadline comes first). */
const MAX_WAITS = 100;

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

interface IdempotencyRecord {
  requestHash: string;
  claimedBy: string;
  claimedAt: number;
  answer?: StoredAnswer;
  code?: string;
}

/**
 * Files a dossier. With an Idempotency-Key, the key is claimed first (one conditional write on an item of that
 * key alone): a retry finds the first answer there, and a retry racing the first request waits for it. Then the
 * day's number is taken by an atomic increment, which never conflicts however many clients file at once, and
 * one transaction writes the dossier, its first control-slip row and the answer under the key. Numbers stay
 * gap-free: a number is taken only by a request that will write its dossier, and is lost only if that write
 * fails outright (logged). Round trips: 2 without a key, 3 with one, 1 for a replay. `outOfTime` stops a wait
 * for a racing request short of the function's timeout (503: the client sends it again).
 */
export async function fileDossier(
  localDate: string,
  build: (sequence: number) => IntakeAttempt,
  idempotency: Idempotency | undefined,
  now: number,
  outOfTime: () => boolean = () => false,
): Promise<{ answer: StoredAnswer; replayed: boolean }> {
  const claim = idempotency ? await claimKey(idempotency, now, outOfTime) : undefined;
  if (claim && 'replay' in claim) return { answer: claim.replay, replayed: true };

  const numbered = await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.sequence(localDate),
      UpdateExpression: 'SET entity = :entity ADD #last :one',
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: { ':entity': 'sequence', ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const sequence = numbered.Attributes!.last as number;
  const { dossier, slip, answer } = build(sequence);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: dossierItem(dossier),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: slipItem(dossier.code, slip),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          // A dossier received at once (at the counter) has its clock running: its alerts are scheduled with it.
          ...[alertScheduleWrite(dossier.code, undefined, dossier)].filter((write) => write !== undefined),
          ...(idempotency && claim
            ? [
                {
                  Update: {
                    TableName: tableName(),
                    Key: keys.idempotency(idempotency.caller, idempotency.keyHash),
                    UpdateExpression: 'SET answer = :answer, code = :code',
                    ConditionExpression: 'claimedBy = :me',
                    ExpressionAttributeValues: { ':answer': answer, ':code': dossier.code, ':me': claim.claimedBy },
                  },
                },
              ]
            : []),
        ],
      }),
    );
  } catch (error) {
    logger.error('a dossier number was taken but its dossier not written', { code: dossier.code, sequence, localDate });
    throw error;
  }
  return { answer, replayed: false };
}

/** Claims an Idempotency-Key for this request, or finds the answer of the request that holds it. */
async function claimKey(
  idempotency: Idempotency,
  now: number,
  outOfTime: () => boolean,
): Promise<{ claimedBy: string } | { replay: StoredAnswer }> {
  const key = keys.idempotency(idempotency.caller, idempotency.keyHash);
  const claimedBy = randomUUID();
  const record = {
    ...key,
    entity: 'idempotency',
    requestHash: idempotency.requestHash,
    claimedBy,
    claimedAt: now,
    createdAt: new Date(now).toISOString(),
    expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
  };
  let condition = 'attribute_not_exists(pk) OR expiresAt < :nowSeconds';
  let values: Record<string, unknown> = { ':nowSeconds': Math.floor(now / 1000) };
  for (let wait = 0; wait < MAX_WAITS; wait++) {
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName(),
          Item: record,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimedBy };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
      const held = unmarshall(error.Item as Record<string, AttributeValue>) as IdempotencyRecord;
      if (held.requestHash !== idempotency.requestHash)
        throw new Unprocessable('idempotency_key_reused', {}, { dossierCode: held.code });
      if (held.answer) return { replay: held.answer };
      if (now - held.claimedAt > STALE_CLAIM_MS) {
        // The first request died before writing: take its claim over (once; a rival taking it first wins).
        condition = 'claimedBy = :held';
        values = { ':held': held.claimedBy };
        continue;
      }
      // The first request is still at work: its answer will be there in a moment.
      if (outOfTime()) throw new ServiceUnavailable('intake_busy', 1);
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 20 * 2 ** Math.min(wait, 4))));
      condition = 'attribute_not_exists(pk) OR expiresAt < :nowSeconds';
      values = { ':nowSeconds': Math.floor(now / 1000) };
    }
  }
  throw new ServiceUnavailable('intake_busy', 1);
}

import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AttemptOutcome, type DeliveryState, deliveryId } from '../domain/delivery.ts';
import type { PortalStatusMessage } from '../events.ts';
import { dynamo, tableName } from './aws.ts';

/**
 * The deliveries of status changes to portals, one item per change (docs/data-model.md): pk DELIVERY#<code>,
 * sk V#<version>. Only the next one of a dossier to send (its head) is due (`deliveryDue`, index byDeliveryDue);
 * a later version waits, without a due date, until the one before it is delivered, so a portal gets each dossier's
 * changes in order however long it was down. `deliveryState` (index byDeliveryState) lists the pending and failed
 * ones for staff; a delivered one leaves both indexes and expires after DELIVERED_TTL_SECONDS.
 */

const DELIVERED_TTL_SECONDS = 90 * 24 * 3600;

/** The most versions of one dossier read to find its head: far above any dossier's number of status changes. */
const MAX_DELIVERIES_READ = 500;

export interface Delivery {
  code: string;
  version: number;
  portalId: string;
  status: string;
  /** The exact body sent on every attempt (the signature covers it). */
  body: string;
  state: DeliveryState;
  attempts: number;
  createdAt: string;
  /** When it became its dossier's next to send: its horizon counts from then. */
  activatedAt?: string;
  nextAttemptAt?: string;
  lastAttemptAt?: string;
  lastError?: string;
  deliveredAt?: string;
  failedAt?: string;
  leaseUntil?: number;
  deliveryDue?: string;
}

const keyOf = (code: string, version: number) => ({
  pk: `DELIVERY#${code}`,
  sk: `V#${String(version).padStart(9, '0')}`,
});
const listSort = (createdAt: string, code: string, version: number) => `${createdAt}#${deliveryId(code, version)}`;

const dueFields = (at: string) => ({ deliveryDue: 'due', dueSort: at, nextAttemptAt: at, activatedAt: at });

/**
 * Records a status change as a delivery, once (a replayed stream record finds it there). Due at once when nothing
 * of its dossier is still to send; else it waits for the one before, in a transaction that checks that one is
 * still undelivered, so it cannot wait behind one delivered meanwhile (the sender activates the next after it has
 * marked its head delivered: one of the two always sees the other).
 */
export async function recordDelivery(message: PortalStatusMessage, body: string, now: string): Promise<void> {
  const base = {
    ...keyOf(message.code, message.version),
    entity: 'delivery',
    code: message.code,
    version: message.version,
    portalId: message.portalId,
    status: message.status,
    body,
    state: 'pending',
    deliveryState: 'pending',
    listSort: listSort(now, message.code, message.version),
    attempts: 0,
    createdAt: now,
  };
  for (let tries = 0; tries < 5; tries++) {
    const latest = await latestOf(message.code);
    if (latest && latest.version >= message.version) return;
    try {
      if (latest && latest.state !== 'delivered') {
        await dynamo().send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName(), Item: base, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                ConditionCheck: {
                  TableName: tableName(),
                  Key: keyOf(latest.code, latest.version),
                  ConditionExpression: 'attribute_exists(deliveryState)',
                },
              },
            ],
          }),
        );
      } else {
        await dynamo().send(
          new PutCommand({
            TableName: tableName(),
            Item: { ...base, ...dueFields(now) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      }
      return;
    } catch (error) {
      // Recorded already (a replay), or the one before was delivered meanwhile: look again.
      if (error instanceof ConditionalCheckFailedException) continue;
      if (error instanceof TransactionCanceledException) {
        if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return;
        if (error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed') continue;
      }
      throw error;
    }
  }
  throw new Error(`delivery of ${deliveryId(message.code, message.version)}: the dossier kept changing`);
}

async function latestOf(code: string): Promise<Delivery | undefined> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `DELIVERY#${code}` },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return page.Items?.[0] as Delivery | undefined;
}

/** The first delivery of a dossier not delivered yet (pending or failed), read strongly. */
export async function headOf(code: string): Promise<Delivery | undefined> {
  let start: Record<string, unknown> | undefined;
  let read = 0;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_exists(deliveryState)',
        ExpressionAttributeValues: { ':pk': `DELIVERY#${code}` },
        ConsistentRead: true,
        Limit: 100,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const first = page.Items?.[0];
    if (first) return first as Delivery;
    read += page.ScannedCount ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && read < MAX_DELIVERIES_READ);
  return undefined;
}

/** The codes of dossiers whose head is due by `now`, soonest first. */
export async function dueDossiers(now: string, limit: number): Promise<string[]> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'byDeliveryDue',
      KeyConditionExpression: 'deliveryDue = :due AND dueSort <= :now',
      ExpressionAttributeValues: { ':due': 'due', ':now': now },
      Limit: limit,
    }),
  );
  return [...new Set((page.Items ?? []).map((item) => item.code as string))];
}

/**
 * Takes a due head for one attempt: no other run may send it until `until` (epoch ms), by when the run that took it
 * has ended (the lease outlasts the function's timeout). False if another run has it, or it is no longer due.
 */
export async function claimDelivery(delivery: Delivery, now: number, until: number): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keyOf(delivery.code, delivery.version),
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression:
          'deliveryDue = :due AND #state = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':until': until, ':due': 'due', ':pending': 'pending', ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Marks the head delivered, then makes the next version of the dossier due, if one waits. */
export async function markDelivered(delivery: Delivery, now: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keyOf(delivery.code, delivery.version),
      UpdateExpression:
        'SET #state = :delivered, deliveredAt = :now, lastAttemptAt = :now, attempts = attempts + :one, expiresAt = :expires REMOVE deliveryState, deliveryDue, dueSort, nextAttemptAt, leaseUntil',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':delivered': 'delivered',
        ':now': now,
        ':one': 1,
        ':expires': Math.floor(Date.parse(now) / 1000) + DELIVERED_TTL_SECONDS,
      },
    }),
  );
  const next = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND sk > :sk',
      ExpressionAttributeValues: {
        ':pk': `DELIVERY#${delivery.code}`,
        ':sk': keyOf(delivery.code, delivery.version).sk,
      },
      ConsistentRead: true,
      Limit: 1,
    }),
  );
  const waiting = next.Items?.[0] as Delivery | undefined;
  if (waiting?.state === 'pending') await makeDue(waiting, now, 'attribute_not_exists(deliveryDue)');
}

async function makeDue(
  delivery: Pick<Delivery, 'code' | 'version'>,
  now: string,
  condition: string,
  values: Record<string, string> = {},
): Promise<boolean> {
  const due = dueFields(now);
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keyOf(delivery.code, delivery.version),
        UpdateExpression:
          'SET #state = :pending, deliveryState = :pending, deliveryDue = :due, dueSort = :at, nextAttemptAt = :at, activatedAt = :at REMOVE failedAt, leaseUntil',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': 'pending', ':due': due.deliveryDue, ':at': now, ...values },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Records a failed attempt: tried again at the outcome's time, or failed (and out of the due index). */
export async function markAttemptFailed(
  delivery: Delivery,
  outcome: AttemptOutcome,
  error: string,
  now: string,
): Promise<void> {
  const common = { ':now': now, ':one': 1, ':error': error.slice(0, 500) };
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keyOf(delivery.code, delivery.version),
      ...(outcome.state === 'pending'
        ? {
            UpdateExpression:
              'SET attempts = attempts + :one, lastAttemptAt = :now, lastError = :error, nextAttemptAt = :next, dueSort = :next REMOVE leaseUntil',
            ExpressionAttributeValues: { ...common, ':next': new Date(outcome.nextAttemptAt).toISOString() },
          }
        : {
            UpdateExpression:
              'SET attempts = attempts + :one, lastAttemptAt = :now, lastError = :error, #state = :failed, deliveryState = :failed, failedAt = :now REMOVE deliveryDue, dueSort, nextAttemptAt, leaseUntil',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ...common, ':failed': 'failed' },
          }),
    }),
  );
}

/** Sends a failed delivery again: due now, with a new horizon. False when it is not failed (or not there). */
export function retryDelivery(code: string, version: number, now: string): Promise<boolean> {
  return makeDue({ code, version }, now, '#state = :failed', { ':failed': 'failed' });
}

export interface DeliveryPage {
  items: Delivery[];
  next?: Record<string, unknown> | undefined;
}

/** Pending or failed deliveries, oldest first, optionally of one portal. */
export async function listDeliveries(
  state: 'pending' | 'failed',
  limit: number,
  options: { portalId?: string | undefined; after?: Record<string, unknown> | undefined } = {},
): Promise<DeliveryPage> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'byDeliveryState',
      KeyConditionExpression: 'deliveryState = :state',
      ExpressionAttributeValues: { ':state': state, ...(options.portalId ? { ':portal': options.portalId } : {}) },
      ...(options.portalId ? { FilterExpression: 'portalId = :portal' } : {}),
      Limit: limit,
      ...(options.after ? { ExclusiveStartKey: options.after } : {}),
    }),
  );
  return { items: (page.Items ?? []) as Delivery[], next: page.LastEvaluatedKey };
}

export async function getDelivery(code: string, version: number): Promise<Delivery | undefined> {
  const answer = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keyOf(code, version), ConsistentRead: true }),
  );
  return answer.Item as Delivery | undefined;
}

/** The most failed deliveries one request sends again; a portal with more is asked again (the answer counts). */
export const MAX_RETRIED_PER_REQUEST = 1000;

/** Makes every failed delivery to one portal due again (at most MAX_RETRIED_PER_REQUEST); returns how many. */
export async function retryFailedOfPortal(portalId: string, now: string): Promise<number> {
  let retried = 0;
  let after: Record<string, unknown> | undefined;
  for (let pages = 0; pages < 50 && retried < MAX_RETRIED_PER_REQUEST; pages++) {
    const page = await listDeliveries('failed', 100, { portalId, after });
    for (const delivery of page.items.slice(0, MAX_RETRIED_PER_REQUEST - retried))
      if (await retryDelivery(delivery.code, delivery.version, now)) retried++;
    after = page.next;
    if (!after) break;
  }
  return retried;
}

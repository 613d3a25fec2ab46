import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type PeriodSums, sumCounters } from '../domain/figures.ts';
import type { ScopedDeltas } from '../domain/report.ts';
import { addDays, type LocalDate } from '../domain/zoned-time.ts';
import { dynamo, tableName } from './aws.ts';
import { queryAll } from './query.ts';

/** Stream records are kept 24 hours; a shard's checkpoint a little longer, so no replay can outlive it. */
const CHECKPOINT_TTL_SECONDS = 48 * 3600;
/** DynamoDB's limit of items in one transaction: the shard's checkpoint and up to 99 day counters. */
const MAX_TRANSACTION_ITEMS = 100;
/** Sequence numbers are 21 to 40 digits: padded to 40, they compare as strings in a condition. */
const SEQUENCE_DIGITS = 40;
/** Attempts of one transaction: after a replay found its checkpoint ahead, or a conflict with another shard. */
const MAX_ATTEMPTS = 4;

export const reportKey = (scope: string, date: string) => ({ pk: `REPORT#${scope}`, sk: `DAY#${date}` });
/** A month's or a year's sums of a scope's day counters, kept beside them so a report reads a few items, not years of days. */
export const rollupKey = (scope: string, period: string) => ({
  pk: `ROLLUP#${scope}`,
  sk: period.length === 4 ? `YEAR#${period}` : `MONTH#${period}`,
});
export const checkpointKey = (shardId: string) => ({ pk: `STREAM#${shardId}`, sk: 'CHECKPOINT' });

/** What one stream record adds to the counters, scope by scope. */
export interface CountedChange {
  sequenceNumber: string;
  scoped: readonly ScopedDeltas[];
}

export interface BatchOutcome {
  /** Records whose changes this call added. */
  applied: number;
  /** Records a checkpoint showed were added before (a replay). */
  replayed: number;
}

const padded = (sequenceNumber: string) => sequenceNumber.padStart(SEQUENCE_DIGITS, '0');

interface CounterItem {
  key: { pk: string; sk: string };
  entity: 'report-day' | 'report-month' | 'report-year';
  scope: string;
  /** The day, month or year the item sums. */
  period: string;
  counters: Record<string, number>;
}

/** The items one day's delta of a scope adds to: the day, its month and its year. */
function itemsOf(scope: string, date: string): Omit<CounterItem, 'counters'>[] {
  return [
    { key: reportKey(scope, date), entity: 'report-day', scope, period: date },
    { key: rollupKey(scope, date.slice(0, 7)), entity: 'report-month', scope, period: date.slice(0, 7) },
    { key: rollupKey(scope, date.slice(0, 4)), entity: 'report-year', scope, period: date.slice(0, 4) },
  ];
}
const itemId = (key: { pk: string; sk: string }) => `${key.pk}\u0000${key.sk}`;

/** The counter items a run of changes adds to, summed: one entry per item, zero sums left out. */
function sumByItem(changes: readonly CountedChange[]): Map<string, CounterItem> {
  const items = new Map<string, CounterItem>();
  for (const change of changes)
    for (const { scope, deltas } of change.scoped)
      for (const delta of deltas)
        for (const target of itemsOf(scope, delta.date)) {
          const id = itemId(target.key);
          const item = items.get(id) ?? { ...target, counters: {} };
          items.set(id, item);
          for (const [name, value] of Object.entries(delta.counters))
            item.counters[name] = (item.counters[name] ?? 0) + (value ?? 0);
        }
  for (const [id, item] of items) {
    for (const [name, value] of Object.entries(item.counters)) if (value === 0) delete item.counters[name];
    if (Object.keys(item.counters).length === 0) items.delete(id);
  }
  return items;
}

/** The longest run of changes from the start whose counter items fit one transaction beside the checkpoint. */
function fittingRun(changes: readonly CountedChange[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < changes.length; i++) {
    for (const { scope, deltas } of changes[i]!.scoped)
      for (const delta of deltas) for (const target of itemsOf(scope, delta.date)) seen.add(itemId(target.key));
    // A single record's counters always fit: a few days, three items each (day, month, year), in at most six
    // scopes (the four it keeps, and the department it leaves and the one it joins).
    if (seen.size > MAX_TRANSACTION_ITEMS - 1) return Math.max(i, 1);
  }
  return changes.length;
}

function counterUpdate(item: CounterItem) {
  const entries = Object.entries(item.counters);
  return {
    Update: {
      TableName: tableName(),
      Key: item.key,
      UpdateExpression: `SET #entity = :entity, #scope = :scope, #date = :date ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
      ExpressionAttributeNames: {
        '#entity': 'entity',
        '#scope': 'scope',
        '#date': 'date',
        ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
      },
      ExpressionAttributeValues: {
        ':entity': item.entity,
        ':scope': item.scope,
        ':date': item.period,
        ...Object.fromEntries(entries.map(([, value], i) => [`:c${i}`, value])),
      },
    },
  };
}

/**
 * Adds the changes of a batch of one shard's records, in stream order, to the day counters, exactly once.
 * The batch's changes are summed in memory and each counter item is written once, in one transaction with the
 * shard's checkpoint (the last sequence number applied), on condition that the checkpoint is still before the
 * first record written. A replayed batch, a retried half of a bisected one or a batch overlapping what was
 * applied finds the checkpoint ahead: the cancelled transaction brings it back, the records up to it are left
 * out, and the rest is written. A batch whose counters do not fit one transaction (100 items) is written as
 * several, in order, each moving the checkpoint. Records that count nothing write nothing, not even the
 * checkpoint: replaying them adds nothing either. One batch of a shard runs at a time (Lambda's way with a
 * shard); a conflict with another shard's transaction on the same counter item is retried a few times.
 */
export async function addBatchOnce(
  shardId: string,
  changes: readonly CountedChange[],
  now: number,
): Promise<BatchOutcome> {
  let pending = changes.filter((c) => c.scoped.length > 0);
  const outcome: BatchOutcome = { applied: 0, replayed: 0 };
  let attempts = 0;
  while (pending.length > 0) {
    const run = pending.slice(0, fittingRun(pending));
    const counters = [...sumByItem(run).values()];
    if (counters.length === 0) {
      outcome.applied += run.length;
      pending = pending.slice(run.length);
      continue;
    }
    try {
      await dynamo().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName(),
                Key: checkpointKey(shardId),
                UpdateExpression: 'SET #entity = :entity, #last = :last, #expiresAt = :expiresAt',
                ConditionExpression: 'attribute_not_exists(#last) OR #last < :first',
                ExpressionAttributeNames: { '#entity': 'entity', '#last': 'last', '#expiresAt': 'expiresAt' },
                ExpressionAttributeValues: {
                  ':entity': 'stream-checkpoint',
                  ':last': padded(run.at(-1)!.sequenceNumber),
                  ':first': padded(run[0]!.sequenceNumber),
                  ':expiresAt': Math.floor(now / 1000) + CHECKPOINT_TTL_SECONDS,
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...counters.map(counterUpdate),
          ],
        }),
      );
      outcome.applied += run.length;
      pending = pending.slice(run.length);
      attempts = 0;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || ++attempts >= MAX_ATTEMPTS) throw error;
      const checkpoint = error.CancellationReasons?.[0];
      if (checkpoint?.Code === 'ConditionalCheckFailed' && checkpoint.Item) {
        // Part or all of this was applied before: go on after the checkpoint.
        const last = unmarshall(checkpoint.Item as Record<string, AttributeValue>).last as string;
        const after = pending.filter((c) => padded(c.sequenceNumber) > last);
        outcome.replayed += pending.length - after.length;
        pending = after;
      } else if (!error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')) throw error;
      else await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempts));
    }
  }
  return outcome;
}

/**
 * The sums of one scope a report needs (figures.ts `PeriodSums`): every day before `from`, every day through `to`,
 * and `to` alone. A sum up to a day is its earlier years' items, its year's earlier months' and its month's days, so
 * this reads at most the scope's years (the calendar's range bounds them), 24 months and 62 days, in four queries.
 */
export async function periodSums(scope: string, from: LocalDate, to: LocalDate): Promise<PeriodSums> {
  const dayBefore = addDays(from, -1);
  const between = (pk: string, low: string, high: string) =>
    queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': pk, ':low': low, ':high': high },
    });
  const [years, months, monthBefore, monthThrough] = await Promise.all([
    between(`ROLLUP#${scope}`, 'YEAR#', `YEAR#${Number(to.slice(0, 4)) - 1}`),
    between(`ROLLUP#${scope}`, `MONTH#${dayBefore.slice(0, 4)}-01`, `MONTH#${to.slice(0, 7)}`),
    between(`REPORT#${scope}`, `DAY#${dayBefore.slice(0, 7)}-01`, `DAY#${dayBefore}`),
    between(`REPORT#${scope}`, `DAY#${to.slice(0, 7)}-01`, `DAY#${to}`),
  ]);
  const upTo = (day: LocalDate, daysOfItsMonth: Record<string, unknown>[]) =>
    sumCounters([
      ...years.filter((y) => String(y.date) < day.slice(0, 4)),
      ...months.filter((m) => String(m.date).startsWith(day.slice(0, 4)) && String(m.date) < day.slice(0, 7)),
      ...daysOfItsMonth,
    ]);
  return {
    before: upTo(dayBefore, monthBefore),
    through: upTo(to, monthThrough),
    lastDay: sumCounters(monthThrough.filter((d) => d.date === to)),
  };
}

/** Day counters of one scope between two local dates, inclusive. */
export function dayCounters(scope: string, from: string, to: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': `REPORT#${scope}`, ':from': `DAY#${from}`, ':to': `DAY#${to}` },
  });
}

import type { CounterDelta } from '../domain/report.ts';
import { tableName } from './aws.ts';
import { writeOnce } from './once.ts';
import { queryAll } from './query.ts';

/** Stream records are kept 24 hours; their markers a little longer. */
const MARKER_TTL_SECONDS = 48 * 3600;

export const reportKey = (scope: string, date: string) => ({ pk: `REPORT#${scope}`, sk: `DAY#${date}` });

/**
 * Adds a stream record's counter deltas exactly once: one transaction puts a marker named after the record's
 * event id and adds to the day counters of each scope. A replayed record finds its marker and adds nothing.
 * Returns false when the record had already been counted.
 */
export async function addCountersOnce(
  eventId: string,
  scopes: string[],
  deltas: CounterDelta[],
  now: number,
): Promise<boolean> {
  if (deltas.length === 0) return true;
  const updates = deltas.flatMap((delta) =>
    scopes.map((scope) => {
      const entries = Object.entries(delta.counters);
      return {
        Update: {
          TableName: tableName(),
          Key: reportKey(scope, delta.date),
          UpdateExpression: `SET #entity = :entity, #scope = :scope, #date = :date ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
          ExpressionAttributeNames: {
            '#entity': 'entity',
            '#scope': 'scope',
            '#date': 'date',
            ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':entity': 'report-day',
            ':scope': scope,
            ':date': delta.date,
            ...Object.fromEntries(entries.map(([, value], i) => [`:c${i}`, value])),
          },
        },
      };
    }),
  );
  return writeOnce(
    {
      pk: `STREAM#${eventId}`,
      sk: 'COUNTED',
      entity: 'stream-marker',
      expiresAt: Math.floor(now / 1000) + MARKER_TTL_SECONDS,
    },
    updates,
  );
}

/** Day counters of one scope between two local dates, inclusive. */
export function dayCounters(scope: string, from: string, to: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': `REPORT#${scope}`, ':from': `DAY#${from}`, ':to': `DAY#${to}` },
  });
}

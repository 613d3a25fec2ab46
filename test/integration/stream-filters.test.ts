import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../shared/adapters/aws.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Which of the table's own writes reach the stream consumers, through the local stream poller and the filters of
 * the blueprint. Stand-ins take the consumers' place and note what they were handed.
 */

const seen: Record<'report-aggregator' | 'portal-notifier', string[]> = {
  'report-aggregator': [],
  'portal-notifier': [],
};
const noting = (name: keyof typeof seen) => async (event: unknown) => {
  for (const record of (event as DynamoDBStreamEvent).Records)
    seen[name].push(`${record.dynamodb?.Keys?.pk?.S}|${record.dynamodb?.Keys?.sk?.S}`);
  return { state: {}, batchItemFailures: [] };
};

let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard((w) => w, {
    standIns: { 'report-aggregator': noting('report-aggregator'), 'portal-notifier': noting('portal-notifier') },
    countersDifferOnPurpose: 'a stand-in takes the aggregator’s place, and a counter and a dossier are written by hand',
  });
});
afterAll(async () => ward?.stop());

describe('stream consumers’ event filters', () => {
  it('hand the portal notifier dossier items only, the aggregator ratings and feedback too, never counters or markers', async () => {
    const code = '000.00.00.H99-260302-0007';
    const items: Record<string, unknown>[] = [
      { pk: 'REPORT#ward', sk: 'DAY#2026-03-02', entity: 'report-day', received: 1 },
      { pk: 'STREAM#shardId-00000001-test', sk: 'CHECKPOINT', entity: 'stream-checkpoint', last: '1' },
      { pk: `ALERT#${code}`, sk: 'overdue#2026-03-03T02:00:00.000Z', entity: 'alert-marker' },
      { pk: `ALERT#${code}`, sk: 'SCHEDULE', entity: 'alert-schedule', code },
      { pk: 'INBOX#officer', sk: `2026-03-03T02:00:00.000Z#${code}#overdue`, entity: 'alert', code },
      { pk: `DOSSIER#${code}`, sk: 'SLIP#0001', entity: 'slip', code },
      { pk: 'SEQUENCE#2026-03-02', sk: 'SEQUENCE', entity: 'sequence', last: 7 },
      { pk: `LOOKUP#${code}`, sk: 'LOOKUP', entity: 'lookup', attempts: 1 },
      { pk: 'FEEDBACK#PAKN-0000000001', sk: 'STEP#0001', entity: 'feedback-step', seq: 1 },
      { pk: 'LIMIT#feedback-ward#0', sk: 'LIMIT', entity: 'filing-limit', filings: 1 },
      { pk: `RATING#${code}`, sk: 'RATING', entity: 'rating', code },
      { pk: 'FEEDBACK#PAKN-0000000001', sk: 'FEEDBACK', entity: 'feedback', code: 'PAKN-0000000001' },
      // The one that counts, written last: once it is through, everything before it has been read.
      { pk: `DOSSIER#${code}`, sk: 'DOSSIER', entity: 'dossier', code },
    ];
    for (const item of items) await dynamo().send(new PutCommand({ TableName: ward.resources.tableName, Item: item }));
    await ward.settle();
    expect(seen['portal-notifier']).toEqual([`DOSSIER#${code}|DOSSIER`]);
    expect(seen['report-aggregator'].sort()).toEqual(
      [`RATING#${code}|RATING`, 'FEEDBACK#PAKN-0000000001|FEEDBACK', `DOSSIER#${code}|DOSSIER`].sort(),
    );
  });
});

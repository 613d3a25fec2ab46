import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RebuildResult } from '../../functions/report-rebuild/handler.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { correctDay } from '../../shared/adapters/report-rebuild.ts';
import { localDateOf } from '../../shared/domain/zoned-time.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { seedDossier } from '../support/seed.ts';
import { leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * The rebuild of the report counters (functions/report-rebuild, `npm run reports:rebuild`): dossiers go through the
 * API, the stream counts them, then counters are broken by hand and the rebuild must name each broken one and, when
 * asked, put it right. The file leaves them right: the ward's own check at the end recounts them once more.
 */
let ward: TestWard;
let today: string;
beforeAll(async () => {
  ward = await startTestWard();
  today = localDateOf(Date.now(), ward.ward.timeZone);
});
afterAll(async () => {
  await ward?.stop();
});

const rebuild = (event: Record<string, unknown> = {}) => ward.invoke('report-rebuild', event) as Promise<RebuildResult>;
const table = () => ward.resources.tableName;
const counterItem = async (scope: string, date: string) =>
  (
    await dynamo().send(
      new GetCommand({ TableName: table(), Key: { pk: `REPORT#${scope}`, sk: `DAY#${date}` }, ConsistentRead: true }),
    )
  ).Item;

describe('the rebuild of the report counters', () => {
  it('finds no difference once the stream has counted dossiers filed at the counter, refused online, seeded earlier', async () => {
    const counter = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: idempotent() });
    expect(counter.status).toBe(201);
    const online = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    expect(online.status).toBe(201);
    const refused = await ward.api.post(
      `/dossiers/${online.body.code}/actions`,
      { action: 'refuse', reason: 'Thiếu tờ khai' },
      { as: officer, headers: { 'if-match': online.headers.get('etag')! } },
    );
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    // Received on an earlier day: its counters are on that day.
    await seedDossier(ward, maritalStatus(), { receivedAt: '2026-03-02T02:00:00.000Z', sequence: 1 });
    await ward.settle();
    const result = await rebuild();
    expect(result).toMatchObject({ dossiers: 3, differenceCount: 0, differences: [], unreadable: [] });
    expect(result.days).toBeGreaterThanOrEqual(6);
    expect(await counterItem('ward', today)).toMatchObject({ received: 1, not_accepted: 1 });
  });

  it('GET /reports carries the Decision 766 groups the period’s counters support', async () => {
    const report = await ward.api.get(`/reports?from=${today}&to=${today}`, { as: leader });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const groups = Object.fromEntries(report.body.index766.groups.map((g: { group: string }) => [g.group, g]));
    expect(Object.keys(groups).sort()).toEqual(
      ['digitisation', 'feedbackOnTime', 'onlinePayment', 'onlineService', 'progress', 'satisfaction'].sort(),
    );
    // Today: the counter filing received, the online one refused at intake.
    expect(groups.digitisation.rate).toMatchObject({ denominator: report.body.figures.received });
    expect(groups.progress).toMatchObject({ groupMaxPoints: 20, target: null, points: null });
    expect(report.body.index766.outsideData[0]).toMatchObject({ decisionGroup: 'Công khai, minh bạch', maxPoints: 18 });
  });

  it('names every counter that differs, on a day kept and on one the dossiers do not give, and writes nothing', async () => {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: 'REPORT#ward', sk: `DAY#${today}` },
        UpdateExpression: 'ADD received :five',
        ExpressionAttributeValues: { ':five': 5 },
      }),
    );
    await dynamo().send(new DeleteCommand({ TableName: table(), Key: { pk: 'REPORT#ward', sk: 'DAY#2026-03-02' } }));
    await dynamo().send(
      new PutCommand({
        TableName: table(),
        Item: { pk: 'REPORT#field#HOTICH', sk: 'DAY#2026-02-27', entity: 'report-day', returned: 2 },
      }),
    );
    const result = await rebuild();
    expect(result.differences).toEqual(
      expect.arrayContaining([
        { scope: 'field#HOTICH', date: '2026-02-27', counter: 'returned', stored: 2, recounted: 0 },
        { scope: 'ward', date: '2026-03-02', counter: 'received', stored: 0, recounted: 1 },
        { scope: 'ward', date: today, counter: 'received', stored: 6, recounted: 1 },
      ]),
    );
    // The deleted day took every counter of the seeded dossier's receipt with it: received, in person, fee-bearing…
    expect(result.differences.filter((d) => d.scope === 'ward' && d.date === '2026-03-02').length).toBeGreaterThan(1);
    expect(result.differenceCount).toBe(result.differences.length);
    expect(result.differences.map((d) => d.scope)).toEqual([...result.differences.map((d) => d.scope)].sort());
    expect(result.written).toBeUndefined();
  });

  it('writes the recounted values when asked, after a second pass agrees, and then finds nothing', async () => {
    const before = await rebuild();
    expect(before.differenceCount).toBeGreaterThan(0);
    const written = await rebuild({ write: true, settleSeconds: 0 });
    expect(written.written).toEqual({
      counters: before.differenceCount,
      days: new Set(before.differences.map((d) => `${d.scope} ${d.date}`)).size,
    });
    expect(written.leftAlone).toBe(0);
    expect(await counterItem('ward', today)).toMatchObject({ received: 1 });
    expect(await counterItem('ward', '2026-03-02')).toMatchObject({ received: 1, entity: 'report-day', scope: 'ward' });
    expect(await counterItem('field#HOTICH', '2026-02-27')).toMatchObject({ returned: 0 });
    expect(await rebuild()).toMatchObject({ differenceCount: 0 });
  });

  it('leaves a counter alone that the aggregator added to since the scan read it', async () => {
    const stored = (await counterItem('ward', today))!.received as number;
    // The scan read `stored`, then the aggregator counted another dossier: the correction must not land on it.
    const stale = {
      scope: 'ward',
      date: today,
      counter: 'received' as const,
      stored: stored - 1,
      recounted: stored - 3,
    };
    expect(await ward.runAs('report-rebuild', () => correctDay([stale]))).toBe('changed');
    expect((await counterItem('ward', today))!.received).toBe(stored);
    // With the value the scan read it is written: the difference added, whatever else the item holds.
    const fresh = { ...stale, stored, recounted: stored + 2 };
    expect(await ward.runAs('report-rebuild', () => correctDay([fresh]))).toBe('written');
    expect((await counterItem('ward', today))!.received).toBe(stored + 2);
    await ward.runAs('report-rebuild', () => correctDay([{ ...fresh, stored: stored + 2, recounted: stored }]));
    expect(await rebuild()).toMatchObject({ differenceCount: 0 });
  });

  it('may write report counters and no other item, and refuses an event it does not know', async () => {
    const code = '000.00.00.H99-260302-0099';
    await expect(
      ward.runAs('report-rebuild', () =>
        dynamo().send(
          new UpdateCommand({
            TableName: table(),
            Key: { pk: `DOSSIER#${code}`, sk: 'DOSSIER' },
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': 'resolved' },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(rebuild({ write: 'yes' })).rejects.toMatchObject({ name: 'InvalidRebuildEvent' });
    await expect(rebuild({ settleSeconds: 3600 })).rejects.toMatchObject({ name: 'InvalidRebuildEvent' });
    await expect(rebuild({ from: '2026-01-01' })).rejects.toThrow(/unknown from/);
  });

  it('fails the file of a ward left with a counter the dossiers do not give, unless the file says why', async () => {
    const stray = { pk: 'REPORT#ward', sk: 'DAY#2026-02-27', entity: 'report-day', received: 1 };
    const careless = await startTestWard();
    await dynamo().send(new PutCommand({ TableName: careless.resources.tableName, Item: stray }));
    await expect(careless.stop()).rejects.toThrow(/differ from a recount[\s\S]*ward 2026-02-27 received 1 0/);
    const excused = await startTestWard((w) => w, { countersDifferOnPurpose: 'this test writes a stray counter' });
    await dynamo().send(new PutCommand({ TableName: excused.resources.tableName, Item: stray }));
    await excused.stop();
  });
});

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo, sqs } from '../../shared/adapters/aws.ts';
import { dossierChange } from '../../shared/adapters/stream.ts';
import type { FunctionName } from '../../shared/blueprint/resources.ts';
import { scopedDeltas } from '../../shared/domain/report.ts';
import type { AlertMessage } from '../../shared/events.ts';
import { storedDossier } from '../support/fixtures.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

/*
 * How the stream and queue consumers take a batch: in order, stopping at the first failure, where order is promised
 * (the portal notifier); the whole batch summed into one write, once (the report aggregator); never two
 * transactions on the same item at once (the alert dispatch). The handlers run in this process against the ward's
 * local services, as the runner runs them; the pollers rest meanwhile, so only the batch given here reaches them.
 */

let ward: TestWard;
let portalServer: Server;

beforeAll(async () => {
  // The portal's webhook, for the portal-sync consumer once the pollers run again: it takes everything.
  portalServer = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => portalServer.listen(0, '127.0.0.1', resolve));
  const { port } = portalServer.address() as AddressInfo;
  ward = await startTestWard(
    (w) => ({
      ...w,
      portals: [
        { id: 'dvcqg', name: 'Cổng Dịch vụ công quốc gia', statusWebhookUrl: `http://127.0.0.1:${port}/status` },
      ],
    }),
    {
      countersDifferOnPurpose:
        'the aggregator is handed batches of dossiers made up here, never written to the table, and counts them',
    },
  );
});
afterAll(async () => {
  await ward?.stop();
  await new Promise((resolve) => portalServer?.close(resolve));
});

type BatchHandler<E, R> = (event: E, context: Context) => Promise<R>;
async function handlerOf<E, R>(name: FunctionName): Promise<BatchHandler<E, R>> {
  const module = (await import(`../../functions/${name}/handler.ts`)) as { handler: BatchHandler<E, R> };
  // As the runner runs it: with the function's own environment and grants.
  return (event, ctx) => ward.runAs(name, () => module.handler(event, ctx));
}
const context = (name: string) =>
  ({ functionName: name, awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

const dossierItem = (code: string, version: number, status: string, receivedAt: string) =>
  storedDossier(code, { version, status, receivedAt });

function streamRecord(
  sequence: number,
  after: Record<string, unknown>,
  before: Record<string, unknown> | undefined,
): DynamoDBRecord {
  return {
    eventID: randomUUID(),
    eventName: before ? 'MODIFY' : 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      NewImage: marshall(after) as never,
      ...(before ? { OldImage: marshall(before) as never } : {}),
      SequenceNumber: String(sequence).padStart(21, '0'),
      ApproximateCreationDateTime: Date.parse(after.receivedAt as string) / 1000,
    },
  };
}

/**
 * Watches one client's calls of one command in this process while `work` runs: how many, and the most at once.
 * Counting, not mocking: every call still goes to the local service. `fail` may name a call to fail instead (a
 * fault the local services cannot be made to produce for one message).
 */
async function watchCalls<T>(
  client: ReturnType<typeof dynamo> | ReturnType<typeof sqs>,
  command: RegExp,
  work: () => Promise<T>,
  fail: (input: Record<string, unknown>) => boolean = () => false,
): Promise<{ result: T; inputs: Record<string, unknown>[]; mostAtOnce: number }> {
  const inputs: Record<string, unknown>[] = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  let watching = true;
  const name = `motcuaWatch${randomUUID().slice(0, 8)}`;
  (client.middlewareStack as ReturnType<typeof dynamo>['middlewareStack']).add(
    (next, ctx) => async (args) => {
      if (!watching || !command.test(String(ctx.commandName))) return next(args);
      const input = args.input as Record<string, unknown>;
      inputs.push(input);
      if (fail(input)) throw new Error('injected: the queue did not answer');
      inFlight += 1;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      try {
        return await next(args);
      } finally {
        inFlight -= 1;
      }
    },
    { step: 'initialize', name },
  );
  try {
    const result = await ward.withPollersPaused(work);
    return { result, inputs, mostAtOnce };
  } finally {
    watching = false;
    client.middlewareStack.remove(name);
  }
}

describe('an ordered consumer (the portal notifier)', () => {
  it('stops at a failed record: it and every later one are reported failed, and the later ones are not sent', async () => {
    const code = '000.00.00.H99-260302-0101';
    const at = '2026-03-02T02:00:00.000Z';
    const versions = [
      dossierItem(code, 1, 'submitted', at),
      dossierItem(code, 2, 'received', at),
      dossierItem(code, 3, 'in_progress', at),
    ];
    const event: DynamoDBStreamEvent = {
      Records: versions.map((after, i) => streamRecord(i + 1, after, versions[i - 1])),
    };
    const notify = await handlerOf<DynamoDBStreamEvent, DynamoDBBatchResponse>('portal-notifier');
    const { result, inputs } = await watchCalls(
      sqs(),
      /^SendMessage/,
      () => notify(event, context('portal-notifier')),
      (input) => input.MessageDeduplicationId === `${code}#2`,
    );
    expect(result.batchItemFailures).toEqual(
      event.Records.slice(1).map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber })),
    );
    // Version 3 was never sent: it would have reached the portal before version 2.
    expect(inputs.map((i) => i.MessageDeduplicationId)).toEqual([`${code}#1`, `${code}#2`]);
  });
});

/** A batch of the report aggregator's stream, from one shard (its mapping's tumbling window names it). */
const shardBatch = (shardId: string, records: DynamoDBRecord[]) => ({ Records: records, shardId });

/**
 * `count` stream records of dossiers received on one day, over `procedures` procedures in three fields, every third
 * one resolved later in the batch (a MODIFY of the same dossier), every fourth paid online: the counters a busy
 * batch adds to.
 */
function busyRecords(prefix: string, count: number, procedures: number, at: string, resolvedAt = at): DynamoDBRecord[] {
  const receipts: Record<string, unknown>[] = [];
  const resolutions: Record<string, unknown>[][] = [];
  for (let n = 1; receipts.length + resolutions.length < count; n++) {
    const p = n % procedures;
    const received = {
      ...dossierItem(`${prefix}-${String(n).padStart(4, '0')}`, 1, 'received', at),
      procedure: {
        code: `${prefix}.P${p}`,
        name: 'Thủ tục thử',
        fieldCode: `${prefix}F${p % 3}`,
        fieldName: 'Lĩnh vực thử',
        onlineLevel: p % 2 ? 'full' : 'partial',
      },
      channel: n % 2 ? 'online' : 'in_person',
      // Due the day before (so resolved late), and each test in a year of its own: the ward's, the channels' and the
      // departments' days, months and years are shared by every test of the file.
      dueAt: new Date(Date.parse(at) - 86_400_000).toISOString(),
      fee: n % 4 ? { amountVnd: 0 } : { amountVnd: 15000, method: 'online', paidAt: at },
    };
    receipts.push(received);
    // Every fifth resolution is by a department the dossier was handed to with it: its counters move there.
    const department = n % 15 === 0 ? { department: 'Tư pháp – Hộ tịch' } : {};
    if (n % 3 === 0 && receipts.length + resolutions.length < count)
      resolutions.push([
        { ...received, ...department, version: 2, status: 'resolved', resolvedAt, timing: 'early' },
        received,
      ]);
  }
  // The resolutions come after every receipt, as later changes of the same dossiers; sequence numbers in stream order.
  return [
    ...receipts.map((after) => [after, undefined] as const),
    ...resolutions.map(([after, before]) => [after!, before] as const),
  ].map(([after, before], i) => streamRecord(i + 1, after, before));
}

/**
 * What the records add up to, record by record (the domain's own deltas, scope by scope), by counter item: the days,
 * and the months and years that sum them (the tally of open dossiers among them).
 */
function expectedCounters(records: DynamoDBRecord[]): Map<string, Record<string, number>> {
  const expected = new Map<string, Record<string, number>>();
  for (const record of records) {
    const { before, after } = dossierChange(record);
    for (const { scope, deltas } of scopedDeltas(before, after, 'Asia/Ho_Chi_Minh'))
      for (const delta of deltas)
        for (const key of [
          `REPORT#${scope}|DAY#${delta.date}`,
          `ROLLUP#${scope}|MONTH#${delta.date.slice(0, 7)}`,
          `ROLLUP#${scope}|YEAR#${delta.date.slice(0, 4)}`,
        ]) {
          const item = expected.get(key) ?? {};
          for (const [name, value] of Object.entries(delta.counters)) item[name] = (item[name] ?? 0) + value!;
          expected.set(key, item);
        }
  }
  for (const [key, item] of expected) {
    for (const [name, value] of Object.entries(item)) if (value === 0) delete item[name];
    if (Object.keys(item).length === 0) expected.delete(key);
  }
  return expected;
}

async function storedCounters(keys: Iterable<string>): Promise<Map<string, Record<string, number>>> {
  const stored = new Map<string, Record<string, number>>();
  for (const key of keys) {
    const [pk, sk] = key.split('|');
    const { Item } = await dynamo().send(new GetCommand({ TableName: ward.resources.tableName, Key: { pk, sk } }));
    const { pk: _pk, sk: _sk, entity: _e, scope: _s, date: _d, ...counters } = Item ?? {};
    stored.set(key, counters as Record<string, number>);
  }
  return stored;
}

/** What a replay must leave exact includes the open-dossier tally, its month and year sums, and a department move. */
function expectTallyAndMoves(expected: Map<string, Record<string, number>>) {
  const items = [...expected.entries()];
  expect(items.some(([key, c]) => key.startsWith('ROLLUP#ward|MONTH#') && c.closed! > 0 && c.due! > 0)).toBe(true);
  expect(
    items.some(
      ([key, c]) => key.startsWith('REPORT#ward|DAY#') && (c.closed_by_due ?? 0) + (c.closed_after_due ?? 0) > 0,
    ),
  ).toBe(true);
  expect(items.some(([key]) => key.startsWith('REPORT#department#Tư pháp – Hộ tịch|'))).toBe(true);
}

const DYNAMO_WRITES = /^(TransactWrite|BatchWrite|Put|Update|Delete)/;

describe('the report aggregator', () => {
  it('adds a batch of 100 records with one write call: each counter item once, the figures exact', async () => {
    const records = busyRecords('AGG1', 100, 12, '2031-03-04T02:00:00.000Z');
    expect(records).toHaveLength(100);
    const aggregate = await handlerOf<unknown, DynamoDBBatchResponse>('report-aggregator');
    const { result, inputs, mostAtOnce } = await watchCalls(dynamo(), DYNAMO_WRITES, () =>
      aggregate(shardBatch(`shardId-${randomUUID()}`, records), context('report-aggregator')),
    );
    expect(result.batchItemFailures).toEqual([]);
    const writeCallsPerRecord = inputs.length / records.length;
    const items = inputs.reduce((n, i) => n + ((i.TransactItems as unknown[] | undefined)?.length ?? 1), 0);
    // Transactional writes cost two write units per item of up to 1 KB (counter items and the checkpoint are).
    console.info(
      `report aggregator: ${inputs.length} DynamoDB write call(s), ${items} item writes (${2 * items} WCU) for ${records.length} stream records`,
    );
    expect(writeCallsPerRecord).toBeLessThanOrEqual(0.1);
    expect(mostAtOnce).toBe(1);
    const written = inputs.flatMap((i) => (i.TransactItems as { Update: { Key: { pk: string; sk: string } } }[]) ?? []);
    const counterKeys = written
      .map((w) => `${w.Update.Key.pk}|${w.Update.Key.sk}`)
      .filter((k) => /^(REPORT|ROLLUP)#/.test(k));
    expect(new Set(counterKeys).size).toBe(counterKeys.length);
    const expected = expectedCounters(records);
    expect(new Set(counterKeys)).toEqual(new Set(expected.keys()));
    expect(await storedCounters(expected.keys())).toEqual(expected);
  });

  it('counts once what is replayed: the whole batch, its bisected halves, a batch overlapping what was applied', async () => {
    const records = busyRecords('AGG2', 100, 5, '2032-03-05T02:00:00.000Z');
    const shard = `shardId-${randomUUID()}`;
    const aggregate = await handlerOf<unknown, DynamoDBBatchResponse>('report-aggregator');
    const deliver = async (part: DynamoDBRecord[]) =>
      expect((await aggregate(shardBatch(shard, part), context('report-aggregator'))).batchItemFailures).toEqual([]);
    await deliver(records.slice(0, 60));
    // Lambda retries a batch whose invocation failed after its write, or splits it in two and retries each half.
    await deliver(records.slice(0, 60));
    await deliver(records.slice(0, 30));
    await deliver(records.slice(30, 60));
    // A retry starting inside what was applied, running on past it.
    await deliver(records.slice(40, 100));
    await deliver(structuredClone(records.slice(0, 100)));
    const expected = expectedCounters(records);
    expect(await storedCounters(expected.keys())).toEqual(expected);
    expectTallyAndMoves(expected);
    // Another shard's records are its own: the same sequence numbers there are not taken for replays.
    const other = busyRecords('AGG2', 10, 5, '2033-03-06T02:00:00.000Z');
    await aggregate(shardBatch(`shardId-${randomUUID()}`, other), context('report-aggregator'));
    const otherExpected = expectedCounters(other);
    expect(await storedCounters(otherExpected.keys())).toEqual(otherExpected);
  });

  it('writes a batch whose counters exceed a transaction in several, each of at most 100 items, once even when one fails', async () => {
    // 75 procedures received one day, 25 of them resolved the next: more counter items than one transaction holds.
    const records = busyRecords('AGG3', 100, 100, '2034-03-07T02:00:00.000Z', '2034-03-08T02:00:00.000Z');
    expect(expectedCounters(records).size).toBeGreaterThan(99);
    const shard = `shardId-${randomUUID()}`;
    const aggregate = await handlerOf<unknown, DynamoDBBatchResponse>('report-aggregator');
    // The second transaction fails (a fault DynamoDB Local cannot be made to produce): the invocation fails after
    // the first was written, and Lambda retries the whole batch.
    let transactions = 0;
    const failed = await watchCalls(
      dynamo(),
      /^TransactWrite/,
      () => aggregate(shardBatch(shard, records), context('report-aggregator')).catch((error: Error) => error),
      () => ++transactions === 2,
    );
    expect(failed.result).toBeInstanceOf(Error);
    const retried = await watchCalls(dynamo(), /^TransactWrite/, () =>
      aggregate(shardBatch(shard, records), context('report-aggregator')),
    );
    expect(retried.result.batchItemFailures).toEqual([]);
    for (const input of [...failed.inputs, ...retried.inputs])
      expect((input.TransactItems as unknown[]).length).toBeLessThanOrEqual(100);
    expect(failed.inputs.length).toBeGreaterThanOrEqual(2);
    const expected = expectedCounters(records);
    expect(await storedCounters(expected.keys())).toEqual(expected);
    expectTallyAndMoves(expected);
  });
});

describe('consumers that write transactions', () => {
  it('the alert dispatch runs no two of its transactions at once when an invocation carries one alert twice', async () => {
    const alert: AlertMessage = {
      kind: 'overdue',
      code: '000.00.00.H99-260304-0042',
      status: 'in_progress',
      dueAt: '2026-03-04T10:00:00.000Z',
      procedureName: 'Đăng ký khai sinh',
      detectedAt: '2026-03-05T01:00:00.000Z',
    };
    // Two copies of one alert in one invocation (overlapping watch runs): delivered one after the other.
    const event = { alerts: [alert, { ...alert, detectedAt: '2026-03-05T01:15:00.000Z' }] };
    const dispatch = await handlerOf<typeof event, unknown>('alert-dispatch');
    const { inputs, mostAtOnce } = await watchCalls(dynamo(), /^TransactWrite/, () =>
      dispatch(event, context('alert-dispatch')),
    );
    expect(inputs).toHaveLength(2);
    expect(mostAtOnce).toBe(1);
  });
});

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo, sqs } from '../../shared/adapters/aws.ts';
import type { FunctionName } from '../../shared/blueprint/resources.ts';
import type { AlertMessage } from '../../shared/events.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

/*
 * How the stream and queue consumers take a batch: in order, stopping at the first failure, where order is promised
 * (the portal notifier); never two transactions on the same item at once (the report aggregator, the alert
 * dispatch). The handlers run in this process against the ward's local services, as the runner runs them; the
 * pollers rest meanwhile, so only the batch given here reaches them.
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
  ward = await startTestWard((w) => ({
    ...w,
    portals: [{ id: 'dvcqg', name: 'Cổng Dịch vụ công quốc gia', statusWebhookUrl: `http://127.0.0.1:${port}/status` }],
  }));
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

/** A dossier item as the table holds it, at a version and status. */
function dossierItem(code: string, version: number, status: string, receivedAt: string) {
  return {
    pk: `DOSSIER#${code}`,
    sk: 'DOSSIER',
    entity: 'dossier',
    code,
    version,
    status,
    procedure: {
      code: '1.001193',
      name: 'Đăng ký khai sinh',
      fieldCode: 'HOTICH',
      fieldName: 'Hộ tịch',
      onlineLevel: 'full',
    },
    processingMinutes: 480,
    channel: 'online',
    portalId: 'dvcqg',
    applicant: {},
    components: [],
    fee: { amountVnd: 0 },
    filedAt: receivedAt,
    receivedAt,
    dueAt: '2026-03-03T02:00:00.000Z',
    apologies: [],
    pinHash: 'x',
  };
}

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

describe('consumers that write transactions', () => {
  it('the report aggregator runs no two of its transactions at once on a batch for the same day counters', async () => {
    const at = '2026-03-04T02:00:00.000Z';
    const event: DynamoDBStreamEvent = {
      Records: [1, 2, 3, 4, 5].map((n) =>
        streamRecord(
          n,
          dossierItem(`000.00.00.H99-260304-${String(n).padStart(4, '0')}`, 1, 'received', at),
          undefined,
        ),
      ),
    };
    const aggregate = await handlerOf<DynamoDBStreamEvent, DynamoDBBatchResponse>('report-aggregator');
    const { result, inputs, mostAtOnce } = await watchCalls(dynamo(), /^TransactWrite/, () =>
      aggregate(event, context('report-aggregator')),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(inputs).toHaveLength(5);
    expect(mostAtOnce).toBe(1);
    const day = await dynamo().send(
      new GetCommand({
        TableName: ward.resources.tableName,
        Key: { pk: 'REPORT#procedure#1.001193', sk: 'DAY#2026-03-04' },
      }),
    );
    expect(day.Item).toMatchObject({ received: 5, received_online: 5 });
  });

  it('the alert dispatch runs no two of its transactions at once when a batch carries one alert twice', async () => {
    const alert: AlertMessage = {
      kind: 'overdue',
      code: '000.00.00.H99-260304-0042',
      status: 'in_progress',
      dueAt: '2026-03-04T10:00:00.000Z',
      procedureName: 'Đăng ký khai sinh',
      detectedAt: '2026-03-05T01:00:00.000Z',
    };
    // The watch raises the same alert every quarter hour; two runs' messages can arrive in one batch.
    const event: SQSEvent = {
      Records: [alert, { ...alert, detectedAt: '2026-03-05T01:15:00.000Z' }].map((body) => ({
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body: JSON.stringify(body),
        attributes: {} as never,
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:alerts',
        awsRegion: 'local',
      })),
    };
    const dispatch = await handlerOf<SQSEvent, SQSBatchResponse>('alert-dispatch');
    const { result, inputs, mostAtOnce } = await watchCalls(dynamo(), /^TransactWrite/, () =>
      dispatch(event, context('alert-dispatch')),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(inputs).toHaveLength(2);
    expect(mostAtOnce).toBe(1);
  });
});

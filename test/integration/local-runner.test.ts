import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, S3Event } from 'aws-lambda';
import type { FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type InvocationRecord, type InvokeRetries, LocalAsyncInvocations } from '../../local/async-invocations.ts';
import { isLoopbackAddress } from '../../local/http-gateway.ts';
import { FunctionTimedOut } from '../../local/lambda.ts';
import { FAST_RETRY_SECONDS, QueuePoller, type QueueRetries } from '../../local/queue-poller.ts';
import {
  createLocalResources,
  type LocalResources,
  localTableDefinition,
  queueResourceName,
} from '../../local/resources.ts';
import { S3Notifier } from '../../local/s3-notifier.ts';
import { LOCAL_AWS, localCredentials, startDynamoDbLocal, startLocalFauxqs } from '../../local/services.ts';
import { StreamPoller } from '../../local/stream-poller.ts';
import { startLocalWard } from '../../local/ward.ts';
import { asyncTargets, bucketNotifications, queues } from '../../shared/blueprint/resources.ts';
import { asyncTargetSettings, type StreamSource, streamSources } from '../../shared/blueprint/wiring.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
import { maritalStatus } from '../support/fixtures.ts';

let fauxqs: FauxqsServer;
let clients: { dynamo: DynamoDBClient; s3: S3Client; sqs: SQSClient; streams: DynamoDBStreamsClient };

beforeAll(async () => {
  fauxqs = await startLocalFauxqs();
  const config = { region: LOCAL_AWS.region, credentials: localCredentials };
  clients = {
    dynamo: new DynamoDBClient({ ...config, endpoint: inject('dynamoEndpoint') }),
    streams: new DynamoDBStreamsClient({ ...config, endpoint: inject('dynamoEndpoint') }),
    s3: new S3Client({ ...config, endpoint: fauxqs.address, forcePathStyle: true }),
    sqs: new SQSClient({ ...config, endpoint: fauxqs.address }),
  };
});
afterAll(async () => {
  await fauxqs?.stop();
});

/** Resources of their own (a table with an empty stream, queues), so each test reads only its own records. */
const freshResources = () => createLocalResources(clients, `r${randomBytes(4).toString('hex')}`);

async function putItems(resources: LocalResources, ids: string[]) {
  const doc = DynamoDBDocumentClient.from(clients.dynamo);
  for (const id of ids) await doc.send(new PutCommand({ TableName: resources.tableName, Item: { pk: id, sk: 'X' } }));
}

async function onFailureMessages(resources: LocalResources) {
  const received = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: resources.queueUrls.streamFailures, MaxNumberOfMessages: 10 }),
  );
  return (received.Messages ?? []).map((m) => JSON.parse(m.Body!));
}

/**
 * The report aggregator's event source, as the stack and the runner configure it, but for its filters (which let
 * only dossier items through; these tests write items of their own). A test of filters sets its own.
 */
const aggregatorSource: StreamSource = {
  ...streamSources.find((s) => s.function === 'report-aggregator')!,
  filters: [],
};

/** A stream poller whose function records each batch's keys and fails as `failOn` says. */
function recordingPoller(
  resources: LocalResources,
  options: {
    source?: StreamSource;
    failOn?: (ids: string[]) => string | 'throw' | undefined;
    now?: () => number;
    streams?: Pick<DynamoDBStreamsClient, 'send'>;
  } = {},
) {
  const batches: string[][] = [];
  const poller = new StreamPoller({
    source: options.source ?? aggregatorSource,
    streamArn: resources.streamArn,
    streams: options.streams ?? clients.streams,
    sqs: clients.sqs,
    onFailureQueueUrl: resources.queueUrls.streamFailures,
    lambdas: {
      invoke: async (_name, event) => {
        const records = (event as DynamoDBStreamEvent).Records;
        const ids = records.map((r) => r.dynamodb!.Keys!.pk!.S!);
        batches.push(ids);
        const failing = options.failOn?.(ids);
        if (failing === 'throw') throw new FunctionTimedOut('report-aggregator', aggregatorSource.maxRetries);
        const record = records.find((r) => r.dynamodb!.Keys!.pk!.S === failing);
        // A tumbling window's answer carries a state, or Lambda counts it failed.
        return { state: {}, batchItemFailures: record ? [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] : [] };
      },
    },
    region: LOCAL_AWS.region,
    ...(options.now ? { now: options.now } : {}),
    log: () => undefined,
  });
  const drain = async () => {
    for (let pass = 0; pass < 100 && (await poller.pollOnce()) > 0; pass++);
  };
  return { poller, batches, drain };
}

describe('the stream poller, configured as the stack’s event source mappings', () => {
  it('retries from the first failed record of a partial batch failure (ReportBatchItemFailures)', async () => {
    const resources = await freshResources();
    await putItems(resources, ['a', 'b', 'c', 'd', 'e']);
    let failedOnce = false;
    const { batches, drain } = recordingPoller(resources, {
      failOn: (ids) => {
        if (!ids.includes('c') || failedOnce) return undefined;
        failedOnce = true;
        return 'c';
      },
    });
    await drain();
    expect(batches).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['c', 'd', 'e'],
    ]);
  });

  it('bisects a batch whose function fails (or times out), isolating the bad record, which it skips after the retries', async () => {
    expect(aggregatorSource.bisectBatchOnError).toBe(true);
    const resources = await freshResources();
    await putItems(resources, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const { batches, drain } = recordingPoller(resources, {
      failOn: (ids) => (ids.includes('c') ? 'throw' : undefined),
    });
    await drain();
    const retries = Array.from({ length: aggregatorSource.maxRetries + 1 }, () => ['c']);
    // Split in two, first half first, until the bad record is alone; a split is not a retry.
    expect(batches).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      ['a', 'b', 'c', 'd'],
      ['a', 'b'],
      ['c', 'd'],
      ...retries,
      ['d'],
      ['e', 'f', 'g', 'h'],
    ]);
    const [failure, ...more] = await onFailureMessages(resources);
    expect(more).toEqual([]);
    expect(failure).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: aggregatorSource.maxRetries + 1 },
      DDBStreamBatchInfo: { batchSize: 1, streamArn: resources.streamArn },
    });
  });

  it('skips records older than the maximum record age, describing them on the on-failure queue', async () => {
    const resources = await freshResources();
    await putItems(resources, ['old-1', 'old-2']);
    const later = Date.now() + (aggregatorSource.maxRecordAgeSeconds + 60) * 1000;
    const { batches, drain } = recordingPoller(resources, { now: () => later });
    await drain();
    expect(batches).toEqual([]);
    expect(await onFailureMessages(resources)).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({ condition: 'RecordAgeExceeded' }),
        DDBStreamBatchInfo: expect.objectContaining({ batchSize: 2 }),
      }),
    ]);
  });

  it('hands the function only the records its event filters match, and moves past the others', async () => {
    const resources = await freshResources();
    await putItems(resources, ['skip-1', 'keep-1', 'skip-2', 'keep-2', 'skip-3']);
    const source: StreamSource = {
      ...aggregatorSource,
      filters: [{ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'keep' }] } } } }],
    };
    const { poller, batches, drain } = recordingPoller(resources, { source });
    await drain();
    expect(batches).toEqual([['keep-1', 'keep-2']]);
    expect(await poller.pollOnce()).toBe(0);
  });

  it('names the shard to a consumer with a tumbling window, hands its state back, and fails an answer without one', async () => {
    const resources = await freshResources();
    await putItems(resources, ['w1', 'w2', 'w3']);
    const source: StreamSource = { ...aggregatorSource, batchSize: 1, tumblingWindowSeconds: 900 };
    const events: Record<string, unknown>[] = [];
    let calls = 0;
    const poller = new StreamPoller({
      source,
      streamArn: resources.streamArn,
      streams: clients.streams,
      sqs: clients.sqs,
      onFailureQueueUrl: resources.queueUrls.streamFailures,
      lambdas: {
        invoke: async (_name, event) => {
          events.push(structuredClone(event) as Record<string, unknown>);
          calls += 1;
          // The second answer forgets its state: that batch is retried.
          return calls === 2 ? { batchItemFailures: [] } : { state: { seen: calls }, batchItemFailures: [] };
        },
      },
      region: LOCAL_AWS.region,
      log: () => undefined,
    });
    for (let pass = 0; pass < 10 && (await poller.pollOnce()) > 0; pass++);
    const ids = events.map((e) => (e.Records as DynamoDBRecord[]).map((r) => r.dynamodb!.Keys!.pk!.S));
    expect(ids).toEqual([['w1'], ['w2'], ['w2'], ['w3']]);
    const { ShardId } = (await clients.streams.send(new DescribeStreamCommand({ StreamArn: resources.streamArn })))
      .StreamDescription!.Shards![0]!;
    for (const event of events) expect(event).toMatchObject({ shardId: ShardId, eventSourceARN: resources.streamArn });
    // Within one window, each invocation gets the state the last successful one returned.
    expect(events.map((e) => e.state)).toEqual([{}, { seen: 1 }, { seen: 1 }, { seen: 3 }]);
  });

  it('hands records over in shard order: a child shard only once its parent is done, one batch at a time', async () => {
    // DynamoDB Local cannot split a shard on demand: a stream of two shards, the child listed first, stands in.
    const resources = await freshResources();
    const record = (id: string, n: number) => ({
      eventID: id,
      eventName: 'INSERT',
      dynamodb: { Keys: { pk: { S: id } }, SequenceNumber: String(n).padStart(21, '0') },
    });
    const shards: Record<string, ReturnType<typeof record>[][]> = {
      parent: [[record('p1', 1), record('p2', 2)], [record('p3', 3)], []],
      child: [[record('c1', 4)], []],
    };
    const streams = {
      send: async (command: { input: Record<string, string> }): Promise<any> => {
        if (command instanceof DescribeStreamCommand) {
          return {
            StreamDescription: {
              Shards: [{ ShardId: 'child', ParentShardId: 'parent' }, { ShardId: 'parent' }],
            },
          };
        }
        if (command instanceof GetShardIteratorCommand) return { ShardIterator: `${command.input.ShardId}#0` };
        const [shard, page] = command.input.ShardIterator!.split('#') as [string, string];
        const pages = shards[shard]!;
        const next = Number(page) + 1;
        return {
          Records: pages[Number(page)],
          NextShardIterator: next < pages.length ? `${shard}#${next}` : undefined,
        };
      },
    } as unknown as Pick<DynamoDBStreamsClient, 'send'>;
    // The parent's second record fails once: the child still waits for the parent's retry.
    let failedOnce = false;
    const { poller, batches } = recordingPoller(resources, {
      streams,
      failOn: (ids) => {
        if (!ids.includes('p2') || failedOnce) return undefined;
        failedOnce = true;
        return 'p2';
      },
    });
    for (let pass = 0; pass < 10; pass++) await poller.pollOnce();
    expect(batches).toEqual([['p1', 'p2'], ['p2'], ['p3'], ['c1']]);
  });
});

describe('the queue poller', () => {
  async function failingConsumer(resources: LocalResources, retries: QueueRetries) {
    let invocations = 0;
    const poller = new QueuePoller({
      function: 'portal-sync',
      queueUrl: resources.queueUrls.portalSync,
      queueArn: resources.queueArns.portalSync,
      batchSize: 10,
      sqs: clients.sqs,
      lambdas: {
        invoke: async () => {
          invocations += 1;
          throw new FunctionTimedOut('portal-sync', 30);
        },
      },
      region: LOCAL_AWS.region,
      retries,
      log: () => undefined,
    });
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: resources.queueUrls.portalSync,
        MessageBody: '{}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      }),
    );
    return { poller, invocations: () => invocations };
  }

  it('leaves a message whose function failed or timed out to come back after the blueprint’s visibility timeout', async () => {
    const resources = await freshResources();
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: resources.queueUrls.portalSync, AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes).toMatchObject({
      VisibilityTimeout: String(queues.portalSync.visibilityTimeoutSeconds),
      RedrivePolicy: expect.stringContaining(`"maxReceiveCount":${queues.portalSync.maxReceiveCount}`),
    });
    const { poller, invocations } = await failingConsumer(resources, 'as-deployed');
    expect(await poller.pollOnce()).toBe(1);
    // Past the fast mode's delay, and far inside the visibility timeout, the message is still in flight.
    await new Promise((resolve) => setTimeout(resolve, (FAST_RETRY_SECONDS + 1) * 1000));
    expect(await poller.pollOnce()).toBe(0);
    expect(invocations()).toBe(1);
  });

  it('in the tests’ fast mode, retries a second later and dead-letters after the blueprint’s maxReceiveCount receives', async () => {
    const resources = await freshResources();
    const { poller, invocations } = await failingConsumer(resources, 'fast');
    const dlq = queueResourceName(resources.tableName.replace(/-table$/, ''), 'portalSync', true);
    const deadline = Date.now() + 30_000;
    while ((fauxqs.inspectQueue(dlq)?.messages.ready.length ?? 0) === 0) {
      if (Date.now() > deadline) throw new Error('the message never reached the dead-letter queue');
      await poller.pollOnce();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(invocations()).toBe(queues.portalSync.maxReceiveCount);
  });
});

describe('asynchronous invocations', () => {
  /** Lambda's queue for one target on fresh resources, its clock in the test's hands, its function failing. */
  async function failingTarget(retries: InvokeRetries) {
    const resources = await freshResources();
    const clock = { now: Date.now() };
    const attempts: unknown[] = [];
    const invocations = new LocalAsyncInvocations({
      targets: asyncTargetSettings,
      queueUrls: resources.queueUrls,
      functionArn: (name) => `arn:aws:lambda:${LOCAL_AWS.region}:000000000000:function:t-${name}`,
      lambdas: {
        invoke: async (_name, event) => {
          attempts.push(event);
          throw new FunctionTimedOut('t-alert-dispatch', 30);
        },
      },
      sqs: clients.sqs,
      retries,
      now: () => clock.now,
      log: () => undefined,
    });
    const failed = async () => {
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: resources.queueUrls.invokeFailures, MaxNumberOfMessages: 10 }),
      );
      return (received.Messages ?? []).map((m) => JSON.parse(m.Body!) as InvocationRecord);
    };
    return { invocations, clock, attempts, failed };
  }
  const target = asyncTargets['alert-dispatch'];

  it('retries a failed or timed-out event after about one minute, then two, then records it on the on-failure queue', async () => {
    const { invocations, clock, attempts, failed } = await failingTarget('as-deployed');
    const payload = { alerts: [{ code: 'x' }] };
    const requestId = invocations.accept('alert-dispatch', payload);
    await invocations.pollOnce();
    expect(attempts).toHaveLength(1);
    clock.now += 59_000;
    await invocations.pollOnce();
    expect(attempts).toHaveLength(1);
    clock.now += 2_000;
    await invocations.pollOnce();
    expect(attempts).toHaveLength(2);
    clock.now += 119_000;
    await invocations.pollOnce();
    expect(attempts).toHaveLength(2);
    clock.now += 2_000;
    await invocations.pollOnce();
    expect(attempts).toHaveLength(target.retryAttempts + 1);
    expect(attempts).toEqual([payload, payload, payload]);
    expect(await failed()).toEqual([
      {
        version: '1.0',
        timestamp: new Date(clock.now).toISOString(),
        requestContext: {
          requestId,
          functionArn: `arn:aws:lambda:${LOCAL_AWS.region}:000000000000:function:t-alert-dispatch:$LATEST`,
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
        },
        requestPayload: payload,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: {
          errorType: 'Sandbox.Timedout',
          errorMessage: 't-alert-dispatch: Task timed out after 30.00 seconds',
        },
      },
    ]);
    clock.now += 600_000;
    expect(await invocations.pollOnce()).toBe(0);
  });

  it('drops an event older than the maximum event age to the on-failure queue without running it again', async () => {
    const { invocations, clock, attempts, failed } = await failingTarget('as-deployed');
    invocations.accept('alert-dispatch', { alerts: [] });
    await invocations.pollOnce();
    // The retry's turn comes after the event's maximum age (as when Lambda's queue is backed up).
    clock.now += target.maxEventAgeSeconds * 1000 + 1;
    await invocations.pollOnce();
    expect(attempts).toHaveLength(1);
    expect(await failed()).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({ condition: 'EventAgeExceeded', approximateInvokeCount: 1 }),
        requestPayload: { alerts: [] },
      }),
    ]);
  });

  it('runs only functions the blueprint configures for asynchronous invocation', async () => {
    const { invocations } = await failingTarget('fast');
    expect(() => invocations.accept('dossier-actions', {})).toThrow(/no asynchronous invoke configuration/);
  });
});

describe('the S3 notification bridge', () => {
  it('names the object as S3 does: URL-encoded, a space as +, a + as %2B, Vietnamese letters as UTF-8 bytes', async () => {
    const resources = await freshResources();
    const accepted: { name: string; event: S3Event }[] = [];
    const notifier = new S3Notifier({
      fauxqs,
      bucket: resources.bucketName,
      routes: bucketNotifications,
      s3: clients.s3,
      invocations: {
        accept: (name, event) => {
          accepted.push({ name, event: event as S3Event });
          return 'r';
        },
      },
      region: LOCAL_AWS.region,
    });
    const key = "dossiers/000.00.00.H99-260302-0001/components/GCS/Giấy chứng sinh (bản sao) + 1'.pdf";
    await clients.s3.send(new PutObjectCommand({ Bucket: resources.bucketName, Key: key, Body: 'x' }));
    expect(await notifier.pollOnce()).toBe(1);
    expect(accepted.map((a) => a.name)).toEqual(['document-verify']);
    const named = accepted[0]!.event.Records[0]!.s3.object.key;
    expect(named).toBe(
      'dossiers/000.00.00.H99-260302-0001/components/GCS/Gi%E1%BA%A5y+ch%E1%BB%A9ng+sinh+%28b%E1%BA%A3n+sao%29+%2B+1%27.pdf',
    );
    // What a function does with it (as document-verify does) gives the key back.
    expect(decodeURIComponent(named.replace(/\+/g, ' '))).toBe(key);
  });

  it('invokes a failing document-verify three times, then puts the S3 event on the invoke-failures queue', async () => {
    let runs = 0;
    const local = await startLocalWard({
      ward: readWardFile('sample'),
      dynamoEndpoint: inject('dynamoEndpoint'),
      fauxqs,
      resourcePrefix: `v${randomBytes(4).toString('hex')}`,
      schedules: 'manual',
      logLevel: 'SILENT',
      pollIntervalMs: 100,
      invokeRetries: 'fast',
      // A check that fails whatever it is given (a fault the local services cannot produce).
      standIns: {
        'document-verify': async () => {
          runs += 1;
          throw new Error('the check crashed');
        },
      },
    });
    try {
      const key = 'dossiers/000.00.00.H99-260302-0001/components/GCS/u1-scan.pdf';
      await local.clients.s3.send(new PutObjectCommand({ Bucket: local.resources.bucketName, Key: key, Body: 'x' }));
      await local.settle();
      expect(runs).toBe(asyncTargets['document-verify'].retryAttempts + 1);
      const received = await local.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: local.resources.queueUrls.invokeFailures, MaxNumberOfMessages: 10 }),
      );
      const records = (received.Messages ?? []).map((m) => JSON.parse(m.Body!) as InvocationRecord);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
        responsePayload: { errorType: 'Error', errorMessage: 'the check crashed' },
      });
      const event = records[0]!.requestPayload as S3Event;
      expect(event.Records[0]!.s3).toMatchObject({ bucket: { name: local.resources.bucketName }, object: { key } });
    } finally {
      await local.stop();
    }
  });
});

describe('the local table', () => {
  it('has the blueprint’s indexes and projections as DynamoDB Local describes them, and refuses a table without', async () => {
    const prefix = `indexes-${randomBytes(4).toString('hex')}`;
    const created = await createLocalResources(clients, prefix);
    const described = await clients.dynamo.send(new DescribeTableCommand({ TableName: created.tableName }));
    const shape = (indexes: { IndexName?: string; KeySchema?: unknown; Projection?: unknown }[]) =>
      indexes
        .map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }))
        .sort((a, b) => a.IndexName!.localeCompare(b.IndexName!));
    expect(shape(described.Table!.GlobalSecondaryIndexes!)).toEqual(
      shape(localTableDefinition(created.tableName).GlobalSecondaryIndexes!),
    );
    // A table an earlier release made, its indexes projecting every attribute.
    const stale = `stale-${randomBytes(4).toString('hex')}`;
    const definition = localTableDefinition(`${stale}-table`);
    await clients.dynamo.send(
      new CreateTableCommand({
        ...definition,
        GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes!.map((i) => ({
          ...i,
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await expect(createLocalResources(clients, stale)).rejects.toThrow(/other indexes than the blueprint/);
  });
});

describe('a restart on the same data folder', () => {
  it('finds its resources, its dossiers, its signing key and its stream checkpoints again', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'motcua-restart-'));
    // A folder the runner makes itself (mkdtemp would already make it 0700).
    const dataDir = join(parent, 'ward');
    const ward = readWardFile('sample');
    const start = async () => {
      const fauxqs = await startLocalFauxqs({ dataDir: join(dataDir, 'fauxqs') });
      const local = await startLocalWard({
        ward,
        dynamoEndpoint: inject('dynamoEndpoint'),
        fauxqs,
        resourcePrefix: 'restart',
        dataDir,
        schedules: 'manual',
        logLevel: 'SILENT',
      });
      const stop = async () => {
        await local.stop();
        await fauxqs.stop();
      };
      return { local, fauxqs, stop };
    };
    try {
      const first = await start();
      const token = await first.local.token({ role: 'officer' });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const filed = await fetch(`${first.local.url}/dossiers`, {
        method: 'POST',
        headers,
        body: JSON.stringify(maritalStatus()),
      });
      const { code, lookup } = (await filed.json()) as { code: string; lookup: { pin: string } };
      const etag = filed.headers.get('etag')!;
      await first.local.settle();
      await first.stop();
      expect(readdirSync(dataDir)).toEqual(
        expect.arrayContaining(['token-signing-key.jwk.json', 'stream-checkpoint-report-aggregator.json']),
      );
      // Only its owner may enter the data folder or read the signing key.
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'fauxqs'))).toBe(0o700);
      expect(modeOf(join(dataDir, 'token-signing-key.jwk.json'))).toBe(0o600);
      // The ward key standing in for its SSM parameter, as private as the token key.
      expect(modeOf(join(dataDir, 'secrets'))).toBe(0o700);
      // One ward secret, as in the stack, every key derived from it; and the one webhook portal’s secret.
      expect(readdirSync(join(dataDir, 'secrets')).sort()).toEqual(['portal-dvcqg.webhook-secret', 'ward.key']);
      expect(modeOf(join(dataDir, 'secrets', 'ward.key'))).toBe(0o600);
      expect(modeOf(join(dataDir, 'secrets', 'portal-dvcqg.webhook-secret'))).toBe(0o600);

      const second = await start();
      // The token minted before the restart is still good, and the dossier is there.
      const read = await fetch(`${second.local.url}/dossiers/${code}`, { headers });
      expect(read.status).toBe(200);
      // The ETag and the receipt PIN handed out before the restart still hold: the keys were kept.
      const lookedUp = await fetch(`${second.local.url}/public/dossiers/${code}?pin=${lookup.pin}`);
      expect(lookedUp.status).toBe(200);
      const acted = await fetch(`${second.local.url}/dossiers/${code}/actions`, {
        method: 'POST',
        headers: { ...headers, 'if-match': etag },
        body: JSON.stringify({ action: 'assign', department: 'Tư pháp – Hộ tịch' }),
      });
      expect(acted.status).toBe(200);
      // The stream consumers resume from where they stopped, not from the start of the stream.
      for (const name of ['report-aggregator', 'portal-notifier']) {
        expect(
          Object.keys(JSON.parse(readFileSync(join(dataDir, `stream-checkpoint-${name}.json`), 'utf8'))),
        ).not.toHaveLength(0);
      }
      const again = await fetch(`${second.local.url}/dossiers`, {
        method: 'POST',
        headers,
        body: JSON.stringify(maritalStatus()),
      });
      expect(((await again.json()) as { code: string }).code).not.toBe(code);
      await second.stop();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

const modeOf = (path: string) => statSync(path).mode & 0o777;
const repoRoot = new URL('../..', import.meta.url).pathname;

/** The local addresses of the sockets listening on a TCP port, from the kernel's tables. */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':') as [string, string];
      if (parseInt(portHex, 16) !== port) continue;
      // Each 32-bit word is in host (little-endian) order.
      const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
      if (!v6)
        found.push(
          words[0]!
            .match(/../g)!
            .map((b) => parseInt(b, 16))
            .join('.'),
        );
      else {
        const groups = words
          .join('')
          .match(/.{4}/g)!
          .map((g) => parseInt(g, 16).toString(16));
        const full = groups.join(':');
        found.push(
          /^0:0:0:0:0:ffff:/.test(full)
            ? `::ffff:${words[3]!
                .match(/../g)!
                .map((b) => parseInt(b, 16))
                .join('.')}`
            : full === '0:0:0:0:0:0:0:1'
              ? '::1'
              : full,
        );
      }
    }
  }
  return found;
}
const portOf = (url: string) => Number(new URL(url).port);

describe('the local services', () => {
  it('listen on 127.0.0.1 only: DynamoDB Local and fauxqs', () => {
    for (const url of [inject('dynamoEndpoint'), fauxqs.address]) {
      const addresses = listeners(portOf(url));
      expect(addresses, url).not.toHaveLength(0);
      for (const address of addresses) expect(isLoopbackAddress(address), `${url} listens on ${address}`).toBe(true);
    }
  });

  it('run DynamoDB Local on a private data folder, telemetry off, writing nothing into the repository', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'motcua-dynamodb-'));
    const dataDir = join(parent, 'data', 'dynamodb');
    const dynamo = await startDynamoDbLocal({ dataDir });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      const port = portOf(dynamo.endpoint);
      for (const address of listeners(port)) expect(isLoopbackAddress(address), address).toBe(true);
      const java = execFileSync('pgrep', ['-a', '-f', `LoopbackDynamoDbLocal.java -port ${port} `], {
        encoding: 'utf8',
      });
      expect(java).toMatch(/ -disableTelemetry( |$)/m);
    } finally {
      await dynamo.stop();
      rmSync(parent, { recursive: true, force: true });
    }
    // Nor has any DynamoDB Local of this run (the shared one included) left its metadata file in the repository.
    expect(existsSync(join(repoRoot, 'dynamodb-local-metadata.json'))).toBe(false);
    expect(execFileSync('git', ['ls-files', 'dynamodb-local-metadata.json'], { cwd: repoRoot, encoding: 'utf8' })).toBe(
      '',
    );
  });
});

describe('the local instance', () => {
  const start = (host: string, onRequest?: (line: string) => void) =>
    startLocalWard({
      ward: readWardFile('sample'),
      dynamoEndpoint: inject('dynamoEndpoint'),
      fauxqs,
      resourcePrefix: `h${randomBytes(4).toString('hex')}`,
      host,
      schedules: 'manual',
      logLevel: 'SILENT',
      ...(onRequest ? { onRequest } : {}),
    });

  it('hands out tokens only when it listens on a loopback address', async () => {
    const exposed = await start('0.0.0.0');
    try {
      const port = portOf(exposed.url);
      const refused = await fetch(`http://127.0.0.1:${port}/_local/token`, {
        method: 'POST',
        body: JSON.stringify({ role: 'leader' }),
      });
      expect(refused.status).toBe(403);
      const { message } = (await refused.json()) as { message: string };
      expect(message).toMatch(/only when the instance listens on a loopback address.*0\.0\.0\.0.*--host 127\.0\.0\.1/);
      expect(exposed.loopback).toBe(false);
    } finally {
      await exposed.stop();
    }
  });

  it('never shows a PIN in its request log', async () => {
    const lines: string[] = [];
    const local = await start('127.0.0.1', (line) => lines.push(line));
    try {
      const code = '000.00.00.H99-260309-0001';
      for (const query of ['pin=12345678', 'PIN=23456789&x=1', 'x=1&p%69n=34567890', 'pin=45678901&pin=56789012']) {
        await fetch(`${local.url}/public/dossiers/${code}?${query}`);
      }
      expect(lines).toHaveLength(4);
      expect(lines.join('\n')).not.toMatch(/12345678|23456789|34567890|45678901|56789012/);
      expect(lines[0]).toMatch(
        new RegExp(`^GET /public/dossiers/${code.replace(/\./g, '\\.')}\\?pin=\\*\\*\\* \\d{3} \\d+ms$`),
      );
      expect(lines[2]).toContain('x=1&p%69n=***');
    } finally {
      await local.stop();
    }
  });
});

describe('npm start', () => {
  /** A process as /proc shows it; its start time tells it from a later process that got the same pid. */
  interface Process {
    pid: number;
    ppid: number;
    startTime: string;
    name: string;
    commandLine: string;
  }
  /** The process with this pid, if it runs (a zombie has ended: it only waits for its parent to reap it). */
  const processOf = (pid: number): Process | undefined => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The name (field 2) is in parentheses and may hold spaces: the fields are counted from its end.
      const [state, ppid, ...rest] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') return undefined;
      return {
        pid,
        ppid: Number(ppid),
        startTime: rest[17]!, // field 22
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        commandLine: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '),
      };
    } catch {
      return undefined; // gone
    }
  };
  const running = (p: Process) => processOf(p.pid)?.startTime === p.startTime;
  /** SIGKILL to this very process, if it still runs. */
  const kill = (p: Process) => {
    if (!running(p)) return;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // It ended meanwhile.
    }
  };
  /** The process `root` and its descendants, found from that pid alone through the parent links in /proc. */
  function processTree(root: number): Process[] {
    const all = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map((entry) => processOf(Number(entry)))
      .filter((p): p is Process => p !== undefined);
    const tree = all.filter((p) => p.pid === root);
    for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i]!.pid));
    return tree;
  }
  /** DynamoDB Local as the instance runs it: Java, under the shell that guards it. */
  const isDynamoDbLocal = (p: Process) => p.commandLine.includes('LoopbackDynamoDbLocal.java');

  async function startInstance() {
    // Its own process group, as a terminal runs it: Ctrl-C signals the whole group.
    const child = spawn('npx', ['tsx', 'local/main.ts', '--in-memory', '--port', '0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 100_000;
    while (!/Ctrl-C stops everything/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        for (const p of processTree(child.pid!)) kill(p);
        throw new Error(`npm start did not come up:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const api = /API\s+(http:\/\/\S+)/.exec(output)![1]!;
    const dynamoPort = /DynamoDB Local http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]!;
    // Everything it started, while it runs: Java must end with it even once its parents are gone.
    const processes = processTree(child.pid!);
    const java = processes.filter((p) => p.name === 'java' && p.commandLine.includes(` -port ${dynamoPort} `));
    return { child, api, processes, java, exited };
  }

  /** Waits until none of `processes` runs; whatever still does after 15 seconds is killed, and the test fails. */
  async function waitUntilGone(processes: Process[]) {
    const deadline = Date.now() + 15_000;
    while (processes.some(running)) {
      if (Date.now() > deadline) {
        const left = processes.filter(running);
        for (const p of left) kill(p);
        throw new Error(`still running: ${left.map((p) => `${p.pid} ${p.commandLine}`).join('; ')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  // Starting tsx and Java takes up to a minute or more on a busy machine.
  const slow = { timeout: 150_000 };

  it('answers /health, and Ctrl-C (SIGINT) stops it with DynamoDB Local', slow, async () => {
    const instance = await startInstance();
    expect((await fetch(`${instance.api}/health`)).status).toBe(200);
    expect(instance.java).toHaveLength(1);
    process.kill(-instance.child.pid!, 'SIGINT');
    await instance.exited;
    await waitUntilGone(instance.processes);
  });

  it('leaves no DynamoDB Local behind even when killed with SIGKILL', slow, async () => {
    const instance = await startInstance();
    expect(instance.java).toHaveLength(1);
    // Kill npx, tsx and node abruptly (not Java nor its guard, which share their group): the guard must end Java.
    const node = instance.processes.filter((p) => !isDynamoDbLocal(p));
    expect(node.map((p) => p.pid)).toContain(instance.child.pid);
    for (const p of node) kill(p);
    await instance.exited;
    await waitUntilGone(instance.processes);
  });
});

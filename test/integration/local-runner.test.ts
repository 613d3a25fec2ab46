import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createLocalResources, type LocalResources } from '../../local/resources.ts';
import { LOCAL_AWS, localCredentials, startLocalFauxqs } from '../../local/services.ts';
import { StreamPoller } from '../../local/stream-poller.ts';
import { startLocalWard } from '../../local/ward.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
import { maritalStatus } from '../support/fixtures.ts';

let fauxqs: FauxqsServer;
let resources: LocalResources;
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
  resources = await createLocalResources(clients, `r${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  await fauxqs?.stop();
});

async function putItems(ids: string[]) {
  const doc = DynamoDBDocumentClient.from(clients.dynamo);
  for (const id of ids) await doc.send(new PutCommand({ TableName: resources.tableName, Item: { pk: id, sk: 'X' } }));
}

describe('the stream poller', () => {
  it('retries from the first failed record of a partial batch failure, then skips a batch that keeps failing', async () => {
    const batches: string[][] = [];
    let failOn: (ids: string[]) => string | 'all' | undefined = () => undefined;
    const poller = new StreamPoller({
      function: 'report-aggregator',
      streamArn: resources.streamArn,
      batchSize: 10,
      maxRetries: 2,
      streams: clients.streams,
      sqs: clients.sqs,
      onFailureQueueUrl: resources.queueUrls.streamFailures,
      lambdas: {
        invoke: async (_name, event) => {
          const records = (event as DynamoDBStreamEvent).Records;
          const ids = records.map((r) => r.dynamodb!.Keys!.pk!.S!);
          batches.push(ids);
          const failing = failOn(ids);
          if (failing === 'all') throw new Error('consumer down');
          const record = records.find((r) => r.dynamodb!.Keys!.pk!.S === failing);
          return { batchItemFailures: record ? [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] : [] };
        },
      },
      region: LOCAL_AWS.region,
      log: () => undefined,
    });

    await putItems(['a', 'b', 'c', 'd', 'e']);
    let failedOnce = false;
    failOn = (ids) => (ids.includes('c') && !failedOnce ? ((failedOnce = true), 'c') : undefined);
    while ((await poller.pollOnce()) > 0);
    expect(batches).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['c', 'd', 'e'],
    ]);

    batches.length = 0;
    await putItems(['f', 'g']);
    failOn = () => 'all';
    while ((await poller.pollOnce()) > 0);
    // The first attempt and two retries, then the batch is described on the on-failure queue and skipped.
    expect(batches).toEqual([
      ['f', 'g'],
      ['f', 'g'],
      ['f', 'g'],
    ]);
    const failure = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.queueUrls.streamFailures }));
    expect(JSON.parse(failure.Messages![0]!.Body!)).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      DDBStreamBatchInfo: { batchSize: 2, streamArn: resources.streamArn },
    });
    expect(await poller.pollOnce()).toBe(0);
  });
});

describe('a restart on the same data folder', () => {
  it('finds its resources, its dossiers, its signing key and its stream checkpoints again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-restart-'));
    const ward = readWardFile('sample');
    const start = async () => {
      const fauxqs = await startLocalFauxqs({ dataDir: join(dataDir, 'fauxqs') });
      const local = await startLocalWard({ ward, dynamoEndpoint: inject('dynamoEndpoint'), fauxqs, resourcePrefix: 'restart', dataDir, schedules: 'manual', logLevel: 'SILENT' });
      return { local, fauxqs, stop: async () => (await local.stop(), await fauxqs.stop()) };
    };
    try {
      const first = await start();
      const token = await first.local.token({ role: 'officer' });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const filed = await fetch(`${first.local.url}/dossiers`, { method: 'POST', headers, body: JSON.stringify(maritalStatus()) });
      const { code } = (await filed.json()) as { code: string };
      await first.local.settle();
      await first.stop();
      expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['token-signing-key.jwk.json', 'stream-checkpoint-report-aggregator.json']));

      const second = await start();
      // The token minted before the restart is still good, and the dossier is there.
      const read = await fetch(`${second.local.url}/dossiers/${code}`, { headers });
      expect(read.status).toBe(200);
      // The stream consumers resume from where they stopped, not from the start of the stream.
      for (const name of ['report-aggregator', 'portal-notifier']) {
        expect(Object.keys(JSON.parse(readFileSync(join(dataDir, `stream-checkpoint-${name}.json`), 'utf8')))).not.toHaveLength(0);
      }
      const again = await fetch(`${second.local.url}/dossiers`, { method: 'POST', headers, body: JSON.stringify(maritalStatus()) });
      expect(((await again.json()) as { code: string }).code).not.toBe(code);
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start', () => {
  const javaOnPort = (port: string) => {
    try {
      return execFileSync('pgrep', ['-f', `DynamoDBLocal.jar -port ${port} `], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };

  async function startInstance() {
    // Its own process group, as a terminal runs it: Ctrl-C signals the whole group.
    const child = spawn('npx', ['tsx', 'local/main.ts', '--in-memory', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!/Ctrl-C stops everything/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const api = /API\s+(http:\/\/\S+)/.exec(output)![1]!;
    const dynamoPort = /DynamoDB Local http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]!;
    return { child, api, dynamoPort, exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
  }

  async function waitUntilGone(port: string) {
    const deadline = Date.now() + 15_000;
    while (javaOnPort(port) !== '') {
      if (Date.now() > deadline) throw new Error(`java on port ${port} is still running`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('answers /health, and Ctrl-C (SIGINT) stops it with DynamoDB Local', async () => {
    const instance = await startInstance();
    expect((await fetch(`${instance.api}/health`)).status).toBe(200);
    expect(javaOnPort(instance.dynamoPort)).not.toBe('');
    process.kill(-instance.child.pid!, 'SIGINT');
    await instance.exited;
    await waitUntilGone(instance.dynamoPort);
  });

  it('leaves no DynamoDB Local behind even when killed with SIGKILL', async () => {
    const instance = await startInstance();
    // Kill npx, tsx and node abruptly (not Java, which shares their group): the guard must end Java.
    execFileSync('pkill', ['-KILL', '-f', 'local/main.ts --in-memory --port 0 --quiet']);
    await instance.exited;
    await waitUntilGone(instance.dynamoPort);
  });
});

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isLoopbackAddress } from '../../local/http-gateway.ts';
import { createLocalResources, type LocalResources } from '../../local/resources.ts';
import { LOCAL_AWS, localCredentials, startDynamoDbLocal, startLocalFauxqs } from '../../local/services.ts';
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
    failOn = (ids) => {
      if (!ids.includes('c') || failedOnce) return undefined;
      failedOnce = true;
      return 'c';
    };
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
      // The keys standing in for Secrets Manager's, one file each, as private as the token key.
      expect(modeOf(join(dataDir, 'secrets'))).toBe(0o700);
      expect(readdirSync(join(dataDir, 'secrets')).sort()).toEqual(['pin.key', 'signing.key']);
      for (const file of ['pin.key', 'signing.key']) expect(modeOf(join(dataDir, 'secrets', file))).toBe(0o600);

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

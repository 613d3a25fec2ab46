import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IConstruct } from 'constructs';
import { functionBundling, logicalId } from '../../infra/constructs/ward-function.ts';
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
  type TopicName,
} from '../../shared/blueprint/resources.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
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

/** The floor's bundle: a function that only creates a DynamoDB client, built with the functions' bundling options. */
export function synthFloor(ward: WardConfig, outdir: string): { dir: string; handler: string; codeBytes: number } {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const app = new App({ outdir });
  const stack = new Stack(app, 'motcua-floor');
  const fn = new NodejsFunction(stack, 'Floor', {
    entry: fileURLToPath(new URL('./floor/handler.ts', import.meta.url)),
    projectRoot: root,
    depsLockFilePath: join(root, 'package-lock.json'),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    bundling: functionBundling(ward),
  });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, TemplateFunction>;
  };
  const { Code, Handler } = template.Resources[logicalId(fn)]!.Properties;
  const dir = join(outdir, `asset.${Code.S3Key.replace(/\.zip$/, '')}`);
  return { dir, handler: Handler, codeBytes: statSync(join(dir, 'index.mjs')).size };
}

/** What a bundle costs: its JavaScript and the time of importing it in a fresh Node process (medians of runs). */
export interface BundleFigure {
  function: FunctionName | 'floor';
  bytes: number;
  importCpuMs: number;
  /** Wall time of the same imports (a busy machine inflates it more than the CPU time). */
  importMs: number;
}

/** A bundle to import: a function's (from synthBundles) or the floor (from synthFloor). */
export interface BundleSubject {
  function: FunctionName | 'floor';
  dir: string;
  handler: string;
  bytes: number;
  /** Environment.Variables of its template, references to other resources unresolved. */
  environment: Record<string, unknown>;
}

/** The functions' bundles and the floor, as importFigures takes them. */
export function bundleSubjects(
  bundles: FunctionBundle[],
  floor: { dir: string; handler: string; codeBytes: number },
): BundleSubject[] {
  return [
    ...bundles.map((b) => ({
      function: b.name,
      dir: b.dir,
      handler: b.handler,
      bytes: b.codeBytes,
      environment: b.environment,
    })),
    { function: 'floor' as const, dir: floor.dir, handler: floor.handler, bytes: floor.codeBytes, environment: {} },
  ];
}

/**
 * Every function's bundle as `cdk synth` builds it, and the floor, with their sizes and import CPU: each import in a
 * fresh process of the Node running this (24, as Lambda's runtime), with the environment of its template (NODE_OPTIONS
 * included, if it sets them), interleaved so a busy machine slows them alike. For the benchmark and the bundle tests.
 */
export async function bundleFigures(options: { ward?: WardConfig; runs?: number } = {}): Promise<BundleFigure[]> {
  const ward = options.ward ?? readWardFile('sample');
  const outdir = mkdtempSync(join(tmpdir(), 'motcua-figures-'));
  try {
    const { bundles } = synthBundles(ward, outdir);
    const floor = synthFloor(ward, join(outdir, 'floor'));
    return await importFigures(bundleSubjects(bundles, floor), options.runs ?? 5);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Each subject imported `runs` times, each time in a fresh process (coldStart), in interleaved rounds. */
export async function importFigures(subjects: BundleSubject[], runs: number): Promise<BundleFigure[]> {
  const samples = new Map(subjects.map((s) => [s.function, [] as ColdStart[]]));
  for (let run = 0; run < runs; run++)
    for (const subject of subjects)
      samples
        .get(subject.function)!
        .push(
          await coldStart(
            { name: subject.function, dir: subject.dir, timeoutSeconds: 10 },
            importEnvironment(subject),
            undefined,
          ),
        );
  return subjects.map((s) => ({
    function: s.function,
    bytes: s.bytes,
    importCpuMs: median(samples.get(s.function)!.map((r) => r.importCpuMs)),
    importMs: median(samples.get(s.function)!.map((r) => r.importMs)),
  }));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * The environment of an import alone (Lambda's init phase). Nothing is invoked, so references of the template's
 * environment to other resources stay unresolved: no function reads them at import.
 */
function importEnvironment(subject: BundleSubject): Record<string, string> {
  const environment = Object.fromEntries(
    Object.entries(subject.environment).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : 'unresolved',
    ]),
  );
  return {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: 'motcua-figures',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    LAMBDA_TASK_ROOT: subject.dir,
    _HANDLER: subject.handler,
    TZ: ':UTC',
    ...environment,
  };
}

/**
 * What each resource a function's environment refers to is called on the local services: the table, bucket and
 * queues by their local names, a function by the name its bundle runs under, the ward key parameter by its key file,
 * the staff app client and the user pool by the ids the
 * local issuer gives its staff tokens.
 */
export function localReferences(
  stack: WardStack,
  local: {
    resources: LocalResources;
    secrets: LocalSecrets;
    staffClientId: string;
    userPoolId: string;
    /** The topics on fauxqs; without them, ARNs of topics that do not exist (a publish then fails). */
    topicArns?: Record<TopicName, string>;
  },
): Map<string, string> {
  const { storage, api } = stack;
  const references = new Map<string, string>([
    [logicalId(storage.table), local.resources.tableName],
    [logicalId(storage.bucket), local.resources.bucketName],
    [logicalId(api.staffClient), local.staffClientId],
    [logicalId(api.userPool), local.userPoolId],
  ]);
  for (const [queue, construct] of Object.entries(storage.queues) as [QueueName, (typeof storage.queues)[QueueName]][])
    references.set(logicalId(construct), local.resources.queueUrls[queue]);
  // A function another invokes, by the name BundleLambdas runs it under.
  for (const name of Object.keys(functions) as FunctionName[])
    references.set(logicalId(stack.functions[name].fn), bundleFunctionName(name));
  for (const [topic, construct] of Object.entries(storage.alertTopics.topics) as [TopicName, IConstruct][])
    references.set(
      logicalId(construct),
      local.topicArns?.[topic] ?? `arn:aws:sns:${LOCAL_AWS.region}:000000000000:${local.resources.tableName}-${topic}`,
    );
  for (const [secret, construct] of Object.entries(storage.secrets) as [
    SecretName,
    (typeof storage.secrets)[SecretName],
  ][]) {
    const file = local.secrets.env[env.secret(secret)];
    if (!file) throw new Error(`no local key file for the ${secret} secret`);
    // The variable holds the parameter's name, a reference to the custom resource that creates it.
    references.set(logicalId(construct.resource), file);
  }
  // Each portal's webhook secret: the custom resource that makes its parameter stands for the local file.
  for (const [portal, secret] of Object.entries(storage.portalSecrets)) {
    const file = local.secrets.portalSecrets[portal]?.reference;
    if (!file) throw new Error(`no local webhook secret file for portal ${portal}`);
    const resolved = stack.resolve(secret.reference) as { Ref?: string } | string;
    if (typeof resolved === 'object' && resolved.Ref) references.set(resolved.Ref, file);
  }
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

/** The name a function's bundle runs under (AWS_LAMBDA_FUNCTION_NAME), and others invoke it by. */
export const bundleFunctionName = (name: FunctionName) => `motcua-bundles-${name}`;

const RUNTIME = fileURLToPath(new URL('./lambda-runtime.ts', import.meta.url));

/**
 * Invokes functions the way Lambda does, each invocation a cold start of the function's own bundle in a new Node
 * process: the environment of the template with references resolved to the local services, plus what the
 * Lambda service sets itself (region, function name and memory, _HANDLER, TZ, the trace header).
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
    const functionName = bundleFunctionName(name);
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
      // The trace header of the invocation, which Lambda sets even without active tracing.
      _X_AMZN_TRACE_ID: `Root=${traceId};Parent=${randomBytes(8).toString('hex')};Sampled=0`,
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

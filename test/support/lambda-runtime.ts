/**
 * A stand-in for Lambda's Node.js runtime, run in a fresh `node` process by test/support/bundles.ts. The init
 * phase imports the handler that _HANDLER names from LAMBDA_TASK_ROOT, as Lambda does; then one invocation
 * arrives over the IPC channel and its answer goes back the same way. Nothing of the repository is imported
 * here, and the asset folder has no node_modules above it: the bundle runs on what it carries, or fails as it
 * would in AWS. Node runs this file itself (type stripping), without the test's loader.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Invocation {
  event: unknown;
  awsRequestId: string;
  /** Milliseconds the function has, from the moment the invocation starts (its timeout). */
  timeoutMs: number;
}

export type RuntimeMessage =
  | { kind: 'ready'; node: string; importMs: number; importCpuMs: number; coldStartMs: number }
  | { kind: 'init-error'; error: ErrorShape }
  | { kind: 'result'; result: unknown; invokeMs: number }
  | { kind: 'error'; error: ErrorShape; invokeMs: number };

interface ErrorShape {
  name: string;
  message: string;
  stack?: string | undefined;
}

const errorShape = (error: unknown): ErrorShape =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: 'Error', message: String(error) };

function send(message: RuntimeMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function init(): Promise<Handler> {
  const root = process.env.LAMBDA_TASK_ROOT!;
  const spec = process.env._HANDLER!;
  const dot = spec.lastIndexOf('.');
  const [moduleName, exportName] = [spec.slice(0, dot), spec.slice(dot + 1)];
  // Lambda's own order of file extensions for a handler module.
  const file = ['.js', '.mjs', '.cjs'].map((ext) => join(root, `${moduleName}${ext}`)).find((f) => existsSync(f));
  if (!file) throw new Error(`no ${moduleName}.js, .mjs or .cjs in ${root}`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} exports no function ${exportName}`);
  return handler as Handler;
}

const importStarted = performance.now();
const cpuBefore = process.cpuUsage();
let handler: Handler;
try {
  handler = await init();
} catch (error) {
  await send({ kind: 'init-error', error: errorShape(error) });
  process.exit(1);
}
const cpu = process.cpuUsage(cpuBefore);
// performance.now() counts from the start of the process: the whole cold start, Node's own boot included. CPU time
// says what the import costs on a busy machine too (Lambda gives a 512 MB function about a third of a core).
await send({
  kind: 'ready',
  node: process.version,
  importMs: performance.now() - importStarted,
  importCpuMs: (cpu.user + cpu.system) / 1000,
  coldStartMs: performance.now(),
});

process.once('message', async (invocation: Invocation) => {
  const started = performance.now();
  const deadline = Date.now() + invocation.timeoutMs;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME!;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: invocation.awsRequestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(invocation.event, context);
    await send({ kind: 'result', result: result ?? null, invokeMs: performance.now() - started });
  } catch (error) {
    await send({ kind: 'error', error: errorShape(error), invokeMs: performance.now() - started });
  }
  // Lambda freezes the process here; open sockets of the SDK would keep this one alive.
  process.exit(0);
});

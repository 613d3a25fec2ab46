import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionName } from '../shared/blueprint/resources.ts';
import type { AsyncTarget } from '../shared/blueprint/wiring.ts';
import type { LocalLambdas } from './lambda.ts';
import type { Poller } from './poller.ts';

/**
 * When a failed asynchronous invocation is tried again. `as-deployed`: as Lambda does, about a minute after the
 * first failure and two minutes after the second. `fast` (tests only, they say so when they use it): a fraction of
 * a second, so a test can watch an event reach its on-failure queue.
 */
export type InvokeRetries = 'as-deployed' | 'fast';

/** Lambda's delays before the second and third attempts (Lambda developer guide, "Asynchronous invocation"). */
export const RETRY_DELAYS_MS: Record<InvokeRetries, readonly number[]> = {
  'as-deployed': [60_000, 120_000],
  fast: [100, 200],
};

/** The largest payload Lambda accepts for an asynchronous invocation (256 KiB, the long-standing quota). */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** Events of one function run at once, at most (Lambda would scale out; two cores are shared here). */
const CONCURRENCY = 4;

interface QueuedEvent {
  requestId: string;
  function: FunctionName;
  payload: unknown;
  /** When Lambda accepted it: its age counts from here. */
  acceptedAt: number;
  /** Attempts made so far. */
  attempts: number;
  notBefore: number;
  lastError?: Error;
}

export interface AsyncInvocationsOptions {
  /** Each function invoked asynchronously: its retries, maximum age and on-failure queue (asyncTargetSettings). */
  targets: readonly AsyncTarget[];
  /** The on-failure queues by name. */
  queueUrls: Record<AsyncTarget['onFailure'], string>;
  functionArn: (name: FunctionName) => string;
  /** The functions (set later when they load after the endpoint is known, as the runner's do). */
  lambdas?: Pick<LocalLambdas, 'invoke'>;
  sqs: Pick<SQSClient, 'send'>;
  retries: InvokeRetries;
  /** The clock events' age is measured by (tests move it past the maximum event age). */
  now?: () => number;
  log: (line: string) => void;
}

/** What Lambda writes to an SQS on-failure destination about an event it gave up on. */
export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetriesExhausted' | 'EventAgeExceeded';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError: 'Unhandled' };
  responsePayload?: { errorType: string; errorMessage: string };
}

/**
 * Lambda's internal queue for asynchronous invocations: an accepted event runs soon after, with the function's
 * timeout (LocalLambdas); one that fails or times out is tried again after Lambda's delays, up to the target's
 * retry attempts; one still failing, or older than the target's maximum event age when its turn comes, is written
 * to the on-failure queue in the shape Lambda's SQS destination uses. A poller of the local runner, so settle()
 * waits for accepted events (and, in fast mode, for their retries).
 */
export class LocalAsyncInvocations implements Poller {
  readonly name = 'asynchronous invocations';
  private readonly waiting: QueuedEvent[] = [];
  private readonly options: AsyncInvocationsOptions;
  private readonly now: () => number;
  private lambdas: Pick<LocalLambdas, 'invoke'> | undefined;

  constructor(options: AsyncInvocationsOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.lambdas = options.lambdas;
  }

  setLambdas(lambdas: Pick<LocalLambdas, 'invoke'>): void {
    this.lambdas = lambdas;
  }

  /** A synchronous invocation (RequestResponse): runs now, answers the result. */
  invokeNow(name: FunctionName, payload: unknown): Promise<unknown> {
    if (!this.lambdas) throw new Error('no functions loaded yet');
    return this.lambdas.invoke(name, payload);
  }

  /** Whether the function takes asynchronous invocations (the blueprint gives it an invoke config). */
  accepts(name: FunctionName): boolean {
    return this.options.targets.some((t) => t.function === name);
  }

  /** Accepts an event for the function, as Lambda's 202 does: it runs later, and the caller learns nothing more. */
  accept(name: FunctionName, payload: unknown): string {
    if (!this.accepts(name)) throw new Error(`${name} has no asynchronous invoke configuration in the blueprint`);
    const requestId = randomUUID();
    const now = this.now();
    this.waiting.push({ requestId, function: name, payload, acceptedAt: now, attempts: 0, notBefore: now });
    return requestId;
  }

  async pollOnce(): Promise<number> {
    const now = this.now();
    const due = this.waiting.filter((e) => e.notBefore <= now);
    const handled = due.length;
    for (const event of due) this.waiting.splice(this.waiting.indexOf(event), 1);
    for (let i = 0; i < due.length; i += CONCURRENCY)
      await Promise.all(due.slice(i, i + CONCURRENCY).map((event) => this.attempt(event)));
    // In fast mode a retry due in a moment keeps the runner unsettled, so a test's settle() sees its end.
    return handled + (this.options.retries === 'fast' ? this.waiting.length : 0);
  }

  private target(name: FunctionName): AsyncTarget {
    return this.options.targets.find((t) => t.function === name)!;
  }

  private async attempt(event: QueuedEvent): Promise<void> {
    const target = this.target(event.function);
    if (this.now() - event.acceptedAt > target.maxEventAgeSeconds * 1000) {
      await this.giveUp(event, 'EventAgeExceeded');
      return;
    }
    event.attempts += 1;
    try {
      await this.invokeNow(event.function, event.payload);
      return;
    } catch (error) {
      event.lastError = error as Error;
      this.options.log(`${event.function} (async, attempt ${event.attempts}) failed: ${(error as Error).message}`);
    }
    if (event.attempts > target.retryAttempts) {
      await this.giveUp(event, 'RetriesExhausted');
      return;
    }
    const delays = RETRY_DELAYS_MS[this.options.retries];
    event.notBefore = this.now() + delays[Math.min(event.attempts - 1, delays.length - 1)]!;
    this.waiting.push(event);
  }

  private async giveUp(event: QueuedEvent, condition: InvocationRecord['requestContext']['condition']) {
    const target = this.target(event.function);
    const error = event.lastError;
    const record: InvocationRecord = {
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      requestContext: {
        requestId: event.requestId,
        functionArn: `${this.options.functionArn(event.function)}:$LATEST`,
        condition,
        approximateInvokeCount: event.attempts,
      },
      requestPayload: event.payload,
      ...(error
        ? {
            responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' as const },
            responsePayload: { errorType: error.name, errorMessage: error.message },
          }
        : {}),
    };
    await this.options.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrls[target.onFailure],
        MessageBody: JSON.stringify(record),
      }),
    );
    this.options.log(`${event.function}: event ${event.requestId} given up (${condition}), on the on-failure queue`);
  }
}

export interface LambdaEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * The Lambda service's Invoke API (POST /2015-03-31/functions/{name}/invocations), which the functions' Lambda
 * client is pointed at locally (AWS_ENDPOINT_URL_LAMBDA). `Event` invocations are answered 202 at once and queued;
 * `RequestResponse` ones run and answer the function's result. Whether the caller may invoke the function is the
 * local access check's to say (local/access.ts), before the request is sent, as IAM would.
 */
interface EndpointWard {
  /** The local function a FunctionName (name or ARN) names, if any. */
  resolve: (functionName: string) => FunctionName | undefined;
  invocations: LocalAsyncInvocations;
}

/**
 * One endpoint per process, shared by every ward it runs (their function names carry each ward's prefix): the
 * adapters' Lambda client is made once per process, as in Lambda, and keeps the endpoint it was made with, so a ward
 * started after another stopped must find the same port. It is never closed; it does not keep the process alive.
 */
let shared: { url: string; wards: Set<EndpointWard> } | undefined;

export async function startLambdaEndpoint(ward: EndpointWard): Promise<LambdaEndpoint> {
  shared ??= await serveLambdaApi(new Set());
  const { url, wards } = shared;
  wards.add(ward);
  return { url, close: async () => void wards.delete(ward) };
}

async function serveLambdaApi(wards: Set<EndpointWard>): Promise<{ url: string; wards: Set<EndpointWard> }> {
  const find = (functionName: string) => {
    for (const ward of wards) {
      const name = ward.resolve(functionName);
      if (name) return { name, invocations: ward.invocations };
    }
    return undefined;
  };
  const fail = (response: ServerResponse, status: number, type: string, message: string) =>
    response
      .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
      .end(JSON.stringify({ Type: 'User', message }));
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= ASYNC_PAYLOAD_LIMIT_BYTES * 4) chunks.push(chunk);
    });
    request.on('end', () => {
      void (async () => {
        const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec((request.url ?? '').split('?')[0]!);
        if (request.method !== 'POST' || !match)
          return fail(response, 404, 'UnknownOperationException', 'only Invoke is served');
        const found = find(decodeURIComponent(match[1]!));
        if (!found) return fail(response, 404, 'ResourceNotFoundException', `Function not found: ${match[1]}`);
        const { name, invocations } = found;
        const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        const body = Buffer.concat(chunks).toString('utf8');
        let payload: unknown;
        try {
          payload = body === '' ? {} : JSON.parse(body);
        } catch {
          return fail(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
        }
        if (type === 'Event') {
          if (size > ASYNC_PAYLOAD_LIMIT_BYTES)
            return fail(
              response,
              413,
              'RequestEntityTooLargeException',
              `${size} bytes exceeds the ${ASYNC_PAYLOAD_LIMIT_BYTES} an asynchronous invocation may carry`,
            );
          if (!invocations.accepts(name))
            return fail(response, 400, 'InvalidParameterValueException', `${name} takes no asynchronous invocations`);
          const requestId = invocations.accept(name, payload);
          response.writeHead(202, { 'x-amzn-requestid': requestId }).end();
          return;
        }
        if (type !== 'RequestResponse')
          return fail(response, 400, 'InvalidParameterValueException', `invocation type ${type} is not served`);
        try {
          const result = await invocations.invokeNow(name, payload);
          response
            .writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' })
            .end(JSON.stringify(result ?? null));
        } catch (error) {
          response
            .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
            .end(JSON.stringify({ errorType: (error as Error).name, errorMessage: (error as Error).message }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, wards };
}

import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type FunctionName, functions } from '../shared/blueprint/resources.ts';
import type { FunctionSpec } from '../shared/blueprint/types.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_MEMORY_MB = 512;

/**
 * Runs the functions of the blueprint in this process, as Lambda would: the same handler modules, a Lambda
 * context, the function's timeout. Handlers are imported after the environment is set, as in a cold start.
 */
export class LocalLambdas {
  private readonly handlers = new Map<FunctionName, Handler>();
  private readonly prefix: string;

  private constructor(prefix: string) {
    this.prefix = prefix;
  }

  static async load(prefix: string): Promise<LocalLambdas> {
    const lambdas = new LocalLambdas(prefix);
    for (const name of Object.keys(functions) as FunctionName[]) {
      const module = (await import(`../functions/${name}/handler.ts`)) as { handler?: Handler };
      if (typeof module.handler !== 'function') throw new Error(`functions/${name}/handler.ts exports no handler`);
      lambdas.handlers.set(name, module.handler);
    }
    return lambdas;
  }

  async invoke(name: FunctionName, event: unknown): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`no function ${name}`);
    const spec: FunctionSpec = functions[name];
    const timeoutMs = (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const deadline = Date.now() + timeoutMs;
    const functionName = `${this.prefix}-${name}`;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
      memoryLimitInMB: String(spec.memoryMb ?? DEFAULT_MEMORY_MB),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${functionName} timed out after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      return await Promise.race([handler(event, context), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

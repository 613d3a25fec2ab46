import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type FunctionName, functions } from '../shared/blueprint/resources.ts';
import { functionLimits } from '../shared/blueprint/wiring.ts';
import type { AccessPolicy, LocalArns } from './access.ts';
import { type Invocation, runInvocation } from './invocation.ts';

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** What the stack gives one function: its environment (the variables of its own) and its role's grants. */
export interface FunctionRuntime {
  environment: Record<string, string>;
  policy: AccessPolicy;
}

/** Lambda's answer when a function runs past its timeout; whatever the function returns later is discarded. */
export class FunctionTimedOut extends Error {
  constructor(functionName: string, timeoutSeconds: number) {
    super(`${functionName}: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

export interface LocalLambdasOptions {
  prefix: string;
  runtimes: Record<FunctionName, FunctionRuntime>;
  arns: LocalArns;
  /** The process' environment the functions share (region, endpoints, Powertools); each adds its own variables. */
  baseEnvironment: () => Record<string, string>;
  /**
   * Handlers to run instead of a function's own (tests only: a fault the local services cannot produce, such as a
   * function slower than its timeout). They run with the function's environment, grants and timeout.
   */
  standIns?: Partial<Record<FunctionName, Handler>>;
}

/**
 * Runs the functions of the blueprint in this process, as Lambda would: the same handler modules, a Lambda
 * context, the function's timeout, and while it runs its own environment and its own grants (local/invocation.ts).
 * Handlers are imported as their function, after the environment is known, as in a cold start.
 */
export class LocalLambdas {
  private readonly handlers = new Map<FunctionName, Handler>();
  private readonly options: LocalLambdasOptions;

  private constructor(options: LocalLambdasOptions) {
    this.options = options;
  }

  static async load(options: LocalLambdasOptions): Promise<LocalLambdas> {
    const lambdas = new LocalLambdas(options);
    for (const name of Object.keys(functions) as FunctionName[]) {
      const standIn = options.standIns?.[name];
      const handler =
        standIn ??
        (
          (await lambdas.as(name, () => import(`../functions/${name}/handler.ts`))) as {
            handler?: Handler;
          }
        ).handler;
      if (typeof handler !== 'function') throw new Error(`functions/${name}/handler.ts exports no handler`);
      lambdas.handlers.set(name, handler);
    }
    return lambdas;
  }

  /** The whole environment a function runs with: the shared one, then its own variables. */
  environmentOf(name: FunctionName): Record<string, string> {
    return { ...this.options.baseEnvironment(), ...this.options.runtimes[name].environment };
  }

  /**
   * Runs `work` as function `name` runs: with its environment and its grants. For module loads, and for tests that
   * check what a function may touch.
   */
  as<T>(name: FunctionName, work: () => T): T {
    return runInvocation(this.invocationOf(name), work);
  }

  private invocationOf(name: FunctionName): Invocation {
    return {
      function: name,
      environment: this.environmentOf(name),
      policy: this.options.runtimes[name].policy,
      arns: this.options.arns,
      timedOut: false,
    };
  }

  async invoke(name: FunctionName, event: unknown): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`no function ${name}`);
    const { timeoutSeconds, memoryMb } = functionLimits(name);
    const deadline = Date.now() + timeoutSeconds * 1000;
    const functionName = `${this.options.prefix}-${name}`;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
      memoryLimitInMB: String(memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const invocation = this.invocationOf(name);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Lambda stops the function here: nothing it does from now on may reach a service, nor its result anyone.
        invocation.timedOut = true;
        reject(new FunctionTimedOut(functionName, timeoutSeconds));
      }, deadline - Date.now());
    });
    const running = runInvocation(invocation, () => Promise.resolve().then(() => handler(event, context)));
    // A result or an error after the timeout goes nowhere, as in Lambda.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

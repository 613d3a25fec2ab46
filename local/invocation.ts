import { AsyncLocalStorage } from 'node:async_hooks';
import type { FunctionName } from '../shared/blueprint/resources.ts';
import type { AccessPolicy, LocalArns } from './access.ts';

/**
 * What Lambda keeps apart and one process shares: which function is running, its environment, its grants. Every
 * handler runs in this process, so the runner tracks the invocation in async context: whatever a handler awaits
 * (SDK calls included) still knows whose it is.
 */
export interface Invocation {
  function: FunctionName;
  /** The function's environment as a whole (`process.env` while it runs). */
  environment: Record<string, string>;
  policy: AccessPolicy;
  arns: LocalArns;
  /** Set when the function ran past its timeout: Lambda would have stopped it, so it may call nothing more. */
  timedOut: boolean;
}

const current = new AsyncLocalStorage<Invocation>();

export const currentInvocation = (): Invocation | undefined => current.getStore();

export function runInvocation<T>(invocation: Invocation, work: () => T): T {
  scopeProcessEnv();
  return current.run(invocation, work);
}

let scoped = false;
let own = process.env;

/** The process' own environment, whichever function is running. */
export const processEnvironment = (): NodeJS.ProcessEnv => own;

/**
 * Makes `process.env` the running function's environment while it runs (and while its module loads, which the
 * runner does as that function), and the process' own everywhere else. A handler reading a variable at module
 * load or per request sees what its stack function would see, and nothing another function was given.
 */
function scopeProcessEnv(): void {
  if (scoped) return;
  scoped = true;
  own = process.env;
  Object.defineProperty(process, 'env', {
    configurable: true,
    enumerable: true,
    get: () => current.getStore()?.environment ?? own,
    set: (value: NodeJS.ProcessEnv) => {
      own = value;
    },
  });
}

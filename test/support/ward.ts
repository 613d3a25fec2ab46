import { randomBytes } from 'node:crypto';
import type { FauxqsServer } from 'fauxqs';
import { inject } from 'vitest';
import type { RebuildResult } from '../../functions/report-rebuild/handler.ts';
import type { InvokeRetries } from '../../local/async-invocations.ts';
import type { TokenRequest } from '../../local/issuer.ts';
import type { QueueRetries } from '../../local/queue-poller.ts';
import { startLocalFauxqs } from '../../local/services.ts';
import { type LocalWard, type LocalWardOptions, startLocalWard } from '../../local/ward.ts';
import { parseWardConfig, type WardConfig } from '../../shared/config/ward.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
import { checkAnswer } from './contract.ts';

export interface TestWard extends LocalWard {
  ward: WardConfig;
  fauxqs: FauxqsServer;
  api: Api;
}

/**
 * A ward instance for one test file: its own tables, bucket and queues on the shared DynamoDB Local, its own
 * fauxqs, an HTTP gateway on a free port. Schedules run only when a test triggers them. Failed queue messages come
 * back after the queue's visibility timeout, and failed asynchronous invocations after Lambda's delays, as deployed,
 * unless the file asks for `queueRetries: 'fast'` or `invokeRetries: 'fast'`.
 */
export async function startTestWard(
  configure: (ward: WardConfig) => WardConfig = (w) => w,
  options: {
    queueRetries?: QueueRetries;
    invokeRetries?: InvokeRetries;
    standIns?: LocalWardOptions['standIns'];
    /** A data folder (alert e-mails are written under it) and the clock daily schedules follow. */
    dataDir?: string;
    clock?: () => number;
    /**
     * Why the file leaves report counters that the dossiers do not give, on purpose (a stand-in for the aggregator,
     * counters written by hand). Without it, stopping the ward recounts every counter (functions/report-rebuild)
     * and fails the file on any difference.
     */
    countersDifferOnPurpose?: string;
    /** The time stamped on each request, which every function takes as "now" (local/ward.ts `requestClock`). */
    requestClock?: LocalWardOptions['requestClock'];
  } = {},
): Promise<TestWard> {
  // Validated as a ward file is: functions read the configuration they are handed as it is (current-ward.ts).
  const ward = parseWardConfig(configure(readWardFile('sample')));
  const fauxqs = await startLocalFauxqs();
  const local = await startLocalWard({
    ward,
    dynamoEndpoint: inject('dynamoEndpoint'),
    fauxqs,
    resourcePrefix: `t${randomBytes(4).toString('hex')}`,
    schedules: 'manual',
    logLevel: 'SILENT',
    pollIntervalMs: 100,
    ...(options.queueRetries ? { queueRetries: options.queueRetries } : {}),
    ...(options.invokeRetries ? { invokeRetries: options.invokeRetries } : {}),
    ...(options.standIns ? { standIns: options.standIns } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.requestClock ? { requestClock: options.requestClock } : {}),
  });
  return {
    ...local,
    ward,
    fauxqs,
    api: new Api(local.url, local.token),
    async stop() {
      try {
        if (!options.countersDifferOnPurpose) await expectCountersRecount(local);
      } finally {
        await local.stop();
        await fauxqs.stop();
      }
    },
  };
}

/**
 * After every test file the day counters are what the dossiers give: once the stream is through, the rebuild
 * function (as `npm run reports:rebuild` runs it) recounts them and must find no difference.
 */
async function expectCountersRecount(local: LocalWard): Promise<void> {
  await local.settle();
  const result = (await local.invoke('report-rebuild', {})) as RebuildResult;
  if (result.differenceCount > 0 || result.unreadable.length > 0)
    throw new Error(
      `the report counters differ from a recount of the dossiers (${result.differenceCount} counters` +
        `${result.unreadable.length ? `, unreadable dossiers ${result.unreadable.join(', ')}` : ''}); scope, day, ` +
        `counter, stored, recounted:\n${result.differences.map((d) => `  ${d.scope} ${d.date} ${d.counter} ${d.stored} ${d.recounted}`).join('\n')}\n` +
        'A file that leaves them so on purpose says why in startTestWard({ countersDifferOnPurpose }).',
    );
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Well inside a portal token's five minutes, and the authorizer's cache time. */
const TOKEN_REUSE_MS = 4 * 60_000;

/**
 * A small HTTP client for the local API: JSON in, JSON (or problem+json) out. Every answer is checked against the
 * response its route documents (test/support/contract.ts): one that drifts from its documented shape throws.
 */
export class Api {
  readonly url: string;
  private readonly mint: (request: TokenRequest) => Promise<string>;
  private readonly tokens = new Map<string, { token: string; mintedAt: number }>();

  constructor(url: string, mint: (request: TokenRequest) => Promise<string>) {
    this.url = url;
    this.mint = mint;
  }

  /**
   * A token for the caller, minted once and reused while it is fresh: a portal's lives five minutes (as a portal
   * signs its own), so a file that runs longer gets a new one, as a portal would sign one.
   */
  async token(as: TokenRequest): Promise<string> {
    const key = JSON.stringify(as);
    const kept = this.tokens.get(key);
    if (kept && performance.now() - kept.mintedAt < TOKEN_REUSE_MS) return kept.token;
    const token = await this.mint(as);
    this.tokens.set(key, { token, mintedAt: performance.now() });
    return token;
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { as?: TokenRequest; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${await this.token(options.as)}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    const contentType = response.headers.get('content-type') ?? '';
    if (/json/.test(contentType) && text) parsed = JSON.parse(text);
    checkAnswer({ method, path, status: response.status, contentType, body: parsed });
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = any>(path: string, options?: Parameters<Api['request']>[2]) {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, body: unknown, options: Omit<NonNullable<Parameters<Api['request']>[2]>, 'body'> = {}) {
    return this.request<T>('POST', path, { ...options, body });
  }
}

export const officer = { role: 'officer' } as const;
export const specialist = { role: 'specialist' } as const;
export const leader = { role: 'leader' } as const;
export const portal = { portal: 'dvcqg' } as const;

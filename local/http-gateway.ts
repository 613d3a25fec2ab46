import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, BlockList, isIPv6 } from 'node:net';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import type { FunctionName } from '../shared/blueprint/resources.ts';
import { type RouteKey, routes } from '../shared/blueprint/routes.ts';
import type { RouteSpec } from '../shared/blueprint/types.ts';
import { AUTHORIZER_CACHE_SECONDS, type CallerContext } from '../shared/http/auth.ts';
import { FunctionTimedOut, type LocalLambdas } from './lambda.ts';

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|application\/[\w.+-]+\+(json|xml))/i;

export interface CompiledRoute<K extends string = RouteKey> {
  key: K;
  method: string;
  pattern: RegExp;
  names: string[];
  /** Per path segment: 0 a literal, 1 a `{param}`, 2 a greedy `{param+}` (API Gateway's order of preference). */
  segments: number[];
  spec: RouteSpec<FunctionName>;
}

export type LocalEndpoint = (request: IncomingMessage, body: Buffer, response: ServerResponse) => Promise<void>;

export function compileRoutes<K extends string>(table: Record<K, RouteSpec<FunctionName>>): CompiledRoute<K>[] {
  return (Object.entries(table) as [K, RouteSpec<FunctionName>][]).map(([key, spec]) => {
    const [method, path] = key.split(' ') as [string, string];
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)(\\\+)?\}/g, (_, name: string, greedy) => {
      names.push(name);
      return greedy ? '(.+)' : '([^/]+)';
    });
    const segments = path
      .split('/')
      .slice(1)
      .map((segment) => (/^\{\w+\+\}$/.test(segment) ? 2 : /^\{\w+\}$/.test(segment) ? 1 : 0));
    return {
      key,
      method,
      pattern: new RegExp(`^${source}$`),
      names,
      segments,
      spec,
    };
  });
}

/** Negative when `a` is the more specific: segment by segment, a literal beats `{param}`, which beats `{param+}`. */
function bySpecificity(a: CompiledRoute<string>, b: CompiledRoute<string>): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    if (a.segments[i] !== b.segments[i]) return a.segments[i]! - b.segments[i]!;
  }
  return b.segments.length - a.segments.length;
}

/**
 * The route a request goes to, as API Gateway picks it: of the routes whose method and path match, the most
 * specific (a full literal match first, then path variables, then greedy ones), whatever order they are declared in.
 * Undefined when none matches, or when a path parameter does not decode (a bare `%`, half a UTF-8 sequence): API
 * Gateway answers such a path 404 rather than hand the function broken text.
 */
export function matchRoute<K extends string>(
  compiled: CompiledRoute<K>[],
  method: string,
  pathname: string,
): { route: CompiledRoute<K>; parameters: Record<string, string> } | undefined {
  const candidates = compiled
    .filter((route) => route.method === method && route.pattern.test(pathname))
    .sort(bySpecificity);
  const route = candidates[0];
  if (!route) return undefined;
  const parameters = pathParameters(route, route.pattern.exec(pathname)!);
  return parameters ? { route, parameters } : undefined;
}

/**
 * An HTTP server that behaves like the stack's HTTP API: it matches the blueprint's routes, runs the blueprint's
 * `authorizer` function on protected routes as the stack's Lambda authorizer does (401 `{"message":"Unauthorized"}`
 * without an Authorization header, before anything runs; 403 `{"message":"Forbidden"}` when the authorizer refuses;
 * its answers cached per token and route for AUTHORIZER_CACHE_SECONDS), and hands the function an API Gateway
 * HTTP API (v2) event with the authorizer's context. Paths under /_local/ are the runner's own.
 */
export async function startHttpGateway(options: {
  host: string;
  port: number;
  lambdas: LocalLambdas;
  localEndpoints: Record<string, LocalEndpoint>;
  onRequest?: (line: string) => void;
  /**
   * The instant stamped on each request (`requestContext.timeEpoch`, the one clock of a request); the system
   * clock by default. Local only: API Gateway stamps its own time and the stack has no such setting.
   */
  clock?: (request: IncomingMessage) => number;
}): Promise<{ url: string; server: Server; loopback: boolean; close(): Promise<void> }> {
  const compiled = compileRoutes(routes as Record<RouteKey, RouteSpec<FunctionName>>);
  // Route throttles as the stage's route settings apply them (token buckets); routes without one are not throttled here.
  const throttles = new Map(
    compiled
      .filter((r) => r.spec.throttle)
      .map((r) => [r.key, new TokenBucket(r.spec.throttle!.ratePerSecond, r.spec.throttle!.burst)] as const),
  );
  const answers = new AuthorizerCache(AUTHORIZER_CACHE_SECONDS * 1000);
  const clock = options.clock ?? (() => Date.now());
  const server = createServer((request, response) => {
    const started = performance.now();
    handle(request, response)
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        // What API Gateway answers when the function fails or runs past its timeout (Lambda reports both as errors).
        response.end(JSON.stringify({ message: 'Internal Server Error' }));
        if (error instanceof FunctionTimedOut) console.error(`local gateway: ${error.message}`);
        else console.error('local gateway error', error);
      })
      .finally(() =>
        options.onRequest?.(
          `${request.method} ${loggableUrl(request.url ?? '/')} ${response.statusCode} ${Math.round(performance.now() - started)}ms`,
        ),
      );
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    const body = await readBody(request);
    if (body === undefined) return send(response, gatewayAnswer(413, 'Request Entity Too Large'));

    const local = options.localEndpoints[`${request.method} ${url.pathname}`];
    if (local) return local(request, body, response);

    const match = matchRoute(compiled, request.method ?? 'GET', url.pathname);
    if (!match) return send(response, gatewayAnswer(404, 'Not Found'));

    const { route, parameters } = match;
    const throttle = throttles.get(route.key);
    if (throttle && !throttle.take()) return send(response, gatewayAnswer(429, 'Too Many Requests'));
    let caller: CallerContext | undefined;
    if (!('public' in route.spec.access)) {
      const authorization = header(request, 'authorization');
      // The identity sources are the Authorization header and the route: without the header, nothing runs.
      if (!authorization) {
        const unauthorized = gatewayAnswer(401, 'Unauthorized');
        return send(response, { ...unauthorized, headers: { ...unauthorized.headers, 'www-authenticate': 'Bearer' } });
      }
      const cacheKey = `${authorization}\n${route.key}`;
      let answer = answers.get(cacheKey);
      if (!answer) {
        const event = toEvent(request, url, body, route, parameters, undefined, clock(request));
        answer = (await options.lambdas.invoke('authorizer', authorizerEvent(event, authorization))) as Authorized;
        if (typeof answer?.isAuthorized !== 'boolean') throw new Error('the authorizer answered no isAuthorized');
        answers.set(cacheKey, answer);
      }
      if (!answer.isAuthorized) return send(response, gatewayAnswer(403, 'Forbidden'));
      caller = answer.context as CallerContext;
    }
    const event = toEvent(request, url, body, route, parameters, caller, clock(request));
    const result = (await options.lambdas.invoke(route.spec.function, event)) as
      | APIGatewayProxyStructuredResultV2
      | string
      | object;
    send(response, normalise(result));
  }

  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    loopback: isLoopbackAddress(address),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class TokenBucket {
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private tokens: number;
  private last = performance.now();

  constructor(ratePerSecond: number, burst: number) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

type Authorized = APIGatewaySimpleAuthorizerWithContextResult<CallerContext | Record<string, never>>;

/** The authorizer's answers by identity (token and route), each kept for the cache's time, as API Gateway does. */
class AuthorizerCache {
  private readonly ttlMs: number;
  private readonly answers = new Map<string, { answer: Authorized; until: number }>();

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  get(key: string): Authorized | undefined {
    const kept = this.answers.get(key);
    if (kept && kept.until > performance.now()) return kept.answer;
    this.answers.delete(key);
    return undefined;
  }

  set(key: string, answer: Authorized): void {
    // Bounded: a client sending a new token each time cannot grow it without end.
    if (this.answers.size >= 10_000) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(key, { answer, until: performance.now() + this.ttlMs });
  }
}

/** The request as API Gateway hands it to a Lambda authorizer (payload 2.0), its identity sources first. */
function authorizerEvent(
  event: APIGatewayProxyEventV2WithLambdaAuthorizer<undefined>,
  authorization: string,
): APIGatewayRequestAuthorizerEventV2 {
  const { body: _body, isBase64Encoded: _encoded, ...request } = event as typeof event & { body?: string };
  return {
    ...request,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
    identitySource: [authorization, event.routeKey],
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

const loopbackAddresses = new BlockList();
loopbackAddresses.addSubnet('127.0.0.0', 8, 'ipv4');
loopbackAddresses.addAddress('::1', 'ipv6');

/** Whether a listening address is reachable from this machine only (127.0.0.0/8, ::1, ::ffff:127.x.y.z). */
export function isLoopbackAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return loopbackAddresses.check(mapped, 'ipv4');
  return loopbackAddresses.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** Query parameters a request log must not show: the public lookup's receipt PIN. */
const SECRET_PARAMETERS = new Set(['pin']);

/**
 * The request target as a log line may show it: the value of each secret query parameter masked, however its
 * name is written (`PIN`, `p%69n`, as the query parser would read it).
 */
function loggableUrl(target: string): string {
  const at = target.indexOf('?');
  if (at < 0) return target;
  const query = target
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      // The name as the gateway's own query parsing (URLSearchParams) reads it.
      const [name] = new URLSearchParams(pair).keys();
      return name !== undefined && SECRET_PARAMETERS.has(name.toLowerCase()) ? `${pair.split('=')[0]}=***` : pair;
    })
    .join('&');
  return `${target.slice(0, at)}?${query}`;
}

/** The answers API Gateway gives on its own, before any function runs. */
function gatewayAnswer(
  statusCode: number,
  message: string,
): APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> } {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The route's path parameters, decoded; undefined when one does not decode. */
function pathParameters(route: CompiledRoute<string>, values: RegExpExecArray): Record<string, string> | undefined {
  try {
    return Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(values[i + 1]!)]));
  } catch {
    return undefined;
  }
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  route: CompiledRoute,
  pathParameters: Record<string, string>,
  caller: CallerContext | undefined,
  receivedAt: number,
): APIGatewayProxyEventV2WithLambdaAuthorizer<undefined> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date(receivedAt);
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  const cookies = header(request, 'cookie')?.split(/;\s*/).filter(Boolean);
  const event = {
    version: '2.0',
    routeKey: route.key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(route.names.length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(12).toString('base64url'),
      routeKey: route.key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(caller ? { authorizer: { lambda: caller } } : {}),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
  return event as unknown as APIGatewayProxyEventV2WithLambdaAuthorizer<undefined>;
}

/** What HTTP APIs make of a handler's return value (payload format 2.0). */
function normalise(result: APIGatewayProxyStructuredResultV2 | string | object): APIGatewayProxyStructuredResultV2 {
  if (typeof result === 'object' && result !== null && 'statusCode' in result)
    return result as APIGatewayProxyStructuredResultV2;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof result === 'string' ? result : JSON.stringify(result),
  };
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string> | undefined) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? undefined
      : result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : Buffer.from(result.body, 'utf8');
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

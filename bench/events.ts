import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { type CallerContext, callerContext } from '../shared/http/auth.ts';

/**
 * An HTTP API (payload 2.0) event as the local gateway hands it to a function, for a request the authorizer let
 * through with this caller's context (none on a public route).
 */
export function httpEvent(request: {
  routeKey: string;
  path: string;
  pathParameters?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  caller?: CallerContext;
}): APIGatewayProxyEventV2WithLambdaAuthorizer<CallerContext> {
  const [method] = request.routeKey.split(' ') as [string];
  const now = new Date();
  const headers: Record<string, string> = {
    host: '127.0.0.1',
    'user-agent': 'motcua-bench',
    ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...request.headers,
  };
  const event = {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: new URLSearchParams(request.query ?? {}).toString(),
    headers,
    ...(request.query ? { queryStringParameters: request.query } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'motcua-bench' },
      requestId: randomBytes(12).toString('base64url'),
      routeKey: request.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(request.caller ? { authorizer: { lambda: request.caller } } : {}),
    },
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    isBase64Encoded: false,
  };
  return event as unknown as APIGatewayProxyEventV2WithLambdaAuthorizer<CallerContext>;
}

/** The event API Gateway hands the Lambda authorizer for a request with this bearer token (identity sources first). */
export function authorizerEvent(token: string, routeKey: string, path: string): APIGatewayRequestAuthorizerEventV2 {
  const { isBase64Encoded: _encoded, ...request } = httpEvent({ routeKey, path });
  const authorization = `Bearer ${token}`;
  return {
    ...request,
    headers: { ...request.headers, authorization },
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:bench/$default/${routeKey.replace(' ', '')}`,
    identitySource: [authorization, routeKey],
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

/**
 * What the authorizer answers for an officer's verified token: the context the benchmark's events carry, so the
 * functions see what they see behind the stack's authorizer. The authorizer itself is timed on its own
 * (bench/requests.ts): its module keeps the first ward's key settings, so a later ward of this process could not
 * pass its tokens through it.
 */
export function officerCaller(): CallerContext {
  return callerContext(
    { kind: 'staff', userId: 'bench-officer', username: 'officer.bench', roles: ['officer'] },
    Math.floor(Date.now() / 1000) + 8 * 3600,
  );
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** The q-quantile by the nearest-rank method. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

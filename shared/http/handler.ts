import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod';
import { type FunctionName, functions, type QueueName, type SecretName } from '../blueprint/resources.ts';
import { type RouteKey, routes } from '../blueprint/routes.ts';
import type { FunctionSpec, LazySchema, RouteSpec } from '../blueprint/types.ts';
import {
  DomainError,
  errorHeaders,
  type FieldViolation,
  NotAcceptable,
  NotFound,
  ServiceUnavailable,
  UnsupportedMediaType,
  ValidationFailed,
} from '../domain/errors.ts';
import { logger, metrics } from '../observability.ts';
import { loadSecrets } from '../security/secrets.ts';
import { authorize, type CallerContext, type Principal, principalFromAuthorizer } from './auth.ts';
import { type Locale, negotiateLocale } from './messages.ts';
import { preferredMediaType } from './negotiate.ts';
import { problemFor, problemResponse, violationsFromZod } from './problem.ts';

type Out<S> = S extends LazySchema<infer T> ? z.output<T> : undefined;

export interface RequestOf<R extends RouteSpec> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  headers: Out<R['headers']>;
  body: Out<R['body']>;
  principal: Principal;
  locale: Locale;
  /** The media type to answer in: JSON, or one of the route's `formats` the Accept header prefers. */
  mediaType: string;
  requestId: string;
  /** The instant the gateway received the request: the one clock of a request. */
  receivedAt: number;
  /** The client's address as the gateway saw it: for rate limits only, never logged or stored as it is. */
  sourceIp: string;
  /** Milliseconds left before the request is answered 503 for running out of time; loops that retry stop short of it. */
  remainingMs: () => number;
}

export interface Reply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** A body that is not JSON (a route's `formats`), sent as it is with its media type; instead of `body`. */
  text?: { mediaType: string; content: string };
  headers?: Record<string, string>;
}

const JSON_MEDIA_TYPE = 'application/json';

type RoutesOf<F extends FunctionName> = {
  [K in RouteKey]: (typeof routes)[K]['function'] extends F ? K : never;
}[RouteKey];

export type RouteHandlers<F extends FunctionName> = {
  [K in RoutesOf<F>]: (request: RequestOf<(typeof routes)[K]>) => Promise<Reply>;
};

/** An HTTP API event; on a protected route it carries what the authorizer verified (`authorizer.lambda`). */
export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<CallerContext | undefined>;

/**
 * A request still running this long before the function's timeout is answered 503 with Retry-After, so the
 * client hears "send it again" instead of the gateway's bare error; a retry with the same Idempotency-Key finds
 * whatever the first one committed.
 */
const TIMEOUT_MARGIN_MS = 1500;

/**
 * The one HTTP stack: Powertools logger and metrics around a dispatcher that finds the route in the
 * blueprint, checks the caller's role or scope, validates path, query, headers and body with the route's zod
 * schemas, calls the route's handler and turns any error into problem+json.
 */
export function httpFunction<F extends FunctionName>(fn: F, handlers: RouteHandlers<F>) {
  const secrets: readonly SecretName[] = (functions[fn] as FunctionSpec<QueueName, SecretName>).secrets ?? [];
  // This function's request schemas, and no other route's, built during its init.
  const schemas = new Map(
    Object.entries(routes)
      .filter(([, spec]) => spec.function === fn)
      .map(([key, spec]) => [key, requestSchemas(spec)]),
  );
  const dispatch = async (event: HttpEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const answerBy = Date.now() + context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS;
    const locale = negotiateLocale(event.headers?.['accept-language']);
    const requestId = event.requestContext.requestId;
    logger.appendKeys({ correlationId: requestId, routeKey: event.routeKey });
    try {
      const key = event.routeKey as RouteKey;
      const spec: RouteSpec | undefined = routes[key];
      const handler = (handlers as Record<string, ((request: never) => Promise<Reply>) | undefined>)[key];
      const routeSchemas = schemas.get(key);
      if (!spec || !routeSchemas || !handler) throw new NotFound('route_not_found', { path: event.rawPath });
      const principal = principalFromAuthorizer(
        event.requestContext.authorizer?.lambda,
        event.requestContext.timeEpoch,
      );
      authorize(principal, spec.access);
      const input = parseRequest(await routeSchemas, event);
      const formats = spec.responses[200]?.formats;
      const offered = formats ? [JSON_MEDIA_TYPE, ...formats] : undefined;
      const mediaType = offered ? preferredMediaType(event.headers?.accept, offered) : JSON_MEDIA_TYPE;
      if (!mediaType) throw new NotAcceptable(offered!);
      await loadSecrets(secrets);
      const reply = await inTime(
        handler({
          ...input,
          principal,
          locale,
          mediaType,
          requestId,
          receivedAt: event.requestContext.timeEpoch,
          sourceIp: event.requestContext.http?.sourceIp ?? '',
          remainingMs: () => answerBy - Date.now(),
        } as never),
        answerBy,
      );
      const body = reply.text
        ? { type: reply.text.mediaType, content: reply.text.content }
        : reply.body === undefined
          ? undefined
          : { type: 'application/json; charset=utf-8', content: JSON.stringify(reply.body) };
      return {
        statusCode: reply.status,
        headers: {
          ...(body ? { 'content-type': body.type } : {}),
          'content-language': locale,
          // A cache keeps one answer per Accept of a route whose answer depends on it.
          ...(offered ? { vary: 'accept' } : {}),
          ...reply.headers,
        },
        ...(body ? { body: body.content } : {}),
      };
    } catch (error) {
      if (!(error instanceof DomainError)) logger.error('unexpected error', error as Error);
      else logger.info('request refused', { kind: error.kind, messageKey: error.messageKey });
      return problemResponse(problemFor(error, locale, requestId, event.rawPath), locale, errorHeaders(error));
    }
  };
  return middy(dispatch)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

async function inTime<T>(work: Promise<T>, answerBy: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ServiceUnavailable('request_out_of_time', 1)),
      Math.max(0, answerBy - Date.now()),
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface RequestSchemas {
  params?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  headers?: z.ZodType | undefined;
  body?: z.ZodType | undefined;
}

function requestSchemas(spec: RouteSpec): Promise<RequestSchemas> {
  const loaded = Promise.all([spec.params?.(), spec.query?.(), spec.headers?.(), spec.body?.()]).then(
    ([params, query, headers, body]) => ({ params, query, headers, body }),
  );
  // A failure is the request's to report (a 500); not an unhandled rejection of the init.
  loaded.catch(() => {});
  return loaded;
}

function parseRequest(spec: RequestSchemas, event: HttpEvent) {
  const violations: FieldViolation[] = [];
  const part = <S extends z.ZodType | undefined>(schema: S, value: unknown, where: FieldViolation['in']) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    violations.push(...violationsFromZod(result.error, where));
    return undefined;
  };
  const params = part(spec.params, event.pathParameters ?? {}, 'path');
  const query = part(spec.query, event.queryStringParameters ?? {}, 'query');
  const headers = part(spec.headers, event.headers ?? {}, 'header');
  const body = spec.body ? part(spec.body, readJsonBody(event), 'body') : undefined;
  if (violations.length > 0) throw new ValidationFailed(violations);
  return { params, query, headers, body };
}

function readJsonBody(event: HttpEvent): unknown {
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) throw new UnsupportedMediaType('json_required');
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationFailed([{ in: 'body', field: '', rule: 'malformed_json', message: 'malformed_json' }]);
  }
}

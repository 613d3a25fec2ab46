import type * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { commonProblems, type RouteKey, routes } from '../blueprint/routes.ts';
import type { LazySchema, ResponseSpec, RouteSpec } from '../blueprint/types.ts';
import type { WardConfig } from '../config/ward.ts';
import { WEBHOOK_VERIFICATION_EXAMPLE } from '../security/webhook-signature.ts';
import { PORTAL_TOKEN_MAX_SECONDS, portalTokenAudience } from './auth.ts';

/** A response as documented, its schema loaded. */
export interface DocumentedResponse extends Omit<ResponseSpec, 'schema'> {
  schema?: z.ZodType;
}

/** A route as documented: its schemas loaded. */
export interface DocumentedRoute extends Omit<RouteSpec, 'params' | 'query' | 'headers' | 'body' | 'responses'> {
  params?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  headers?: z.ZodType | undefined;
  body?: z.ZodType | undefined;
  responses: Record<number, DocumentedResponse>;
}

const loadResponses = async (responses: Record<number, ResponseSpec>): Promise<Record<number, DocumentedResponse>> =>
  Object.fromEntries(
    await Promise.all(
      Object.entries(responses).map(async ([status, { schema, ...rest }]) => [
        status,
        { ...rest, ...(schema ? { schema: await schema() } : {}) },
      ]),
    ),
  );

/**
 * Every route of the blueprint and the common problems with all their schemas loaded: what the OpenAPI document is
 * generated from, and what the contract tests check answers against.
 */
export async function documentedRoutes(): Promise<{
  routes: Record<RouteKey, DocumentedRoute>;
  commonProblems: Record<keyof typeof commonProblems, DocumentedResponse>;
}> {
  const load = (schema: LazySchema | undefined) => schema?.();
  const loaded = await Promise.all(
    (Object.entries(routes) as [RouteKey, RouteSpec][]).map(
      async ([key, spec]): Promise<[RouteKey, DocumentedRoute]> => {
        const [params, query, headers, body, responses] = await Promise.all([
          load(spec.params),
          load(spec.query),
          load(spec.headers),
          load(spec.body),
          loadResponses(spec.responses),
        ]);
        return [key, { ...spec, params, query, headers, body, responses }];
      },
    ),
  );
  return {
    routes: Object.fromEntries(loaded) as Record<RouteKey, DocumentedRoute>,
    commonProblems: (await loadResponses(commonProblems)) as Record<keyof typeof commonProblems, DocumentedResponse>,
  };
}

/** The OpenAPI 3.1 document, generated from the routes of the blueprint and their zod schemas. */
export async function openApiDocument(ward: Pick<WardConfig, 'id' | 'name' | 'unitCode'>) {
  const documented = await documentedRoutes();
  const paths: ZodOpenApiPathsObject = {};
  for (const [key, spec] of Object.entries(documented.routes)) {
    const [method, path] = key.split(' ') as [string, string];
    paths[path] ??= {};
    (paths[path] as Record<string, ZodOpenApiOperationObject>)[method.toLowerCase()] = operation(
      spec,
      documented.commonProblems,
    );
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: `motcua: ${ward.name}`,
      version: '1',
      description:
        'API of a ward one-stop shop (Bộ phận Một cửa). Errors are RFC 9457 problem+json, in Vietnamese by default and in English with `Accept-Language: en`.',
    },
    servers: [{ url: '/' }],
    paths,
    webhooks: await statusWebhooks(),
    components: {
      securitySchemes: {
        staff: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Cognito access token of an officer, specialist or leader (groups claim)',
        },
        portal: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `A JWT the portal signs with a key registered for it in the ward configuration (ES256 or RS256, \`kid\` naming the key): \`iss\` and \`sub\` the portal's id, \`aud\` ${portalTokenAudience(ward.id)}, \`iat\` and \`exp\` at most ${PORTAL_TOKEN_MAX_SECONDS} s apart, \`scope\` dossiers.submit and/or dossiers.read`,
        },
      },
    },
  });
}

function operation(
  spec: DocumentedRoute,
  common: Record<keyof typeof commonProblems, DocumentedResponse>,
): ZodOpenApiOperationObject {
  const isPublic = 'public' in spec.access;
  const responses: Record<string, object> = {};
  const all = { ...spec.responses, ...(isPublic ? { 500: common[500] } : common) };
  for (const [status, response] of Object.entries(all) as [string, DocumentedResponse][]) {
    const mediaType = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? {
            content: {
              [mediaType]: { schema: response.schema },
              // The other formats are text the JSON's schema does not describe.
              ...Object.fromEntries((response.formats ?? []).map((format) => [format, { schema: { type: 'string' } }])),
            },
          }
        : {}),
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, description]) => [
                name,
                { description, schema: { type: 'string' } },
              ]),
            ),
          }
        : {}),
    };
  }
  const access = isPublic
    ? 'Public.'
    : `Roles: ${'roles' in spec.access ? spec.access.roles.join(', ') : ''}${'scopes' in spec.access && spec.access.scopes ? `; portal scopes: ${spec.access.scopes.join(', ')}` : ''}.`;
  return {
    tags: [spec.tag],
    summary: spec.summary,
    description: [spec.description, access].filter(Boolean).join('\n\n'),
    security: isPublic
      ? []
      : [{ staff: [] }, ...('scopes' in spec.access && spec.access.scopes?.length ? [{ portal: [] }] : [])],
    ...(spec.params || spec.query || spec.headers
      ? {
          requestParams: {
            ...(spec.params ? { path: spec.params as z.ZodObject } : {}),
            ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
            ...(spec.headers ? { header: spec.headers as z.ZodObject } : {}),
          },
        }
      : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    responses: responses as ZodOpenApiOperationObject['responses'],
  };
}

/**
 * What the ward posts to a portal's `statusWebhookUrl`: the Standard Webhooks scheme (standardwebhooks.com), which
 * that project's libraries verify, and the verification example the tests run as the portals.
 */
async function statusWebhooks(): Promise<ZodOpenApiPathsObject> {
  const { statusWebhookHeaders, statusWebhookSchema } = await import('../api/deliveries.ts');
  return {
    'dossier.status_changed': {
      post: {
        tags: ['Cổng'],
        summary: 'A status change of a dossier the portal filed, signed with the portal’s secret',
        description: [
          'Every status change of a dossier a portal filed is posted to its `statusWebhookUrl`, each dossier’s changes in order: a later version is sent only once the portal has taken the earlier one. Answer 2xx once you have it; anything else, or no answer within 20 seconds, is tried again with growing waits (a minute, doubling, at most an hour apart) for the ward’s horizon (3 days by default), and then kept for the ward’s staff to send again. So the same change can come twice: deduplicate on `webhook-id`.',
          'Signing follows Standard Webhooks v1: HMAC-SHA256, keyed with the base64-decoded part of your secret after `whsec_`, over `<webhook-id>.<webhook-timestamp>.<raw body>`, base64 in `webhook-signature` as `v1,<signature>`. Verify the raw body before parsing it, compare in constant time, and refuse a timestamp more than 5 minutes from your clock (a replay). The secret is per portal, in the ward’s SSM parameter named by the ward configuration; while it is rolled over the ward signs with the new and the old one, and either verifies.',
          `Verification in Node (no package needed):\n\n\`\`\`js\n${WEBHOOK_VERIFICATION_EXAMPLE}\`\`\``,
        ].join('\n\n'),
        requestParams: { header: statusWebhookHeaders },
        requestBody: { required: true, content: { 'application/json': { schema: statusWebhookSchema } } },
        responses: {
          '200': { description: 'Taken (any 2xx will do)' },
          '400': { description: 'Refused: a bad signature or timestamp. Tried again, and kept if it never passes.' },
        },
      },
    },
  };
}

import { problemSchema } from '../../shared/api/common.ts';
import { type RouteKey, routes } from '../../shared/blueprint/routes.ts';
import { type DocumentedResponse, documentedRoutes } from '../../shared/http/openapi.ts';

// The routes with their schemas loaded, as the OpenAPI document has them.
const documentation = await documentedRoutes();

/**
 * The API's documentation as a test oracle: every answer the integration tests get is checked against the response
 * its route documents (shared/blueprint/routes.ts), so a view that drifts from its documented shape fails a test.
 */

interface Template {
  key: RouteKey;
  method: string;
  segments: string[];
}

const templates: Template[] = (Object.keys(routes) as RouteKey[]).map((key) => {
  const [method, path] = key.split(' ') as [string, string];
  return { key, method, segments: path.split('/').slice(1) };
});
const isParameter = (segment: string) => /^\{\w+\}$/.test(segment);

/**
 * The route API Gateway picks for a request: among the templates of its method whose segments match (a literal
 * segment exactly, `{name}` any non-empty segment), the most specific, a literal segment winning over a parameter
 * from left to right.
 */
export function routeOf(method: string, path: string): RouteKey | undefined {
  const segments = path.split('?')[0]!.split('/').slice(1);
  const matching = templates.filter(
    (t) =>
      t.method === method.toUpperCase() &&
      t.segments.length === segments.length &&
      t.segments.every((s, i) => (isParameter(s) ? segments[i] !== '' : s === segments[i])),
  );
  const literalsFirst = (t: Template) => t.segments.map((s) => (isParameter(s) ? '1' : '0')).join('');
  return matching.sort((a, b) => literalsFirst(a).localeCompare(literalsFirst(b)))[0]?.key;
}

/** API Gateway's own answers, before or instead of a function: `{"message": …}` as plain JSON, nothing else. */
const GATEWAY_ANSWERS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function isGatewayAnswer(status: number, contentType: string, body: unknown): boolean {
  return (
    /^application\/json\b/.test(contentType) &&
    typeof body === 'object' &&
    body !== null &&
    Object.keys(body).length === 1 &&
    (body as { message?: unknown }).message === GATEWAY_ANSWERS[status]
  );
}

/**
 * Where `input` holds a key its parsed `output` lost: zod objects drop keys they do not declare, so a field a view
 * returns but the schema does not document shows up here (a catch-all schema, as the problem's, keeps them).
 */
function undocumentedKeys(input: unknown, output: unknown, path = ''): string[] {
  if (Array.isArray(input) && Array.isArray(output))
    return input.flatMap((item, i) => undocumentedKeys(item, output[i], `${path}/${i}`));
  if (typeof input !== 'object' || input === null || typeof output !== 'object' || output === null) return [];
  return Object.entries(input).flatMap(([key, value]) =>
    key in output
      ? undocumentedKeys(value, (output as Record<string, unknown>)[key], `${path}/${key}`)
      : [`${path}/${key}`],
  );
}

export class ContractBroken extends Error {}

export interface Answer {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * Checks an answer against the documentation of its route and throws a ContractBroken naming the route, the
 * status and what differs. Passes only: the runner's own endpoints (/_local/…), API Gateway's own answers, and
 * documented answers whose body parses by the documented schema without a key the schema does not declare.
 */
export function checkAnswer(answer: Answer): void {
  const { method, path, status, contentType, body } = answer;
  if (path.startsWith('/_local/')) return;
  if (isGatewayAnswer(status, contentType, body)) return;
  const key = routeOf(method, path);
  const where = `${method} ${path} → ${status}${key ? ` (route ${key})` : ''}`;
  if (!key) throw new ContractBroken(`${where}: no route of the blueprint matches, and it is no gateway answer`);
  const spec = documentation.routes[key];
  // As the OpenAPI document has it: the common problems of a protected route, only the 500 for a public one.
  const { commonProblems } = documentation;
  const common: Record<number, DocumentedResponse> =
    'public' in spec.access ? { 500: commonProblems[500] } : commonProblems;
  const documented: DocumentedResponse | undefined = spec.responses[status] ?? common[status];
  if (!documented) {
    const statuses = [...Object.keys(spec.responses), ...Object.keys(common)];
    throw new ContractBroken(
      `${where}: status ${status} is not documented for this route (documented: ${statuses.join(', ')}): ${JSON.stringify(body)}`,
    );
  }
  // A format the route also answers in besides JSON (CSV, HTML): text its schema does not describe.
  const format = contentType.split(';')[0]!.trim().toLowerCase();
  if (documented.formats?.includes(format)) {
    if (typeof body !== 'string') throw new ContractBroken(`${where}: a ${format} answer without a text body`);
    return;
  }
  const isProblem = documented.schema === problemSchema;
  if (isProblem !== /^application\/problem\+json\b/.test(contentType)) {
    throw new ContractBroken(
      `${where}: documented as ${isProblem ? 'problem+json' : 'a view'}, answered as ${contentType || 'no content type'}`,
    );
  }
  if (!documented.schema) return;
  const parsed = documented.schema.safeParse(body);
  if (!parsed.success) {
    throw new ContractBroken(
      `${where}: the body does not match its documented schema:\n${JSON.stringify(parsed.error.issues, null, 2)}\nbody: ${JSON.stringify(body)}`,
    );
  }
  const extra = undocumentedKeys(body, parsed.data);
  if (extra.length > 0) {
    throw new ContractBroken(`${where}: the body has fields its schema does not document: ${extra.join(', ')}`);
  }
}

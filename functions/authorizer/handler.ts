import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { env } from '../../shared/blueprint/resources.ts';
import { type RouteKey, routes } from '../../shared/blueprint/routes.ts';
import type { RouteSpec } from '../../shared/blueprint/types.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { type CallerContext, callerContext, passesRouteGate, portalScopes } from '../../shared/http/auth.ts';
import { logger } from '../../shared/observability.ts';
import { checkToken, staffKeySetUrl, type TokenCheckSettings } from '../../shared/security/tokens.ts';

type Answer = APIGatewaySimpleAuthorizerWithContextResult<CallerContext | Record<string, never>>;

let settings: TokenCheckSettings | undefined;
function tokenSettings(): TokenCheckSettings {
  if (settings) return settings;
  const ward = wardConfig();
  const issuer = process.env[env.staffIssuer];
  const clientId = process.env[env.staffClient];
  if (!issuer || !clientId) throw new Error(`${env.staffIssuer} and ${env.staffClient} must be set`);
  settings = {
    wardId: ward.id,
    portals: ward.portals.map((p) => ({ id: p.id, keys: p.keys?.keys ?? [], scopes: p.scopes ?? portalScopes })),
    staff: { issuer, clientId, jwksUrl: staffKeySetUrl(issuer) },
  };
  return settings;
}

const refuse = (): Answer => ({ isAuthorized: false, context: {} });

/**
 * The HTTP API's authorizer (payload 2.0, simple answers) on every protected route: verifies the bearer token
 * (shared/security/tokens.ts) and lets it through where the route's gate allows the caller, handing the functions
 * who the caller is. API Gateway caches the answer per token and route, so the gate can depend on the route.
 * A refused token is answered 403 by API Gateway; a missing Authorization header 401, before this runs.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<Answer> => {
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i.exec(event.headers?.authorization ?? '')?.[1];
  const route: RouteSpec | undefined = routes[event.routeKey as RouteKey];
  if (!token || !route) {
    logger.info('token refused', { routeKey: event.routeKey, reason: token ? 'unknown route' : 'not a bearer JWT' });
    return refuse();
  }
  const check = await checkToken(token, tokenSettings());
  if (!check.verified) {
    logger.info('token refused', { routeKey: event.routeKey, reason: check.reason });
    return refuse();
  }
  if (!passesRouteGate(check.principal, route.access)) {
    logger.info('token refused', { routeKey: event.routeKey, reason: 'no scope or role of the route' });
    return refuse();
  }
  return { isAuthorized: true, context: callerContext(check.principal, check.expiresAt) };
};

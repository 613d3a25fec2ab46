import { Forbidden, Unauthenticated } from '../domain/errors.ts';

export const staffRoles = ['officer', 'specialist', 'leader'] as const;
export type Role = (typeof staffRoles)[number];

/** Scopes of the resource server portals get tokens for, without its `motcua/` prefix. */
export const portalScopes = ['dossiers.submit', 'dossiers.read'] as const;
export type PortalScope = (typeof portalScopes)[number];
export const RESOURCE_SERVER_ID = 'motcua';

/**
 * The scope every staff access token carries: Cognito puts it in tokens from SRP sign-in, and in tokens of the
 * hosted UI's authorization-code flow when the staff app requests it (the staff client allows it). Portals'
 * client-credentials tokens can never carry it, so it tells staff routes from portal routes at the authorizer.
 */
export const STAFF_SCOPE = 'aws.cognito.signin.user.admin';

export type Access = { public: true } | { roles: readonly Role[]; scopes?: readonly PortalScope[] };
export const PUBLIC: Access = { public: true };

export type Principal =
  | { kind: 'staff'; userId: string; username: string; roles: Role[] }
  | { kind: 'portal'; portalId: string; clientId: string; scopes: PortalScope[] }
  | { kind: 'anonymous' };

/** Environment variable with the JSON map of portal app-client ids to portal ids. */
export const PORTAL_CLIENTS_ENV = 'MOTCUA_PORTAL_CLIENTS';
/** Environment variable with the staff app client's id: the only client whose tokens are staff. */
export const STAFF_CLIENT_ENV = 'MOTCUA_STAFF_CLIENT';

type Claims = Record<string, string | number | boolean | string[] | undefined>;

const ANONYMOUS: Principal = { kind: 'anonymous' };

/**
 * The scopes the API's JWT authorizer requires on a route (any one of them lets the token through): the staff
 * scope when a staff role may call it, the portal scopes (with the resource server prefix) it names. The stack
 * and the local gateway both configure routes from this.
 */
export function routeScopes(access: Access): string[] {
  if ('public' in access) return [];
  return [
    ...(access.roles.length > 0 ? [STAFF_SCOPE] : []),
    ...(access.scopes ?? []).map((s) => `${RESOURCE_SERVER_ID}/${s}`),
  ];
}

/**
 * API Gateway's JWT authorizer has already checked the signature, issuer, audience (client id), expiry and the
 * route's scopes; this reads who the caller is from the claims, trusting nothing else in them. Only access
 * tokens count (an ID token carries the same groups but was never meant for an API). The app client decides
 * the kind of caller: the staff app client's tokens are staff, a portal's client's are that portal's, any
 * other client is anonymous, whatever username or groups its token claims.
 */
export function principalFromClaims(
  claims: Claims | undefined,
  portalClients: Record<string, string>,
  staffClientId: string | undefined = process.env[STAFF_CLIENT_ENV],
): Principal {
  if (!claims || typeof claims.sub !== 'string' || claims.token_use !== 'access') return ANONYMOUS;
  const clientId = claims.client_id;
  if (typeof clientId !== 'string' || clientId === '') return ANONYMOUS;
  const scopes = listClaim(claims.scope);

  if (staffClientId && clientId === staffClientId) {
    // A staff-client token without the staff scope was not issued for this API (the authorizer refuses it too).
    if (!scopes.includes(STAFF_SCOPE)) return ANONYMOUS;
    const groups = listClaim(claims['cognito:groups']);
    return {
      kind: 'staff',
      userId: claims.sub,
      username: typeof claims.username === 'string' ? claims.username : claims.sub,
      roles: groups.filter((g): g is Role => (staffRoles as readonly string[]).includes(g)),
    };
  }

  // Own keys only: a client id such as "constructor" must not find something on Object's prototype.
  const portalId = Object.hasOwn(portalClients, clientId) ? portalClients[clientId] : undefined;
  if (typeof portalId !== 'string') return ANONYMOUS;
  const prefix = `${RESOURCE_SERVER_ID}/`;
  return {
    kind: 'portal',
    portalId,
    clientId,
    scopes: scopes
      .filter((s) => s.startsWith(prefix))
      .map((s) => s.slice(prefix.length))
      .filter((s): s is PortalScope => (portalScopes as readonly string[]).includes(s)),
  };
}

/**
 * A list claim: a JSON array, or a string as HTTP APIs hand arrays over ("[a b]") and as OAuth writes scopes
 * ("a b"). Items are separated by white space only: Cognito group names and scopes cannot contain any, but
 * they can contain commas, so "officer,leader" stays one (unknown) group.
 */
function listClaim(value: Claims[string]): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  const trimmed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return trimmed.split(/\s+/).filter(Boolean);
}

/** Throws unless the principal may use a route with this access rule. */
export function authorize(principal: Principal, access: Access): void {
  if ('public' in access) return;
  if (principal.kind === 'anonymous') throw new Unauthenticated('unauthenticated');
  const allowed =
    principal.kind === 'staff'
      ? principal.roles.some((r) => access.roles.includes(r))
      : principal.scopes.some((s) => access.scopes?.includes(s) ?? false);
  if (!allowed) throw new Forbidden('forbidden_route');
}

import { Forbidden, Unauthenticated } from '../domain/errors.ts';

export const staffRoles = ['officer', 'specialist', 'leader'] as const;
export type Role = (typeof staffRoles)[number];

/** What a portal may ask for in its tokens' `scope` claim. */
export const portalScopes = ['dossiers.submit', 'dossiers.read'] as const;
export type PortalScope = (typeof portalScopes)[number];

/**
 * The scope every staff access token carries: Cognito puts it in tokens from SRP sign-in, and in tokens of the
 * hosted UI's authorization-code flow when the staff app requests it (the staff client allows it). The authorizer
 * takes a staff app token only with it.
 */
export const STAFF_SCOPE = 'aws.cognito.signin.user.admin';

/** A portal token lives at most this long (`exp` − `iat`): long enough for a few calls, short enough to leak. */
export const PORTAL_TOKEN_MAX_SECONDS = 300;

/**
 * How long API Gateway keeps the authorizer's answer for one token on one route (the stack and the local gateway):
 * a token's first call on a route runs the authorizer, its later ones there within this do not. The functions
 * still refuse a token past its `exp`.
 */
export const AUTHORIZER_CACHE_SECONDS = 300;

/** The audience a portal token names: this ward's API, whatever its URL. */
export function portalTokenAudience(wardId: string): string {
  return `urn:motcua:ward:${wardId}`;
}

export type Access = { public: true } | { roles: readonly Role[]; scopes?: readonly PortalScope[] };
export const PUBLIC: Access = { public: true };

export type Principal =
  | { kind: 'staff'; userId: string; username: string; roles: Role[] }
  | { kind: 'portal'; portalId: string; scopes: PortalScope[] }
  | { kind: 'anonymous' };

/**
 * What the authorizer hands the functions about a caller whose token it verified (the `context` of its answer,
 * which API Gateway passes as `requestContext.authorizer.lambda`): strings and numbers only, lists space-separated.
 * `expiresAt` is the token's `exp`: API Gateway may reuse a cached answer for a while, the functions check it.
 */
export type CallerContext =
  | { kind: 'staff'; userId: string; username: string; roles: string; expiresAt: number; caller: string }
  | { kind: 'portal'; portalId: string; scopes: string; expiresAt: number; caller: string };

const ANONYMOUS: Principal = { kind: 'anonymous' };

/** The context of a verified caller, as the authorizer answers it. */
export function callerContext(principal: Exclude<Principal, { kind: 'anonymous' }>, expiresAt: number): CallerContext {
  return principal.kind === 'staff'
    ? {
        kind: 'staff',
        userId: principal.userId,
        username: principal.username,
        roles: principal.roles.join(' '),
        expiresAt,
        caller: `staff:${principal.userId}`,
      }
    : {
        kind: 'portal',
        portalId: principal.portalId,
        scopes: principal.scopes.join(' '),
        expiresAt,
        caller: `portal:${principal.portalId}`,
      };
}

/**
 * Who the caller is, from the context the authorizer gave (it verified the token; nothing else reaches here, as
 * public routes have no authorizer and a client cannot write the request context). Anonymous without one, or when
 * the token expired before the request arrived (a cached authorizer answer outliving it). Roles and scopes are
 * kept only when known.
 */
export function principalFromAuthorizer(context: unknown, requestTimeMs: number): Principal {
  if (!context || typeof context !== 'object') return ANONYMOUS;
  const c = context as Record<string, unknown>;
  if (typeof c.expiresAt !== 'number' || c.expiresAt * 1000 <= requestTimeMs) return ANONYMOUS;
  if (c.kind === 'staff' && typeof c.userId === 'string' && typeof c.username === 'string') {
    return {
      kind: 'staff',
      userId: c.userId,
      username: c.username,
      roles: listOf(c.roles).filter((r): r is Role => (staffRoles as readonly string[]).includes(r)),
    };
  }
  if (c.kind === 'portal' && typeof c.portalId === 'string' && c.portalId !== '') {
    return {
      kind: 'portal',
      portalId: c.portalId,
      scopes: listOf(c.scopes).filter((s): s is PortalScope => (portalScopes as readonly string[]).includes(s)),
    };
  }
  return ANONYMOUS;
}

/** A space-separated list (group names and scopes contain no white space, but may contain commas). */
function listOf(value: unknown): string[] {
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
}

/**
 * The gate the authorizer keeps on a protected route, before any function runs: staff pass where a staff role may
 * call (the function checks which role), a portal where one of its scopes is the route's. The functions check
 * roles and scopes again (`authorize`).
 */
export function passesRouteGate(principal: Principal, access: Access): boolean {
  if ('public' in access) return true;
  if (principal.kind === 'staff') return access.roles.length > 0;
  if (principal.kind === 'portal') return principal.scopes.some((s) => access.scopes?.includes(s) ?? false);
  return false;
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

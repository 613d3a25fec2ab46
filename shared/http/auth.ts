import { Forbidden, Unauthenticated } from '../domain/errors.ts';

export const staffRoles = ['officer', 'specialist', 'leader'] as const;
export type Role = (typeof staffRoles)[number];

/** Scopes of the resource server portals get tokens for, without its `motcua/` prefix. */
export const portalScopes = ['dossiers.submit', 'dossiers.read'] as const;
export type PortalScope = (typeof portalScopes)[number];
export const RESOURCE_SERVER_ID = 'motcua';

export type Access = { public: true } | { roles: readonly Role[]; scopes?: readonly PortalScope[] };
export const PUBLIC: Access = { public: true };

export type Principal =
  | { kind: 'staff'; userId: string; username: string; roles: Role[] }
  | { kind: 'portal'; portalId: string; clientId: string; scopes: PortalScope[] }
  | { kind: 'anonymous' };

/** Environment variable with the JSON map of portal app-client ids to portal ids. */
export const PORTAL_CLIENTS_ENV = 'MOTCUA_PORTAL_CLIENTS';

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * API Gateway's JWT authorizer has already checked the signature, issuer, audience and expiry; this reads
 * who the caller is from the claims. HTTP APIs hand array claims over as "[a b]" strings.
 */
export function principalFromClaims(claims: Claims | undefined, portalClients: Record<string, string>): Principal {
  if (!claims || typeof claims.sub !== 'string') return { kind: 'anonymous' };
  const groups = listClaim(claims['cognito:groups']);
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : undefined;
  if (typeof claims.username === 'string' || groups.length > 0) {
    return {
      kind: 'staff',
      userId: claims.sub,
      username: typeof claims.username === 'string' ? claims.username : claims.sub,
      roles: groups.filter((g): g is Role => (staffRoles as readonly string[]).includes(g)),
    };
  }
  const portalId = clientId === undefined ? undefined : portalClients[clientId];
  if (clientId === undefined || portalId === undefined) return { kind: 'anonymous' };
  const prefix = `${RESOURCE_SERVER_ID}/`;
  const scopes = listClaim(claims.scope)
    .filter((s) => s.startsWith(prefix))
    .map((s) => s.slice(prefix.length))
    .filter((s): s is PortalScope => (portalScopes as readonly string[]).includes(s));
  return { kind: 'portal', portalId, clientId, scopes };
}

function listClaim(value: Claims[string]): string[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [];
  const trimmed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return trimmed.split(/[\s,]+/).filter(Boolean);
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

/**
 * Who a bearer token says the caller is, verified: a staff access token of the ward's Cognito user pool, or a
 * token a portal signed with one of the keys the ward configuration registers for it. The authorizer function
 * runs this on every protected request (its answers cached by API Gateway); nothing here trusts a claim before the
 * signature over it is checked, and the key that checks it is chosen by the portal's own key set only.
 */
import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import {
  PORTAL_TOKEN_MAX_SECONDS,
  type PortalScope,
  type Principal,
  portalScopes,
  portalTokenAudience,
  type Role,
  STAFF_SCOPE,
  staffRoles,
} from '../http/auth.ts';

/** Clock difference tolerated between a portal's clock and ours. */
const CLOCK_TOLERANCE_SECONDS = 30;

export interface PortalKeys {
  id: string;
  keys: readonly (JWK & { kid: string; alg: 'ES256' | 'RS256' })[];
  /** What the portal may do; its tokens may ask for less. */
  scopes: readonly PortalScope[];
}

export interface TokenCheckSettings {
  /** This ward's id: portal tokens name `urn:motcua:ward:<id>` as their audience. */
  wardId: string;
  portals: readonly PortalKeys[];
  /** The user pool's issuer (https://cognito-idp.<region>.amazonaws.com/<pool id>) and the staff app client. */
  staff: { issuer: string; clientId: string; jwksUrl: URL };
}

export type TokenCheck =
  | { verified: true; principal: Exclude<Principal, { kind: 'anonymous' }>; expiresAt: number }
  | { verified: false; reason: string };

const refused = (reason: string): TokenCheck => ({ verified: false, reason });

/**
 * Checks a bearer token. A refusal says why in words fit for a log line (never the token). A failure to reach
 * the user pool's key set is not a refusal: it throws, so the request fails (and alarms) rather than looks
 * unauthorised.
 */
export async function checkToken(token: string, settings: TokenCheckSettings): Promise<TokenCheck> {
  let issuer: unknown;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
    issuer = decodeJwt(token).iss;
  } catch {
    return refused('not a signed JWT');
  }
  // Only the issuer picks how to check: nothing else of the unverified token is believed.
  if (issuer === settings.staff.issuer) return checkStaffToken(token, settings.staff);
  const portal = settings.portals.find((p) => p.id === issuer);
  if (!portal) return refused('unknown issuer');
  const key = portal.keys.find((k) => k.kid === header.kid);
  if (!key) return refused(`no key ${JSON.stringify(header.kid ?? null)} registered for portal ${portal.id}`);
  try {
    const { payload } = await jwtVerify(token, await importKey(key), {
      // The algorithm is the key's own, never the token's choice: no "none", no HS256 keyed with a public key.
      algorithms: [key.alg],
      issuer: portal.id,
      subject: portal.id,
      audience: portalTokenAudience(settings.wardId),
      requiredClaims: ['exp', 'iat'],
      maxTokenAge: PORTAL_TOKEN_MAX_SECONDS + CLOCK_TOLERANCE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if (payload.exp! - payload.iat! > PORTAL_TOKEN_MAX_SECONDS)
      return refused(`lives longer than ${PORTAL_TOKEN_MAX_SECONDS} s`);
    const asked = scopesOf(payload);
    return {
      verified: true,
      principal: {
        kind: 'portal',
        portalId: portal.id,
        scopes: portalScopes.filter((s) => asked.includes(s) && portal.scopes.includes(s)),
      },
      expiresAt: payload.exp!,
    };
  } catch (error) {
    if (error instanceof errors.JOSEError) return refused(error.code);
    throw error;
  }
}

async function checkStaffToken(token: string, staff: TokenCheckSettings['staff']): Promise<TokenCheck> {
  try {
    // Cognito signs with RS256; its access tokens carry no audience but the app client's id.
    const { payload } = await jwtVerify(token, staffKeySet(staff.jwksUrl), {
      algorithms: ['RS256'],
      issuer: staff.issuer,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    // Access tokens of the staff app only: an ID token carries the same groups but was never meant for an API.
    if (payload.token_use !== 'access') return refused('not an access token');
    if (payload.client_id !== staff.clientId) return refused('not the staff app client');
    if (!scopesOf(payload).includes(STAFF_SCOPE)) return refused('no staff scope');
    const groups = payload['cognito:groups'];
    const roles = (Array.isArray(groups) ? groups : []).filter((g): g is Role =>
      (staffRoles as readonly unknown[]).includes(g),
    );
    return {
      verified: true,
      principal: {
        kind: 'staff',
        userId: payload.sub!,
        username: typeof payload.username === 'string' ? payload.username : payload.sub!,
        roles,
      },
      expiresAt: payload.exp!,
    };
  } catch (error) {
    // The key set could not be fetched: a fault of ours, not the caller's.
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) throw error;
    if (error instanceof errors.JOSEError) return refused(error.code);
    throw error;
  }
}

/** Scopes are one space-separated string (RFC 8693, as Cognito writes them). */
function scopesOf(payload: JWTPayload): string[] {
  return typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
}

// Imported once per key and warm process; the user pool's key set is fetched once and refreshed by jose.
const portalKeys = new Map<string, Promise<CryptoKey | Uint8Array>>();
function importKey(key: PortalKeys['keys'][number]): Promise<CryptoKey | Uint8Array> {
  const id = JSON.stringify(key);
  let imported = portalKeys.get(id);
  if (!imported) {
    imported = importJWK(key, key.alg);
    portalKeys.set(id, imported);
  }
  return imported;
}

const staffKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function staffKeySet(url: URL): ReturnType<typeof createRemoteJWKSet> {
  let set = staffKeySets.get(url.href);
  if (!set) {
    set = createRemoteJWKSet(url, { timeoutDuration: 3000 });
    staffKeySets.set(url.href, set);
  }
  return set;
}

/**
 * Where the user pool publishes its signing keys: `<issuer>/.well-known/jwks.json`, or, where the SDK's endpoint
 * variable for Cognito user pools points elsewhere (the local runner's issuer), the same path there.
 */
export function staffKeySetUrl(issuer: string, endpoint = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER): URL {
  const path = `${new URL(issuer).pathname.replace(/\/$/, '')}/.well-known/jwks.json`;
  return endpoint ? new URL(path, endpoint) : new URL(`${issuer.replace(/\/$/, '')}/.well-known/jwks.json`);
}

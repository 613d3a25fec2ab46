import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import {
  type PortalScope,
  portalScopes,
  RESOURCE_SERVER_ID,
  type Role,
  STAFF_SCOPE,
  staffRoles,
} from '../shared/http/auth.ts';
import { privateDir, writeSecretFile } from './files.ts';

/** The app client id staff tokens carry locally; in AWS it is the staff app client of the user pool. */
export const LOCAL_STAFF_CLIENT = 'local-staff';

export type TokenRequest = { role: Role | Role[]; username?: string } | { portal: string; scopes?: PortalScope[] };

export interface LocalIssuer {
  issuer: string;
  /** App client ids accepted as audience: the staff client and one per portal (API Gateway checks client_id). */
  audience: string[];
  mint(request: TokenRequest, ttlSeconds?: number): Promise<string>;
  /** Claims as API Gateway's JWT authorizer hands them over, or undefined for a token it would refuse. */
  verify(token: string): Promise<Record<string, string> | undefined>;
}

/**
 * Stands in for Cognito: mints access tokens shaped like Cognito's (groups for staff, client-credentials
 * scopes for portals) and verifies them as the HTTP API's JWT authorizer does. The signing key lives in the
 * data folder so tokens survive a restart.
 */
export async function localIssuer(options: {
  issuer: string;
  portals: string[];
  keyFile?: string | undefined;
}): Promise<LocalIssuer> {
  const { privateKey, publicKey } = await signingKeys(options.keyFile);
  const audience = [LOCAL_STAFF_CLIENT, ...options.portals];
  return {
    issuer: options.issuer,
    audience,
    async mint(request, ttlSeconds = 8 * 3600) {
      const now = Math.floor(Date.now() / 1000);
      let claims: Record<string, unknown>;
      if ('role' in request) {
        const roles = Array.isArray(request.role) ? request.role : [request.role];
        for (const role of roles) if (!staffRoles.includes(role)) throw new Error(`unknown role ${role}`);
        const username = request.username ?? `${roles[0]}.local`;
        claims = {
          sub: `local-${username}`,
          username,
          'cognito:groups': roles,
          client_id: LOCAL_STAFF_CLIENT,
          token_use: 'access',
          // What Cognito puts in an SRP sign-in's access token, and what staff routes require.
          scope: STAFF_SCOPE,
        };
      } else {
        if (!options.portals.includes(request.portal)) throw new Error(`unknown portal ${request.portal}`);
        const scopes = request.scopes ?? [...portalScopes];
        claims = {
          sub: request.portal,
          client_id: request.portal,
          token_use: 'access',
          scope: scopes.map((s) => `${RESOURCE_SERVER_ID}/${s}`).join(' '),
        };
      }
      return new SignJWT({ ...claims, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'local' })
        .setIssuer(options.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: options.issuer });
        const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
        const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
        if (!audience.some((a) => a === clientId || aud.includes(a))) return undefined;
        // HTTP APIs pass every claim as a string, arrays as "[a b]".
        return Object.fromEntries(
          Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
        );
      } catch {
        return undefined;
      }
    },
  };
}

async function signingKeys(keyFile: string | undefined): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  if (keyFile && existsSync(keyFile)) {
    chmodSync(keyFile, 0o600);
    const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
    const { d: _private, ...publicJwk } = jwk;
    return {
      privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey,
      publicKey: (await importJWK(publicJwk, 'ES256')) as CryptoKey,
    };
  }
  const pair = await generateKeyPair('ES256', { extractable: true });
  if (keyFile) {
    privateDir(dirname(keyFile));
    writeSecretFile(keyFile, JSON.stringify(await exportJWK(pair.privateKey)));
  }
  return pair;
}

import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { WardConfig } from '../shared/config/ward.ts';
import {
  PORTAL_TOKEN_MAX_SECONDS,
  type PortalScope,
  portalScopes,
  portalTokenAudience,
  type Role,
  STAFF_SCOPE,
  staffRoles,
} from '../shared/http/auth.ts';
import { privateDir, writeSecretFile } from './files.ts';

/** The app client id staff tokens carry locally; in AWS it is the staff app client of the user pool. */
export const LOCAL_STAFF_CLIENT = 'local-staff';

export type TokenRequest = { role: Role | Role[]; username?: string } | { portal: string; scopes?: PortalScope[] };

export interface LocalIssuer {
  /** The `iss` of staff tokens, standing for the user pool's. */
  issuer: string;
  clientId: string;
  /**
   * Where the staff tokens' signing keys are published (`<issuer path>/.well-known/jwks.json`), as the user pool
   * publishes its own: the authorizer reads them here through the SDK's endpoint variable for Cognito user pools.
   */
  endpoint: string;
  /** The ward as the local runner serves it: each portal with the key this issuer signs its tokens with. */
  register(ward: WardConfig): WardConfig;
  /** A staff access token shaped like Cognito's, or a portal's token signed as a portal signs its own. */
  mint(request: TokenRequest, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK & { kid: string };
}

/**
 * Stands in for Cognito and for the portals: mints staff access tokens as the user pool does (RS256, groups,
 * the staff app client) and publishes their key set over HTTP; holds a signing key for each portal and mints
 * the tokens a portal would sign (ES256, `iss` and `sub` its id, the ward's audience, five minutes at most).
 * The staff key lives in the data folder so staff tokens survive a restart; portal keys are made at each start.
 */
export async function localIssuer(options: {
  issuer: string;
  ward: WardConfig;
  keyFile?: string | undefined;
}): Promise<LocalIssuer> {
  const staff = await staffKey(options.keyFile);
  const portals = new Map<string, KeyPair>();
  for (const portal of options.ward.portals) portals.set(portal.id, await newKey('ES256', `local-${portal.id}`));

  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url?.endsWith('/.well-known/jwks.json')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [staff.publicJwk] }));
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    issuer: options.issuer,
    clientId: LOCAL_STAFF_CLIENT,
    endpoint: `http://127.0.0.1:${port}`,
    register: (ward) => ({
      ...ward,
      portals: ward.portals.map((portal) => {
        const local = portals.get(portal.id)?.publicJwk;
        if (!local) return portal;
        const key = { ...local, alg: 'ES256', kid: local.kid } as NonNullable<typeof portal.keys>['keys'][number];
        return { ...portal, keys: { keys: [...(portal.keys?.keys ?? []), key] } };
      }),
    }),
    async mint(request, ttlSeconds) {
      const now = Math.floor(Date.now() / 1000);
      if ('role' in request) {
        const roles = Array.isArray(request.role) ? request.role : [request.role];
        for (const role of roles) if (!staffRoles.includes(role)) throw new Error(`unknown role ${role}`);
        const username = request.username ?? `${roles[0]}.local`;
        return new SignJWT({
          username,
          'cognito:groups': roles,
          client_id: LOCAL_STAFF_CLIENT,
          token_use: 'access',
          // What Cognito puts in an SRP sign-in's access token, and what the authorizer requires of staff.
          scope: STAFF_SCOPE,
          jti: randomUUID(),
        })
          .setProtectedHeader({ alg: 'RS256', kid: staff.publicJwk.kid })
          .setIssuer(options.issuer)
          .setSubject(`local-${username}`)
          .setIssuedAt(now)
          .setExpirationTime(now + (ttlSeconds ?? 8 * 3600))
          .sign(staff.privateKey);
      }
      const key = portals.get(request.portal);
      if (!key) throw new Error(`unknown portal ${request.portal}`);
      return new SignJWT({ scope: (request.scopes ?? [...portalScopes]).join(' '), jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid, typ: 'JWT' })
        .setIssuer(request.portal)
        .setSubject(request.portal)
        .setAudience(portalTokenAudience(options.ward.id))
        .setIssuedAt(now)
        .setExpirationTime(now + (ttlSeconds ?? PORTAL_TOKEN_MAX_SECONDS))
        .sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function newKey(alg: 'ES256' | 'RS256', kid: string): Promise<KeyPair & { privateJwk: JWK }> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return {
    privateKey: pair.privateKey,
    privateJwk: await exportJWK(pair.privateKey),
    publicJwk: { ...(await exportJWK(pair.publicKey)), alg, kid, use: 'sig' },
  };
}

/** The staff signing key: RS256 as Cognito's; a key file of another kind (an older runner's) is replaced. */
async function staffKey(keyFile: string | undefined): Promise<KeyPair> {
  if (keyFile && existsSync(keyFile)) {
    chmodSync(keyFile, 0o600);
    const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
    if (jwk.kty === 'RSA' && jwk.d) {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
      return {
        privateKey: (await importJWK(jwk, 'RS256')) as CryptoKey,
        publicJwk: { ...publicJwk, alg: 'RS256', kid: 'local-staff', use: 'sig' },
      };
    }
  }
  const key = await newKey('RS256', 'local-staff');
  if (keyFile) {
    privateDir(dirname(keyFile));
    writeSecretFile(keyFile, JSON.stringify(key.privateJwk));
  }
  return key;
}

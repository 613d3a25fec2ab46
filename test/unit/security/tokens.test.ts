import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_SCOPE } from '../../../shared/http/auth.ts';
import { checkToken, staffKeySetUrl, type TokenCheckSettings } from '../../../shared/security/tokens.ts';

/*
 * Staff tokens as the user pool issues them, checked against its key set fetched over HTTP (a server on this
 * machine stands for cognito-idp). Portal tokens are tried through the gateway in test/integration/portal-tokens.
 */
const ISSUER = 'https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_Test';
let server: Server;
let pool: { privateKey: CryptoKey; publicJwk: JWK };
let settings: TokenCheckSettings;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  pool = { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: 'pool-1', alg: 'RS256', use: 'sig' } };
  server = createServer((request, response) => {
    if (request.url === '/ap-southeast-1_Test/.well-known/jwks.json')
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [pool.publicJwk] }));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  settings = {
    wardId: 'sample',
    portals: [],
    staff: { issuer: ISSUER, clientId: 'staffapp', jwksUrl: staffKeySetUrl(ISSUER, endpoint) },
  };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** An access token of the staff app, as Cognito issues one after an SRP sign-in. */
function staffToken(claims: Record<string, unknown> = {}, options: { kid?: string; key?: CryptoKey } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_use: 'access',
    client_id: 'staffapp',
    username: 'lan',
    'cognito:groups': ['officer', 'leader'],
    scope: STAFF_SCOPE,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'pool-1' })
    .setIssuer(ISSUER)
    .setSubject('u1')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(options.key ?? pool.privateKey);
}

describe('a staff token', () => {
  it('is an access token of the staff app, its roles from the groups', async () => {
    expect(await checkToken(await staffToken(), settings)).toEqual({
      verified: true,
      principal: { kind: 'staff', userId: 'u1', username: 'lan', roles: ['officer', 'leader'] },
      expiresAt: expect.any(Number),
    });
  });

  it('keeps only known groups, and never splits one on commas', async () => {
    const check = await checkToken(await staffToken({ 'cognito:groups': ['officer,leader', 'specialist'] }), settings);
    expect(check).toMatchObject({ principal: { roles: ['specialist'] } });
  });

  it.each([
    ['an ID token, with the same groups', { token_use: 'id' }],
    ['no token_use', { token_use: undefined }],
    ['another app client of the pool', { client_id: 'otherapp' }],
    ['no staff scope', { scope: 'openid' }],
  ])('is refused when it is %s', async (_, claims) => {
    expect(await checkToken(await staffToken(claims), settings)).toMatchObject({ verified: false });
  });

  it('is refused when not signed by the pool’s key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expect(await checkToken(await staffToken({}, { key: privateKey }), settings)).toMatchObject({ verified: false });
    expect(await checkToken(await staffToken({}, { key: privateKey, kid: 'other' }), settings)).toMatchObject({
      verified: false,
    });
  });

  it('makes a failure to fetch the pool’s keys an error, not a refusal', async () => {
    const unreachable = { ...settings, staff: { ...settings.staff, jwksUrl: new URL('http://127.0.0.1:9/jwks.json') } };
    await expect(checkToken(await staffToken(), unreachable)).rejects.toThrow();
  });
});

describe('where the pool’s keys are', () => {
  it('is under the issuer, or under the Cognito endpoint the SDK variable names', () => {
    expect(staffKeySetUrl(ISSUER, undefined).href).toBe(`${ISSUER}/.well-known/jwks.json`);
    expect(staffKeySetUrl(ISSUER, 'http://127.0.0.1:4000').href).toBe(
      'http://127.0.0.1:4000/ap-southeast-1_Test/.well-known/jwks.json',
    );
  });
});

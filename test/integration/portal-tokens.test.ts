import { createHmac, createPublicKey } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardConfig } from '../../shared/config/ward.ts';
import { portalTokenAudience } from '../../shared/http/auth.ts';
import { birthRegistration, idempotent } from '../support/fixtures.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Portals as an integrator builds one: each signs its own tokens with a private key whose public half the ward
 * configuration registers (README, "Portal integration"). Every request goes through the local gateway and the
 * blueprint's authorizer function, as through the stack's HTTP API. The registered keys here are the test's own.
 */

type Pair = { privateKey: CryptoKey; publicJwk: JWK };
const pair = async (alg: 'ES256' | 'RS256', kid: string): Promise<Pair> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), alg, kid, use: 'sig' } };
};

/** The portal's key set as the ward configuration registers it. */
const registered = (...pairs: Pair[]) =>
  ({ keys: pairs.map((p) => p.publicJwk) }) as NonNullable<WardConfig['portals'][number]['keys']>;

let ward: TestWard;
let dvcqg: Pair;
let tinh: Pair;
let stranger: Pair;
let code: string;

beforeAll(async () => {
  dvcqg = await pair('ES256', 'dvcqg-test');
  tinh = await pair('RS256', 'tinh-test');
  stranger = await pair('ES256', 'dvcqg-test');
  ward = await startTestWard((w) => ({
    ...w,
    portals: [
      ...w.portals.map((p) => (p.id === 'dvcqg' ? { ...p, keys: registered(dvcqg) } : p)),
      // A portal that may only read.
      { id: 'dvc-tinh', name: 'Cổng Dịch vụ công tỉnh', scopes: ['dossiers.read'], keys: registered(tinh) },
    ],
  }));
  const filed = await ward.api.post('/dossiers', birthRegistration(), {
    headers: { ...idempotent(), authorization: `Bearer ${await sign()}` },
  });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  code = filed.body.code;
});
afterAll(async () => {
  await ward?.stop();
});

interface Token {
  key?: Pair;
  alg?: string;
  kid?: string;
  iss?: string;
  sub?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  scope?: string;
}

/** A portal token as the README shows how to sign one: dvcqg's, valid for five minutes, unless told otherwise. */
async function sign(t: Token = {}): Promise<string> {
  const key = t.key ?? dvcqg;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: t.scope ?? 'dossiers.submit dossiers.read' })
    .setProtectedHeader({ alg: t.alg ?? key.publicJwk.alg!, kid: t.kid ?? key.publicJwk.kid!, typ: 'JWT' })
    .setIssuer(t.iss ?? 'dvcqg')
    .setSubject(t.sub ?? t.iss ?? 'dvcqg')
    .setAudience(t.aud ?? portalTokenAudience('sample'))
    .setIssuedAt(t.iat ?? now)
    .setExpirationTime(t.exp ?? (t.iat ?? now) + 300)
    .sign(key.privateKey);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = () => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'dvcqg',
    sub: 'dvcqg',
    aud: portalTokenAudience('sample'),
    iat: now,
    exp: now + 300,
    scope: 'dossiers.read',
  };
};
const list = (token: string) => ward.api.get('/dossiers', { headers: { authorization: `Bearer ${token}` } });

describe('a portal’s own token', () => {
  it('files and reads for that portal: ES256 or RS256, with the registered key its kid names', async () => {
    const mine = await list(await sign());
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((d: { code: string }) => d.code)).toContain(code);
    const read = await list(await sign({ key: tinh, iss: 'dvc-tinh', scope: 'dossiers.read' }));
    expect(read.status).toBe(200);
    // Each portal acts only for itself: the other portal's dossier does not exist for it.
    expect(read.body.items).toEqual([]);
    const other = await ward.api.get(`/dossiers/${code}`, {
      headers: { authorization: `Bearer ${await sign({ key: tinh, iss: 'dvc-tinh' })}` },
    });
    expect(other.status).toBe(404);
  });

  it.each([
    ['signed by a key that is not the registered one, under its kid', () => sign({ key: stranger })],
    ['expired', () => sign({ iat: Math.floor(Date.now() / 1000) - 900, exp: Math.floor(Date.now() / 1000) - 600 })],
    ['for another ward', () => sign({ aud: portalTokenAudience('phuong-khac') })],
    ['for no audience', () => sign({ aud: '' })],
    ['naming another portal’s kid, signed with that portal’s key', () => sign({ key: tinh, iss: 'dvcqg' })],
    ['of one portal for another (sub ≠ iss)', () => sign({ sub: 'dvc-tinh' })],
    ['of a portal the ward does not know', () => sign({ iss: 'dvc-la' })],
    ['living longer than five minutes', () => sign({ exp: Math.floor(Date.now() / 1000) + 3600 })],
    ['issued in the future', () => sign({ iat: Math.floor(Date.now() / 1000) + 600 })],
    ['claiming the staff issuer', () => sign({ iss: ward.issuer.issuer, kid: 'local-staff' })],
  ])('is refused (403) when %s', async (_, token) => {
    const response = await list(await token());
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ message: 'Forbidden' });
  });

  it('is refused with alg "none", and with HS256 keyed by the portal’s public key', async () => {
    const header = (alg: string) => b64({ alg, kid: 'dvcqg-test', typ: 'JWT' });
    const none = `${header('none')}.${b64(claims())}.`;
    const input = `${header('HS256')}.${b64(claims())}`;
    // Every form of the public key an attacker might try as the HMAC secret.
    const publicPem = createPublicKey({ key: dvcqg.publicJwk as never, format: 'jwk' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
    for (const secret of [JSON.stringify(dvcqg.publicJwk), dvcqg.publicJwk.x!, publicPem]) {
      const hs256 = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      expect((await list(hs256)).status).toBe(403);
    }
    expect((await list(none)).status).toBe(403);
  });

  it('does only what the ward lets the portal do, whatever scopes it asks for', async () => {
    const greedy = await sign({ key: tinh, iss: 'dvc-tinh', scope: 'dossiers.submit dossiers.read' });
    expect((await list(greedy)).status).toBe(200);
    const filing = await ward.api.post('/dossiers', birthRegistration(), {
      headers: { ...idempotent(), authorization: `Bearer ${greedy}` },
    });
    expect(filing.status).toBe(403);
  });

  it('passes each route’s gate on its own: a cached answer for one route is never another’s', async () => {
    const readOnly = await sign({ scope: 'dossiers.read' });
    expect((await list(readOnly)).status).toBe(200);
    // The same token again, now where its scope does not reach: the authorizer's answer for GET /dossiers is cached.
    const filing = await ward.api.post('/dossiers', birthRegistration(), {
      headers: { ...idempotent(), authorization: `Bearer ${readOnly}` },
    });
    expect(filing.status).toBe(403);
    expect((await list(readOnly)).status).toBe(200);
  });

  it('is needed: no Authorization header is a 401 before anything runs', async () => {
    const response = await ward.api.get('/dossiers');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthorized' });
  });
});

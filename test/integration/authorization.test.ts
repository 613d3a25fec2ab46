import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { routes } from '../../shared/blueprint.ts';
import { birthRegistration, idempotent } from '../support/fixtures.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

const callers: Record<string, TokenRequest | undefined> = {
  anonymous: undefined,
  officer: { role: 'officer' },
  specialist: { role: 'specialist' },
  leader: { role: 'leader' },
  'portal:submit': { portal: 'dvcqg', scopes: ['dossiers.submit'] },
  'portal:read': { portal: 'dvcqg', scopes: ['dossiers.read'] },
};
type Caller = keyof typeof callers;
const everyone = Object.keys(callers) as Caller[];
const staff: Caller[] = ['officer', 'specialist', 'leader'];

/** Who may use each route; everyone else gets 403, or 401 without a token. Written out, not read from the blueprint. */
const allowed: Record<keyof typeof routes, Caller[]> = {
  'GET /health': everyone,
  'GET /openapi.json': everyone,
  'GET /procedures': everyone,
  'GET /procedures/{code}': everyone,
  'GET /public/dossiers/{code}': everyone,
  'POST /dossiers': ['officer', 'portal:submit'],
  'GET /dossiers': [...staff, 'portal:read'],
  'GET /dossiers/{code}': [...staff, 'portal:read'],
  'GET /dossiers/{code}/history': [...staff, 'portal:read'],
  'POST /dossiers/{code}/actions': [...staff, 'portal:submit'],
  'POST /dossiers/{code}/components/{component}/upload-url': ['officer', 'specialist', 'portal:submit'],
  'GET /alerts': staff,
  'GET /reports': ['officer', 'leader'],
};

let ward: TestWard;
let code: string;
beforeAll(async () => {
  ward = await startTestWard();
  const filed = await ward.api.post('/dossiers', birthRegistration(), { as: { portal: 'dvcqg' }, headers: idempotent() });
  code = filed.body.code;
});
afterAll(async () => {
  await ward?.stop();
});

describe('the authorization matrix', () => {
  it('covers every route of the blueprint', () => {
    expect(Object.keys(allowed).sort()).toEqual(Object.keys(routes).sort());
  });

  const cases = Object.entries(allowed).flatMap(([route, who]) => everyone.map((caller) => [route, caller, who.includes(caller)] as const));
  it.each(cases)('%s as %s: allowed %s', async (route, caller, isAllowed) => {
    const [method, template] = route.split(' ') as [string, string];
    const path = template.replace('{code}', route.includes('procedures') ? '1.001193' : code).replace('{component}', 'TK') + (route === 'GET /public/dossiers/{code}' ? '?pin=00000000' : route === 'GET /reports' ? '?from=2026-01-01&to=2026-03-31' : '');
    const as = callers[caller];
    // POST bodies are empty objects: an allowed caller gets past authorization to a 400 on the body.
    const response = await ward.api.request(method, path, { ...(as ? { as } : {}), ...(method === 'POST' ? { body: {} } : {}) });
    if (isAllowed) {
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
    } else {
      expect(response.status).toBe(caller === 'anonymous' ? 401 : 403);
    }
  });
});

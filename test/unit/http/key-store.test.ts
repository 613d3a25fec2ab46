import { describe, expect, it, vi } from 'vitest';

// Counts the evaluations of the key store (the module and its AWS client); the module itself is the real one.
const evaluated = vi.hoisted(() => ({ keyStore: 0 }));
vi.mock('../../../shared/security/secrets.ts', async (actual) => {
  evaluated.keyStore += 1;
  return await actual();
});

describe('the HTTP stack’s key store', () => {
  it('is never evaluated by a function that reads no key, and is by one that does, at its init', async () => {
    const { httpFunction } = await import('../../../shared/http/handler.ts');
    httpFunction('health', { 'GET /health': async () => ({ status: 204 }) });
    httpFunction('catalog', {
      'GET /procedures': async () => ({ status: 204 }),
      'GET /procedures/{code}': async () => ({ status: 204 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(evaluated.keyStore).toBe(0);

    httpFunction('public-lookup', { 'GET /public/dossiers/{code}': async () => ({ status: 204 }) });
    await vi.waitFor(() => expect(evaluated.keyStore).toBe(1));
  });
});

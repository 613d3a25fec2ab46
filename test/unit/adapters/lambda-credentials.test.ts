import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../../shared/adapters/lambda-credentials.ts';

/** The provider bundled in place of the SDK's default chain reads Lambda's credentials from the environment. */
describe('the functions’ credential provider', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('gives the role credentials Lambda puts in the environment, read once', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    const provider = defaultProvider();
    expect(await provider()).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAOTHER');
    expect((await provider()).accessKeyId).toBe('ASIAEXAMPLE');
  });

  it('reads them again when they are about to expire, and after a failure', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    const provider = defaultProvider();
    await expect(provider()).rejects.toThrow();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAFIRST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_CREDENTIAL_EXPIRATION', new Date(Date.now() + 60_000).toISOString());
    expect((await provider()).accessKeyId).toBe('ASIAFIRST');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIASECOND');
    vi.stubEnv('AWS_CREDENTIAL_EXPIRATION', new Date(Date.now() + 3_600_000).toISOString());
    expect((await provider()).accessKeyId).toBe('ASIASECOND');
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ParameterStoreError, secureParameter, signedHeaders } from '../../../shared/adapters/parameter-store.ts';
import { type ParameterStore, startParameterStore } from '../../support/parameter-store.ts';

describe('the ward key read (one signed GetParameter)', () => {
  let store: ParameterStore;
  const saved = { ...process.env };
  beforeAll(async () => {
    store = await startParameterStore();
  });
  afterAll(() => store.close());
  afterEach(() => {
    process.env = { ...saved };
  });
  const environment = (extra: Record<string, string> = {}) => {
    process.env.AWS_REGION = 'ap-southeast-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    process.env.AWS_ENDPOINT_URL_SSM = store.endpoint;
    Object.assign(process.env, extra);
  };

  it('reads a SecureString decrypted, signed for SSM with the environment’s credentials', async () => {
    environment();
    store.parameters.set('/motcua/sample/ward-key', { value: 'k'.repeat(43), type: 'SecureString', tier: 'Standard' });
    expect(await secureParameter('/motcua/sample/ward-key')).toBe('k'.repeat(43));
    expect(store.calls.at(-1)).toEqual({
      operation: 'GetParameter',
      input: { Name: '/motcua/sample/ward-key', WithDecryption: true },
    });
  });

  it('names the error SSM answers, as the SDK would', async () => {
    environment();
    const read = secureParameter('/motcua/sample/missing');
    await expect(read).rejects.toBeInstanceOf(ParameterStoreError);
    await expect(read).rejects.toMatchObject({ name: 'ParameterNotFound', status: 400 });
  });

  it('refuses to send anything without credentials in the environment', async () => {
    environment();
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const before = store.calls.length;
    await expect(secureParameter('/motcua/sample/ward-key')).rejects.toThrow(/credentials/);
    expect(store.calls.length).toBe(before);
  });

  it('signs the session token, the target and the body', async () => {
    const url = new URL('https://ssm.ap-southeast-1.amazonaws.com/');
    const scope = { region: 'ap-southeast-1', service: 'ssm' };
    const credentials = { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'token+/=' };
    const body = JSON.stringify({ Name: '/motcua/sample/ward-key', WithDecryption: true });
    const headers = await signedHeaders(url, 'AmazonSSM.GetParameter', body, scope, credentials);
    expect(headers['x-amz-security-token']).toBe('token+/=');
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=A\/\d{8}\/ap-southeast-1\/ssm\/aws4_request/);
    expect(headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token[^,]*x-amz-target/);
    const other = await signedHeaders(
      url,
      'AmazonSSM.GetParameter',
      body.replace('sample', 'other'),
      scope,
      credentials,
    );
    expect(other.authorization).not.toBe(headers.authorization);
  });
});

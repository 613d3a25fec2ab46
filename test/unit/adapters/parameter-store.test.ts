import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { signV4 } from '../../../shared/adapters/parameter-store.ts';

const bytes = (data: string | ArrayBuffer | ArrayBufferView) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** The SDK's hash interface over node's crypto: HMAC when given a key, SHA-256 without. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

describe('the ward key read (GetParameter signed with Signature Version 4)', () => {
  const body = JSON.stringify({ Name: '/motcua/sample/ward-key', WithDecryption: true });
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' };
  const url = new URL('https://ssm.ap-southeast-1.amazonaws.com/');
  const at = new Date('2026-12-02T03:04:05.678Z');

  for (const sessionToken of [undefined, 'IQoJb3JpZ2luX2VjEOr//////////session+token=']) {
    it(`signs as the SDK's own signer does${sessionToken ? ', with a session token' : ''}`, async () => {
      const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
      const ours = signV4(
        { method: 'POST', url, headers, body },
        { region: 'ap-southeast-1', service: 'ssm' },
        { ...credentials, sessionToken },
        at,
      );
      const sdk = new SignatureV4({
        service: 'ssm',
        region: 'ap-southeast-1',
        credentials: { ...credentials, ...(sessionToken ? { sessionToken } : {}) },
        sha256: Sha256,
        applyChecksum: false,
      });
      const signed = await sdk.sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: url.hostname,
          path: '/',
          headers: { ...headers, host: url.host },
          body,
        },
        { signingDate: at },
      );
      expect(ours.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261202\/ap-southeast-1\/ssm\//);
      expect(ours).toEqual(signed.headers);
    });
  }

  it('signs the body: another parameter name is another signature', () => {
    const sign = (b: string) =>
      signV4(
        { method: 'POST', url, headers, body: b },
        { region: 'ap-southeast-1', service: 'ssm' },
        { accessKeyId: 'A', secretAccessKey: 'S' },
        at,
      ).authorization;
    expect(sign(body)).not.toBe(sign(body.replace('sample', 'other')));
  });
});

import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { env } from '../../../shared/blueprint/resources.ts';
import { deriveKey, secretKey } from '../../../shared/security/secrets.ts';

/** RFC 5869 written out with HMAC alone, to check the derivation against something that is not node's hkdf. */
function hkdf(secret: Buffer, info: string, length: number): Buffer {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(secret).digest();
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac('sha256', prk)
      .update(Buffer.concat([previous, Buffer.from(info), Buffer.from([i])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

describe('the keys of the one ward secret', () => {
  const secret = Buffer.from(randomBytes(48).toString('base64url'));

  it('keep the PIN key the secret itself, so receipts handed out before stay valid', () => {
    expect(deriveKey('pin', secret).equals(secret)).toBe(true);
  });

  it('derive the signing key with HKDF-SHA256 under its own label: 32 bytes, not the PIN key', () => {
    const signing = deriveKey('signing', secret);
    expect(signing.equals(hkdf(secret, 'motcua signing key v1', 32))).toBe(true);
    expect(signing.equals(deriveKey('pin', secret))).toBe(false);
    expect(deriveKey('signing', Buffer.from(randomBytes(48).toString('base64url'))).equals(signing)).toBe(false);
  });

  describe('read by a function', () => {
    const folder = mkdtempSync(join(tmpdir(), 'motcua-secret-test-'));
    const file = join(folder, 'ward.key');
    writeFileSync(file, `${secret.toString()}\n`);
    afterEach(() => {
      delete process.env[env.secret('pin')];
      delete process.env[env.secret('signing')];
    });

    it('give each key its environment names, and no other', async () => {
      process.env[env.secret('signing')] = `file:${file}`;
      expect((await secretKey('signing')).equals(deriveKey('signing', secret))).toBe(true);
      // The same secret, but this function was told only of the signing key.
      await expect(secretKey('pin')).rejects.toThrow(/not granted the pin secret/);
      process.env[env.secret('pin')] = `file:${file}`;
      expect((await secretKey('pin')).equals(secret)).toBe(true);
      rmSync(folder, { recursive: true, force: true });
    });
  });
});

import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sealer, Signer } from '../../../shared/security/signed.ts';

const secret = randomBytes(32);

describe('signed tokens', () => {
  it('give back exactly what was sealed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const signer = new Signer(secret, 'etag');
        expect(signer.open(signer.seal(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('refuse any change to a sealed token', () => {
    const signer = new Signer(secret, 'etag');
    const token = signer.seal({ code: 'x', version: 3, dueAt: '2026-12-01T00:00:00.000Z' });
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCabc012_-.'), (at, char) => {
        const edited = token.slice(0, at) + char + token.slice(at + 1);
        if (edited !== token) expect(signer.open(edited)).toBeUndefined();
      }),
    );
  });

  it('keep purposes and keys apart: a cursor is no ETag, another ward’s token is nobody’s', () => {
    const token = new Signer(secret, 'cursor').seal({ k: {} });
    expect(new Signer(secret, 'etag').open(token)).toBeUndefined();
    expect(new Signer(randomBytes(32), 'cursor').open(token)).toBeUndefined();
    expect(new Signer(secret, 'cursor').open(token)).toEqual({ k: {} });
  });

  it('refuse what is not a token at all', () => {
    const signer = new Signer(secret, 'etag');
    for (const junk of ['', '.', 'abc', 'abc.', '.abc', 'e30', 'e30.', `${'A'.repeat(5000)}.x`])
      expect(signer.open(junk)).toBeUndefined();
  });
});

describe('sealed tokens', () => {
  it('give back exactly what was sealed, and show none of it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (text) => {
        const sealer = new Sealer(secret, 'cursor');
        const token = sealer.seal({ text });
        expect(sealer.open(token)).toEqual({ text });
        expect(Buffer.from(token, 'base64url').includes(Buffer.from(text, 'utf8'))).toBe(false);
      }),
    );
  });

  it('refuse any change, another purpose or key, and what is not a token', () => {
    const sealer = new Sealer(secret, 'cursor');
    const token = sealer.seal({ k: { pk: 'DOSSIER#000.00.00.H99-261201-0001' } });
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCabc012_-.='), (at, char) => {
        const edited = token.slice(0, at) + char + token.slice(at + 1);
        if (edited !== token) expect(sealer.open(edited)).toBeUndefined();
      }),
    );
    expect(new Sealer(secret, 'etag').open(token)).toBeUndefined();
    expect(new Sealer(randomBytes(32), 'cursor').open(token)).toBeUndefined();
    expect(new Signer(secret, 'cursor').open(token)).toBeUndefined();
    for (const junk of [
      '',
      '.',
      'abc',
      `${token}A`,
      `${token}=`,
      token.slice(0, -1),
      new Signer(secret, 'cursor').seal({ k: {} }),
    ])
      expect(sealer.open(junk)).toBeUndefined();
  });
});

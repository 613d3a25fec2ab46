import { createHmac, timingSafeEqual } from 'node:crypto';

/** 128 bits of HMAC-SHA256: forging a token takes 2^128 tries. */
const MAC_BYTES = 16;

/**
 * Values handed to clients and taken back from them (ETags, cursors), signed with a key derived per purpose
 * from a ward secret, so a token of one kind is never accepted as another, and an edited one is refused before
 * anything reads its content.
 */
export class Signer {
  private readonly key: Buffer;

  constructor(secret: Buffer, purpose: string) {
    this.key = createHmac('sha256', secret).update(`motcua ${purpose} v1`).digest();
  }

  /** `<payload>.<mac>`, both base64url: the payload is readable, not secret. */
  seal(value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The value of a token this signer sealed; undefined for anything else. */
  open(token: string): unknown {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const payload = token.slice(0, dot);
    // Compared as text, not decoded bytes: base64's spare bits would let a second spelling of one MAC through.
    const given = Buffer.from(token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(payload), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}

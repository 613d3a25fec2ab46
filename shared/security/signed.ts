import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 bits of HMAC-SHA256: forging a token takes 2^128 tries. */
const MAC_BYTES = 16;

/**
 * Values handed to clients and taken back from them (ETags), signed with a key derived per purpose from a ward
 * secret, so a token of one kind is never accepted as another, and an edited one is refused before anything reads
 * its content. The content stays readable: use a Sealer for what the client must not read.
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

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Values handed to clients that must be neither edited nor read (worklist cursors: the key a page ends on may be
 * a dossier the caller's filters left out, another portal's): encrypted and authenticated with AES-256-GCM under
 * a key derived per purpose from a ward secret. Anything else, or an edited token, opens to undefined.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(secret: Buffer, purpose: string) {
    this.key = createHmac('sha256', secret).update(`motcua sealed ${purpose} v1`).digest();
  }

  /** base64url of the IV, the ciphertext and the tag. */
  seal(value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    const text = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, text, cipher.getAuthTag()]).toString('base64url');
  }

  open(token: string): unknown {
    const bytes = Buffer.from(token, 'base64url');
    // One spelling per token: base64url's spare bits and characters the decoder skips would give a second one.
    if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      const text = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return JSON.parse(text.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}

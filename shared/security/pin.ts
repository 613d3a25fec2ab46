import { createHash, createHmac, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
// 8 MiB and about 20 ms a hash: an 8-digit PIN read from a stolen table costs days of CPU, a lookup a blink.
const SCRYPT = { N: 8192, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const PIN_DIGITS = 8;

/**
 * The lookup PIN printed on the receipt. With an Idempotency-Key it is derived from that key, so a retried
 * submission gets the same PIN back while the server keeps neither the PIN nor the key (only their hashes);
 * without one it is random.
 */
export function receiptPin(idempotencyKey: string | undefined): string {
  const value = idempotencyKey
    ? createHmac('sha256', idempotencyKey).update('motcua receipt PIN').digest().readBigUInt64BE(0) % 10n ** BigInt(PIN_DIGITS)
    : BigInt(randomInt(0, 10 ** PIN_DIGITS));
  return value.toString().padStart(PIN_DIGITS, '0');
}

export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(pin, salt, 32, SCRYPT);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Constant-time check; with no stored hash it still does the work, so an unknown code answers as slowly as a wrong PIN. */
export async function verifyPin(pin: string, stored: string | undefined): Promise<boolean> {
  const [scheme, saltText, hashText] = (stored ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA$').split('$');
  const salt = Buffer.from(saltText ?? '', 'base64url');
  const expected = Buffer.from(hashText ?? '', 'base64url');
  const actual = await scryptAsync(pin, salt, 32, SCRYPT);
  return scheme === 'scrypt' && stored !== undefined && expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** JSON with object keys sorted, so two equal bodies hash the same whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

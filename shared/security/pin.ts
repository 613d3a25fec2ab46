import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { loadedSecret } from './secrets.ts';

const PIN_DIGITS = 8;
const PIN_SPACE = 10n ** BigInt(PIN_DIGITS);
const SCHEME = 'hmac-sha256';

const pinKey = () => loadedSecret('pin');

/**
 * The lookup PIN printed on the receipt of dossier `code`: random, and never derivable from what a client sends.
 * A filing with an Idempotency-Key gets a PIN derived under the ward's PIN key from the caller, the key and the
 * dossier's code, so its retry (which gets the same dossier back) gets the same PIN while the server stores
 * neither, and a key used again once its record expired gives the new dossier a PIN of its own; without a key
 * the PIN is drawn at random.
 */
export function receiptPin(caller: string, idempotencyKey: string | undefined, code: string): string {
  const value =
    idempotencyKey === undefined
      ? BigInt(randomInt(0, 10 ** PIN_DIGITS))
      : createHmac('sha256', pinKey())
          .update(`receipt PIN\0${caller}\0${idempotencyKey}\0${code}`)
          .digest()
          .readBigUInt64BE(0) % PIN_SPACE;
  return value.toString().padStart(PIN_DIGITS, '0');
}

/**
 * What the dossier stores of its PIN: a keyed hash over the dossier code and the PIN. Without the key (held
 * outside the table) a stolen table reveals nothing; with it, checking a PIN costs a microsecond.
 */
export function hashPin(code: string, pin: string): string {
  return `${SCHEME}$${mac(code, pin).toString('base64url')}`;
}

/** Constant time; with no stored hash it still does the work, so an unknown code answers like a wrong PIN. */
export function verifyPin(code: string, pin: string, stored: string | undefined): boolean {
  const actual = mac(code, pin);
  const [scheme, hash] = (stored ?? `${SCHEME}$`).split('$');
  const expected = Buffer.from(hash ?? '', 'base64url');
  const same = expected.length === actual.length && timingSafeEqual(expected, actual);
  return same && scheme === SCHEME && stored !== undefined;
}

function mac(code: string, pin: string): Buffer {
  return createHmac('sha256', pinKey()).update(`receipt PIN hash\0${code}\0${pin}`).digest();
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** JSON with object keys sorted, so two equal bodies hash the same whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * What a rate limit keeps of a client's address: a keyed hash, so the counters name no address, and one that no
 * table of the 2^32 IPv4 hashes can reverse without the key.
 */
export function sourceKey(address: string): string {
  return createHmac('sha256', pinKey()).update(`rate limit source\0${address}`).digest('base64url').slice(0, 22);
}

import { hkdfSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { secureParameter } from '../adapters/parameter-store.ts';
import { env, type SecretName } from '../blueprint/resources.ts';

/**
 * The least the ward key must hold: 32 characters of its text (the generator writes 43, 32 random bytes in base64url;
 * the Secrets Manager secret of a ward deployed before held 64).
 */
const MIN_SECRET_LENGTH = 32;

/**
 * How each key comes from the one ward key. The PIN key is the ward key's text itself, as when it was a secret of
 * its own (an upgraded ward's parameter is created with that secret's text), so the PIN on every receipt already
 * handed out stays valid. The signing key is derived with HKDF-SHA256 (RFC 5869) under its own label: one-way, so a
 * leaked signing key reveals neither the ward key nor the PIN key.
 *
 * What one parameter means for least privilege: IAM grants GetParameter on the parameter, not on a key, so a
 * function granted only the signing key (dossier-actions, dossier-read) is allowed to read the text the PIN key is.
 * What keeps it from using it is this code: a function derives only the keys its environment names (the blueprint's
 * `secrets`), and the local runner hands each function only those variables. A compromised signing-only function
 * could test receipt PINs, which would show it the public lookup's view of dossiers it can already read in full.
 */
const derivations: Record<SecretName, (secret: Buffer) => Buffer> = {
  pin: (secret) => secret,
  signing: (secret) => Buffer.from(hkdfSync('sha256', secret, '', 'motcua signing key v1', 32)),
};

/** A key from the ward secret's text (exported for the test that keeps the derivation stable). */
export function deriveKey(name: SecretName, secret: Buffer): Buffer {
  return derivations[name](secret);
}

// Keys are cached by the key's name and the reference the caller's environment names: the local runner hosts every
// function in one process, and a function must not find in the cache a key it was not granted.
const loaded = new Map<string, Promise<Buffer>>();
// The ward key's text, read once per cold start however many keys the function derives from it; only derived keys
// leave this module.
const texts = new Map<string, Promise<Buffer>>();

type KeyHook = (reference: string) => void;
let keyHook: KeyHook | undefined;

/**
 * Shows the local runner every use of a key reference, cached or not: it checks the invoking function's grant of the
 * parameter (`ssm:GetParameter`), which IAM checks in the stack when the key is read. Nothing calls it in Lambda.
 */
export function onKeyUse(hook: KeyHook): void {
  keyHook = hook;
}

function referenceOf(name: SecretName): string {
  const variable = env.secret(name);
  const reference = process.env[variable];
  if (!reference) throw new Error(`${variable} is not set: the function was not granted the ${name} secret`);
  keyHook?.(reference);
  return reference;
}

/**
 * A key of the ward, read once per cold start: from the ward key's SecureString parameter in the stack (the
 * variable holds its name), from a file of the local data folder when the variable is `file:<path>`. A failed read is not
 * cached, so the next request tries again.
 */
export function secretKey(name: SecretName): Promise<Buffer> {
  let reference: string;
  try {
    reference = referenceOf(name);
  } catch (error) {
    return Promise.reject(error);
  }
  const cacheKey = `${name} ${reference}`;
  let key = loaded.get(cacheKey);
  if (!key) {
    let text = texts.get(reference);
    if (!text) {
      text = read(reference);
      texts.set(reference, text);
      text.catch(() => texts.delete(reference));
    }
    key = text.then((secret) => deriveKey(name, secret));
    loaded.set(cacheKey, key);
    key.catch(() => loaded.delete(cacheKey));
  }
  return key;
}

/**
 * The text of a secret parameter other than the ward key (a portal's webhook secret, `file:<path>` locally), read
 * now, and checked against the caller's grant as the ward key is. The caller keeps it as long as it sees fit.
 */
export async function secretText(reference: string): Promise<string> {
  keyHook?.(reference);
  return (await read(reference)).toString('utf8');
}

async function read(reference: string): Promise<Buffer> {
  let text: string;
  if (reference.startsWith('file:')) {
    text = await readFile(reference.slice('file:'.length), 'utf8');
  } else {
    text = await secureParameter(reference);
  }
  text = text.trim();
  if (text.length < MIN_SECRET_LENGTH) throw new Error(`the ward key is shorter than ${MIN_SECRET_LENGTH} characters`);
  return Buffer.from(text, 'utf8');
}

const ready = new Map<string, Buffer>();

/** Reads the secrets a function was granted before it serves its first request (the HTTP stack calls it). */
export async function loadSecrets(names: readonly SecretName[]): Promise<void> {
  for (const name of names) {
    const cacheKey = `${name} ${referenceOf(name)}`;
    if (!ready.has(cacheKey)) ready.set(cacheKey, await secretKey(name));
  }
}

/** A secret already loaded by loadSecrets: request code stays synchronous. */
export function loadedSecret(name: SecretName): Buffer {
  const key = ready.get(`${name} ${referenceOf(name)}`);
  if (!key) throw new Error(`the ${name} secret was not loaded: is it granted to this function in the blueprint?`);
  return key;
}

import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { env, type SecretName } from '../blueprint/resources.ts';

/** The least a key must hold: 32 bytes of the generated text (Secrets Manager generates 64 characters). */
const MIN_SECRET_LENGTH = 32;

// Keys are cached by the reference the caller's environment names, not by name: the local runner hosts every
// function in one process, and a function must not find in the cache a key it was not granted.
const loaded = new Map<string, Promise<Buffer>>();
let client: SecretsManagerClient | undefined;

function referenceOf(name: SecretName): string {
  const variable = env.secret(name);
  const reference = process.env[variable];
  if (!reference) throw new Error(`${variable} is not set: the function was not granted the ${name} secret`);
  return reference;
}

/**
 * A secret key of the ward, read once per cold start: from Secrets Manager in the stack (the variable holds
 * the secret's ARN), from a file of the local data folder when the variable is `file:<path>`. A failed read is
 * not cached, so the next request tries again.
 */
export function secretKey(name: SecretName): Promise<Buffer> {
  let reference: string;
  try {
    reference = referenceOf(name);
  } catch (error) {
    return Promise.reject(error);
  }
  let key = loaded.get(reference);
  if (!key) {
    key = read(name, reference);
    loaded.set(reference, key);
    key.catch(() => loaded.delete(reference));
  }
  return key;
}

async function read(name: SecretName, reference: string): Promise<Buffer> {
  let text: string;
  if (reference.startsWith('file:')) {
    text = await readFile(reference.slice('file:'.length), 'utf8');
  } else {
    client ??= new SecretsManagerClient({});
    const secret = await client.send(new GetSecretValueCommand({ SecretId: reference }));
    text = secret.SecretString ?? '';
  }
  text = text.trim();
  if (text.length < MIN_SECRET_LENGTH)
    throw new Error(`the ${name} secret is shorter than ${MIN_SECRET_LENGTH} characters`);
  return Buffer.from(text, 'utf8');
}

const ready = new Map<string, Buffer>();

/** Reads the secrets a function was granted before it serves its first request (the HTTP stack calls it). */
export async function loadSecrets(names: readonly SecretName[]): Promise<void> {
  for (const name of names) {
    const reference = referenceOf(name);
    if (!ready.has(reference)) ready.set(reference, await secretKey(name));
  }
}

/** A secret already loaded by loadSecrets: request code stays synchronous. */
export function loadedSecret(name: SecretName): Buffer {
  const key = ready.get(referenceOf(name));
  if (!key) throw new Error(`the ${name} secret was not loaded: is it granted to this function in the blueprint?`);
  return key;
}

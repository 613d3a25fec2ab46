import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';

/**
 * The local instance's data folder and everything under it: owner only (0700), made so even when it was
 * there before. It holds the tables, the queues, the documents and the token signing key.
 */
export function privateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

/** A file holding a secret (a signing key): readable and writable by its owner only (0600). */
export function writeSecretFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  // The mode above applies only when the file is created.
  chmodSync(path, 0o600);
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, type SecretName, secrets } from '../shared/blueprint/resources.ts';
import { privateDir, writeSecretFile } from './files.ts';

export interface LocalSecrets {
  /** Where each secret of the blueprint is (`file:<path>`), and the ARN the local access check knows it by. */
  secrets: Record<SecretName, { reference: string; arn: string }>;
  /** Every secret's variable at once, for a script that stands in for all functions (bench/); functions get theirs. */
  env: Record<string, string>;
  /** Removes the files of an in-memory instance; a data folder keeps its keys. */
  remove(): void;
}

/**
 * Stands in for Secrets Manager: one key file per secret of the blueprint, readable by this user only. In a data
 * folder the keys survive a restart (ETags, cursors and receipt PINs stay valid); without one they live in a
 * temporary folder for the life of the instance.
 */
export function localSecrets(dataDir: string | undefined, prefix = 'local'): LocalSecrets {
  const folder = dataDir ? join(dataDir, 'secrets') : mkdtempSync(join(tmpdir(), 'motcua-secrets-'));
  privateDir(folder);
  const located = {} as LocalSecrets['secrets'];
  for (const name of Object.keys(secrets) as SecretName[]) {
    const file = join(folder, `${name}.key`);
    if (!existsSync(file)) writeSecretFile(file, randomBytes(32).toString('base64url'));
    located[name] = {
      reference: `file:${file}`,
      arn: `arn:aws:secretsmanager:local:000000000000:secret:${prefix}-${name}`,
    };
  }
  return {
    secrets: located,
    env: Object.fromEntries(Object.entries(located).map(([name, s]) => [env.secret(name as SecretName), s.reference])),
    remove: () => {
      if (!dataDir) rmSync(folder, { recursive: true, force: true });
    },
  };
}

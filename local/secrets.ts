import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, portalWebhookSecret, type SecretName, secrets, wardKey } from '../shared/blueprint/resources.ts';
import { privateDir, writeSecretFile } from './files.ts';
import { LOCAL_AWS } from './services.ts';

export interface LocalSecrets {
  /**
   * Where each key of the blueprint comes from (the ward key's file, `file:<path>`), and the ARN the parameter would
   * have, which the functions' grants name and the local access check checks each use of the file against.
   */
  secrets: Record<SecretName, { reference: string; arn: string }>;
  /** Each portal's webhook secret (`whsec_…`): a file too, and the ARN its parameter would have. */
  portalSecrets: Record<string, { reference: string; arn: string }>;
  /** Every secret's variable at once, for a script that stands in for all functions (bench/); functions get theirs. */
  env: Record<string, string>;
  /** Removes the files of an in-memory instance; a data folder keeps its keys. */
  remove(): void;
}

/**
 * Stands in for the ward key's SSM parameter: one key file, the ward key every key is derived from as in the stack
 * (shared/security/secrets.ts), readable by this user only. In a data folder the key survives a restart (ETags,
 * cursors and receipt PINs stay valid); without one it lives in a temporary folder for the life of the instance.
 */
export function localSecrets(
  dataDir: string | undefined,
  prefix = 'local',
  webhookPortals: readonly string[] = [],
): LocalSecrets {
  const folder = dataDir ? join(dataDir, 'secrets') : mkdtempSync(join(tmpdir(), 'motcua-secrets-'));
  privateDir(folder);
  const file = join(folder, 'ward.key');
  // A data folder from before the one key: its PIN key is the ward key, as in the stack, so PINs stay valid.
  const pinKey = join(folder, 'pin.key');
  if (!existsSync(file) && existsSync(pinKey)) renameSync(pinKey, file);
  if (!existsSync(file)) writeSecretFile(file, randomBytes(32).toString('base64url'));
  const located = {} as LocalSecrets['secrets'];
  for (const name of Object.keys(secrets) as SecretName[]) {
    located[name] = {
      reference: `file:${file}`,
      arn: `arn:aws:ssm:${LOCAL_AWS.region}:000000000000:parameter${wardKey.parameterName(prefix)}`,
    };
  }
  const portalSecrets: LocalSecrets['portalSecrets'] = {};
  for (const portal of webhookPortals) {
    const secretFile = join(folder, `portal-${portal}.webhook-secret`);
    if (!existsSync(secretFile)) writeSecretFile(secretFile, `whsec_${randomBytes(32).toString('base64')}`);
    portalSecrets[portal] = {
      reference: `file:${secretFile}`,
      arn: `arn:aws:ssm:${LOCAL_AWS.region}:000000000000:parameter${portalWebhookSecret.parameterName(prefix, portal)}`,
    };
  }
  return {
    secrets: located,
    portalSecrets,
    env: Object.fromEntries(Object.entries(located).map(([name, s]) => [env.secret(name as SecretName), s.reference])),
    remove: () => {
      if (!dataDir) rmSync(folder, { recursive: true, force: true });
    },
  };
}

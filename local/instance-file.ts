import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where `npm start` says, in its data folder, that it runs and how to reach it: scripts working on the same folder
 * (`npm run reports:rebuild`) go through the running instance rather than open its DynamoDB Local data a second time.
 */
export const INSTANCE_FILE = 'instance.json';

export interface LocalInstance {
  pid: number;
  api: string;
  /** The Lambda Invoke endpoint its functions are served on (as `aws lambda invoke --endpoint-url` would use). */
  lambda: string;
  /** Names its functions: `<prefix>-<function>`. */
  resourcePrefix: string;
}

/** Writes the file; the function returned removes it (on stop). */
export function announceInstance(dataDir: string, instance: LocalInstance): () => void {
  const file = join(dataDir, INSTANCE_FILE);
  writeFileSync(file, `${JSON.stringify(instance, null, 2)}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

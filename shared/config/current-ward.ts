import type { Procedure } from '../domain/catalog.ts';
import type { WardConfig } from './ward.ts';

let cached: WardConfig | undefined;

/**
 * The configuration this function runs with. It was validated where it entered, by parseWardConfig (ward.ts):
 * `cdk synth` and the local runner both read it with readWardFile, and what they hand a function is the parsed
 * result, inlined at bundle time into `process.env.MOTCUA_WARD_CONFIG` or set there by the local runner. So a
 * function reads it without the schema: apart from ward.ts, so no bundle builds the configuration's zod schemas
 * at import nor validates the same configuration again on its first request.
 */
export function wardConfig(): WardConfig {
  if (cached) return cached;
  const raw = process.env.MOTCUA_WARD_CONFIG;
  if (!raw)
    throw new Error('MOTCUA_WARD_CONFIG is not set: the function was not bundled or started with a ward configuration');
  cached = JSON.parse(raw) as WardConfig;
  return cached;
}

export function findProcedure(code: string): Procedure | undefined {
  return wardConfig().catalog.procedures.find((p) => p.code === code);
}

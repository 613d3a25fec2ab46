import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWardConfig, type WardConfig } from './ward.ts';

/** Ward configuration files live in wards/<id>.json at the root of the repository. */
export const wardsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../wards');

export function wardIds(): string[] {
  return readdirSync(wardsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Reads and validates wards/<id>.json; the error names the file and every field at fault. */
export function readWardFile(id: string): WardConfig {
  const file = join(wardsDir, `${id}.json`);
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(file)) {
    throw new Error(`no ward configuration wards/${id}.json (wards available: ${wardIds().join(', ')})`);
  }
  let ward: WardConfig;
  try {
    ward = parseWardConfig(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`wards/${id}.json: ${(error as Error).message}`);
  }
  if (ward.id !== id) throw new Error(`wards/${id}.json declares id "${ward.id}"; the file name and the id must match`);
  return ward;
}

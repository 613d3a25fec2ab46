import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionBundling } from '../../../infra/constructs/ward-function.ts';
import { type FunctionName, functions } from '../../../shared/blueprint/resources.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';

const root = join(import.meta.dirname, '../../..');
const names = Object.keys(functions) as FunctionName[];

/**
 * Every function's entry bundled with the stack's esbuild options (one build, one output per function), and for
 * each the repository's files and packages that left code in its output: what its cold start compiles and runs.
 */
async function bundledInputs(): Promise<Map<FunctionName, string[]>> {
  const options = functionBundling(readWardFile('sample'));
  const { metafile } = await build({
    entryPoints: Object.fromEntries(names.map((name) => [name, join(root, 'functions', name, 'handler.ts')])),
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: options.target,
    mainFields: options.mainFields,
    define: options.define,
    alias: Object.fromEntries(
      Object.entries(options.esbuildArgs ?? {}).map(([flag, value]) => [flag.replace(/^--alias:/, ''), String(value)]),
    ),
    outdir: 'unused',
    logLevel: 'silent',
  });
  return new Map(
    names.map((name) => {
      const output = outputOf(metafile, name);
      return [
        name,
        Object.entries(output.inputs)
          .filter(([, input]) => input.bytesInOutput > 0)
          .map(([file]) => file),
      ];
    }),
  );
}

function outputOf(metafile: Metafile, name: FunctionName) {
  const found = Object.entries(metafile.outputs).find(([file]) => file.endsWith(`unused/${name}.js`));
  if (!found) throw new Error(`no output for ${name}`);
  return found[1];
}

let inputs: Map<FunctionName, string[]>;
beforeAll(async () => {
  inputs = await bundledInputs();
}, 60_000);

describe('what a function bundles', () => {
  it('never the ward configuration’s schema: the synth and the local runner validated what the function reads', () => {
    const carrying = names.filter((name) => inputs.get(name)!.some((file) => file.endsWith('shared/config/ward.ts')));
    expect(carrying).toEqual([]);
    // The configuration itself is there, read by every function that needs it.
    expect(inputs.get('dossier-intake')!.some((file) => file.endsWith('shared/config/current-ward.ts'))).toBe(true);
  });
});

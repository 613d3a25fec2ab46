import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const biome = join(root, 'node_modules/.bin/biome');

/** Biome with the repository's lint rules, on a test file written to a scratch folder (not into the tree). */
function lint(source: string) {
  const folder = mkdtempSync(join(tmpdir(), 'motcua-lint-'));
  try {
    const { vcs: _vcs, ...config } = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(join(folder, 'biome.json'), JSON.stringify({ ...config, $schema: undefined }));
    writeFileSync(join(folder, 'example.test.ts'), source);
    const run = spawnSync(biome, ['lint', 'example.test.ts'], { cwd: folder, encoding: 'utf8' });
    return { failed: run.status !== 0, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('the linter', () => {
  it.each([
    ['a focused test', "import { it } from 'vitest';\n\nit.only('runs alone', () => {});\n", 'noFocusedTests'],
    [
      'a focused suite',
      "import { describe } from 'vitest';\n\ndescribe.only('runs alone', () => {});\n",
      'noFocusedTests',
    ],
    ['a skipped test', "import { it } from 'vitest';\n\nit.skip('never runs', () => {});\n", 'noSkippedTests'],
    [
      'a skipped suite',
      "import { describe } from 'vitest';\n\ndescribe.skip('never runs', () => {});\n",
      'noSkippedTests',
    ],
  ])('refuses %s', (_, source, rule) => {
    const result = lint(source);
    expect(result.failed).toBe(true);
    expect(result.output).toContain(rule);
  });

  it('lets a plain test through', () => {
    const result = lint("import { it } from 'vitest';\n\nit('runs', () => {});\n");
    expect(result.output).not.toMatch(/noFocusedTests|noSkippedTests/);
    expect(result.failed).toBe(false);
  });
});

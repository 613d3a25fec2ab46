import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const domain = resolve(import.meta.dirname, '../../../shared/domain');
const importsOf = (file: string) =>
  [...readFileSync(join(domain, file), 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

describe('the domain', () => {
  const files = readdirSync(domain).filter((f) => f.endsWith('.ts'));

  it('imports no transport, no adapter and no AWS module', () => {
    const found = files.flatMap((file) =>
      importsOf(file)
        .filter((from) => /^\.\.\/(api|http|adapters|blueprint)\/|^@aws-sdk\/|^aws-lambda$|^@middy\//.test(from))
        .map((from) => `${file} → ${from}`),
    );
    expect(found).toEqual([]);
  });

  it('holds no request schema: zod only for the catalog the ward configuration is read with (its types anywhere)', () => {
    const valueImportsOf = (file: string) =>
      [...readFileSync(join(domain, file), 'utf8').matchAll(/^import\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map(
        (m) => m[1]!,
      );
    expect(files.filter((file) => valueImportsOf(file).includes('zod'))).toEqual(['catalog-schema.ts']);
  });
});

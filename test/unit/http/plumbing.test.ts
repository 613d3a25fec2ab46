import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { Forbidden, Unauthenticated, ValidationFailed } from '../../../shared/domain/errors.ts';
import { authorize, passesRouteGate, principalFromAuthorizer } from '../../../shared/http/auth.ts';
import { messages, negotiateLocale } from '../../../shared/http/messages.ts';
import { problemFor, violationsFromZod } from '../../../shared/http/problem.ts';
import { redactReplacer } from '../../../shared/redact.ts';

describe('languages', () => {
  it.each([
    [undefined, 'vi'],
    ['en', 'en'],
    ['en-GB,en;q=0.9', 'en'],
    ['vi-VN,vi;q=0.9,en;q=0.8', 'vi'],
    ['fr, en;q=0.5, vi;q=0.8', 'vi'],
    ['de', 'vi'],
  ])('Accept-Language %s answers in %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });

  it('has both languages for every message key the code uses', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) {
          const source = readFileSync(path, 'utf8');
          for (const m of source.matchAll(
            /new (?:NotFound|Unauthenticated|Forbidden|ActionNotAllowed|VersionMismatch|PreconditionRequired|Unprocessable|UnsupportedMediaType|Conflict|TooManyRequests|ServiceUnavailable)\('([a-z_]+)'/g,
          ))
            used.add(m[1]!);
          for (const m of source.matchAll(/message: '([a-z_]+)'/g)) used.add(m[1]!);
          for (const m of source.matchAll(/\.regex\([^,]+, '([a-z_]+)'\)/g)) used.add(m[1]!);
        }
      }
    };
    walk('shared');
    walk('functions');
    expect(used.size).toBeGreaterThan(20);
    for (const key of used) {
      expect(messages[key], key).toBeDefined();
      expect(messages[key]!.vi.length).toBeGreaterThan(0);
      expect(messages[key]!.en.length).toBeGreaterThan(0);
    }
  });
});

describe('callers', () => {
  const at = Date.UTC(2026, 2, 9, 8, 0, 0);
  const fresh = at / 1000 + 60;
  const staff = { kind: 'staff', userId: 'u1', username: 'lan', roles: 'officer leader', expiresAt: fresh };
  const who = (context: unknown) => principalFromAuthorizer(context, at);

  it('reads the caller the authorizer verified, with its roles or scopes', () => {
    expect(who(staff)).toEqual({ kind: 'staff', userId: 'u1', username: 'lan', roles: ['officer', 'leader'] });
    expect(who({ kind: 'portal', portalId: 'dvcqg', scopes: 'dossiers.submit', expiresAt: fresh })).toEqual({
      kind: 'portal',
      portalId: 'dvcqg',
      scopes: ['dossiers.submit'],
    });
  });

  it('is anonymous without the authorizer’s context (a public route) or with one it never writes', () => {
    for (const context of [
      undefined,
      null,
      'staff',
      {},
      { ...staff, kind: 'admin' },
      { kind: 'portal', expiresAt: fresh },
    ])
      expect(who(context), JSON.stringify(context)).toEqual({ kind: 'anonymous' });
  });

  it('refuses a token that expired before the request came, though a cached authorizer answer let it through', () => {
    expect(who({ ...staff, expiresAt: at / 1000 })).toEqual({ kind: 'anonymous' });
    expect(who({ ...staff, expiresAt: at / 1000 - 1 })).toEqual({ kind: 'anonymous' });
    expect(who({ ...staff, expiresAt: undefined })).toEqual({ kind: 'anonymous' });
  });

  it('keeps only known roles and scopes, never splitting one on commas', () => {
    expect(who({ ...staff, roles: 'officer,leader mayor specialist' })).toMatchObject({ roles: ['specialist'] });
    expect(
      who({ kind: 'portal', portalId: 'p', scopes: 'motcua/dossiers.read dossiers.read admin', expiresAt: fresh }),
    ).toMatchObject({ scopes: ['dossiers.read'] });
  });

  it('opens the gate of a route to staff where a role may call, to a portal with one of the route’s scopes', () => {
    const submit = { roles: ['officer'] as const, scopes: ['dossiers.submit'] as const };
    const staffOnly = { roles: ['officer', 'leader'] as const };
    const portal = (scopes: ('dossiers.submit' | 'dossiers.read')[]) =>
      ({ kind: 'portal', portalId: 'p', scopes }) as const;
    expect(passesRouteGate({ kind: 'staff', userId: 'u', username: 'u', roles: [] }, submit)).toBe(true);
    expect(passesRouteGate(portal(['dossiers.submit']), submit)).toBe(true);
    expect(passesRouteGate(portal(['dossiers.read']), submit)).toBe(false);
    expect(passesRouteGate(portal(['dossiers.submit', 'dossiers.read']), staffOnly)).toBe(false);
    expect(passesRouteGate({ kind: 'anonymous' }, submit)).toBe(false);
  });

  it('lets a role or a scope through, and refuses the others', () => {
    const access = { roles: ['officer'] as const, scopes: ['dossiers.submit'] as const };
    expect(() => authorize({ kind: 'staff', userId: 'u', username: 'u', roles: ['officer'] }, access)).not.toThrow();
    expect(() => authorize({ kind: 'staff', userId: 'u', username: 'u', roles: ['leader'] }, access)).toThrow(
      Forbidden,
    );
    expect(() => authorize({ kind: 'portal', portalId: 'p', scopes: ['dossiers.read'] }, access)).toThrow(Forbidden);
    expect(() => authorize({ kind: 'anonymous' }, access)).toThrow(Unauthenticated);
  });
});

describe('logs', () => {
  it('never carry a citizen ID number or a phone number', () => {
    const line = JSON.stringify(
      {
        applicant: { fullName: 'Lan', idNumber: '001190012345', phone: '0912345678' },
        note: 'gọi 0912 345 678 hoặc +84912345678; CCCD 001190012345',
        code: '000.00.00.H99-260309-0001',
      },
      redactReplacer,
    );
    expect(line).not.toMatch(/001190012345|0912345678|0912 345 678|\+84912345678/);
    expect(line).toContain('000.00.00.H99-260309-0001');
    expect(line).toContain('Lan');
  });
});

describe('problem answers', () => {
  it('echo a bounded part of what the client sent: at most 50 errors, each text cut short on a whole character', () => {
    const long = '😀'.repeat(1000);
    const violations = Array.from({ length: 80 }, (_, i) => ({
      in: 'body' as const,
      field: `${long}${i}`,
      rule: 'unrecognized_keys',
      message: long,
    }));
    const doc = problemFor(new ValidationFailed(violations), 'en', 'c');
    expect(doc.errors).toHaveLength(50);
    for (const error of doc.errors!) {
      for (const text of [error.field, error.pointer, error.message]) {
        expect(text.length).toBeLessThanOrEqual(500);
        expect(text).toMatch(/…$/);
        expect(text).not.toMatch(/\p{Cs}/u);
      }
    }
    expect(doc.detail).toContain('80');
  });
});

describe('zod’s messages', () => {
  it('come in Vietnamese and English, the only two of zod’s locales an HTTP function bundles', async () => {
    const violations = violationsFromZod(z.object({ name: z.string() }).safeParse({ name: 1 }).error!, 'body');
    expect(problemFor(new ValidationFailed(violations), 'vi', 'c').errors![0]!.message).toMatch(
      /^Đầu vào không hợp lệ/,
    );
    expect(problemFor(new ValidationFailed(violations), 'en', 'c').errors![0]!.message).toMatch(/^Invalid input/);

    // The HTTP layer as a function's bundle holds it (esbuild, as the stack bundles): locales imported one by one.
    const { metafile } = await build({
      entryPoints: [join(import.meta.dirname, '../../../shared/http/handler.ts')],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      mainFields: ['module', 'main'],
      outdir: 'unused',
      logLevel: 'silent',
    });
    // Inputs that left code in the output (esbuild lists every file it read, tree-shaken ones included).
    const kept = Object.values(metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([file]) => file),
    );
    // The locales' index holds no locale: it is kept as an empty namespace where zod is loaded lazily (the routes'
    // schemas are, shared/blueprint/routes.ts).
    const locales = kept
      .map((file) => /zod\/v4\/locales\/([\w-]+)\.js$/.exec(file)?.[1])
      .filter((locale) => locale !== undefined && locale !== 'index');
    expect(locales.sort()).toEqual(['en', 'vi']);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { Forbidden, Unauthenticated, ValidationFailed } from '../../../shared/domain/errors.ts';
import { authorize, principalFromClaims, STAFF_SCOPE } from '../../../shared/http/auth.ts';
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
  const portals = { '4f1clientid': 'dvcqg' };
  const staffClient = 'staffappclient';
  const staffToken = { sub: 'u1', username: 'lan', token_use: 'access', client_id: staffClient, scope: STAFF_SCOPE };
  const who = (claims: Parameters<typeof principalFromClaims>[0]) => principalFromClaims(claims, portals, staffClient);

  it('reads staff roles from the groups claim as HTTP APIs pass it ("[a b]"), for the staff app client only', () => {
    expect(who({ ...staffToken, 'cognito:groups': '[officer leader]' })).toEqual({
      kind: 'staff',
      userId: 'u1',
      username: 'lan',
      roles: ['officer', 'leader'],
    });
    expect(who({ ...staffToken, 'cognito:groups': ['specialist'] })).toEqual({
      kind: 'staff',
      userId: 'u1',
      username: 'lan',
      roles: ['specialist'],
    });
  });

  it('refuses an ID token, even of the staff app client and with groups', () => {
    const idToken = {
      sub: 'u1',
      aud: staffClient,
      token_use: 'id',
      'cognito:username': 'lan',
      'cognito:groups': '[leader]',
      email: 'lan@example.vn',
    };
    expect(who(idToken)).toEqual({ kind: 'anonymous' });
    expect(who({ ...staffToken, 'cognito:groups': '[leader]', token_use: 'id' })).toEqual({ kind: 'anonymous' });
    expect(who({ ...staffToken, 'cognito:groups': '[leader]', token_use: undefined })).toEqual({ kind: 'anonymous' });
  });

  it('never splits a group on commas: a group named "officer,leader" gives no role', () => {
    expect(who({ ...staffToken, 'cognito:groups': '[officer,leader]' })).toEqual({
      kind: 'staff',
      userId: 'u1',
      username: 'lan',
      roles: [],
    });
    expect(who({ ...staffToken, 'cognito:groups': ['officer,leader', 'specialist'] })).toMatchObject({
      roles: ['specialist'],
    });
  });

  it('decides staff or portal by the client id, not by a username or groups in the token', () => {
    const staffLooking = {
      sub: '4f1clientid',
      username: 'lan',
      'cognito:groups': '[leader]',
      token_use: 'access',
      client_id: '4f1clientid',
      scope: `${STAFF_SCOPE} motcua/dossiers.read`,
    };
    expect(who(staffLooking)).toEqual({
      kind: 'portal',
      portalId: 'dvcqg',
      clientId: '4f1clientid',
      scopes: ['dossiers.read'],
    });
    // A staff-client token that lacks the staff scope was not issued for this API.
    expect(who({ ...staffToken, scope: 'openid', 'cognito:groups': '[leader]' })).toEqual({ kind: 'anonymous' });
    // With no staff client configured, nobody is staff.
    expect(principalFromClaims({ ...staffToken, 'cognito:groups': '[leader]' }, portals, undefined)).toEqual({
      kind: 'anonymous',
    });
  });

  it('knows a portal by its app client and keeps only its motcua scopes', () => {
    const portal = who({
      sub: '4f1clientid',
      client_id: '4f1clientid',
      token_use: 'access',
      scope: 'motcua/dossiers.submit other/x',
    });
    expect(portal).toEqual({ kind: 'portal', portalId: 'dvcqg', clientId: '4f1clientid', scopes: ['dossiers.submit'] });
  });

  it('makes a portal-looking token from an unknown client anonymous', () => {
    for (const client_id of ['unknown', 'constructor', '__proto__', 'toString', '']) {
      expect(
        who({ sub: 'x', client_id, token_use: 'access', scope: 'motcua/dossiers.submit motcua/dossiers.read' }),
        client_id,
      ).toEqual({ kind: 'anonymous' });
    }
  });

  it('lets a role or a scope through, and refuses the others', () => {
    const access = { roles: ['officer'] as const, scopes: ['dossiers.submit'] as const };
    expect(() => authorize({ kind: 'staff', userId: 'u', username: 'u', roles: ['officer'] }, access)).not.toThrow();
    expect(() => authorize({ kind: 'staff', userId: 'u', username: 'u', roles: ['leader'] }, access)).toThrow(
      Forbidden,
    );
    expect(() =>
      authorize({ kind: 'portal', portalId: 'p', clientId: 'c', scopes: ['dossiers.read'] }, access),
    ).toThrow(Forbidden);
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
    const locales = kept
      .map((file) => /zod\/v4\/locales\/([\w-]+)\.js$/.exec(file)?.[1])
      .filter((locale) => locale !== undefined);
    expect(locales.sort()).toEqual(['en', 'vi']);
  });
});

import { describe, expect, it } from 'vitest';
import { matchesFilters } from '../../../local/event-filter.ts';
import { compileRoutes, matchRoute } from '../../../local/http-gateway.ts';
import type { RouteSpec } from '../../../shared/blueprint/types.ts';

describe('the local gateway’s route matching', () => {
  const spec = (fn: 'dossier-read' | 'reports'): RouteSpec<'dossier-read' | 'reports'> => ({
    function: fn,
    access: { public: true },
    summary: fn,
    tag: 't',
    responses: {},
  });
  // Declared the wrong way round on purpose: first match in declaration order would pick `{code}` every time.
  const table = {
    'GET /dossiers/{code}': spec('dossier-read'),
    'GET /dossiers/{code}/history': spec('dossier-read'),
    'GET /dossiers/{code}/{part}': spec('dossier-read'),
    'GET /dossiers/search': spec('reports'),
    'GET /dossiers/search/{term}': spec('reports'),
    'GET /files/{path+}': spec('reports'),
    'GET /files/readme/{name}': spec('reports'),
  } as const;
  const compiled = compileRoutes(table);
  const pick = (path: string, method = 'GET') => matchRoute(compiled, method, path);

  it('prefers a literal segment to a path variable, whatever the declaration order, as API Gateway does', () => {
    expect(pick('/dossiers/search')?.route.key).toBe('GET /dossiers/search');
    expect(pick('/dossiers/search/ho-tich')).toMatchObject({
      route: { key: 'GET /dossiers/search/{term}' },
      parameters: { term: 'ho-tich' },
    });
    expect(pick('/dossiers/X-1/history')?.route.key).toBe('GET /dossiers/{code}/history');
    expect(pick('/dossiers/X-1/other')).toMatchObject({
      route: { key: 'GET /dossiers/{code}/{part}' },
      parameters: { code: 'X-1', part: 'other' },
    });
    expect(pick('/dossiers/X-1')?.route.key).toBe('GET /dossiers/{code}');
  });

  it('prefers a path variable to a greedy one, and lets a greedy one take the rest of the path', () => {
    expect(pick('/files/readme/a.txt')?.route.key).toBe('GET /files/readme/{name}');
    expect(pick('/files/a/b/c.txt')).toMatchObject({
      route: { key: 'GET /files/{path+}' },
      parameters: { path: 'a/b/c.txt' },
    });
  });

  it('matches the method too, and no route for a path that does not decode', () => {
    expect(pick('/dossiers/search', 'POST')).toBeUndefined();
    expect(pick('/dossiers/%E1%BA')).toBeUndefined();
    expect(pick('/dossiers/Gi%E1%BA%A5y')?.parameters).toEqual({ code: 'Giấy' });
  });
});

describe('the local pollers’ event filters (Lambda FilterCriteria)', () => {
  const record = {
    eventName: 'MODIFY',
    dynamodb: {
      Keys: { pk: { S: 'DOSSIER#1' } },
      NewImage: { entity: { S: 'dossier' }, status: { S: 'received' }, tags: { L: [{ S: 'a' }] } },
    },
    size: 12,
  };

  it('passes every record when there is no filter, and a record matching any one of several', () => {
    expect(matchesFilters([], record)).toBe(true);
    expect(matchesFilters([{ eventName: ['INSERT'] }, { eventName: ['MODIFY'] }], record)).toBe(true);
    expect(matchesFilters([{ eventName: ['INSERT'] }], record)).toBe(false);
  });

  it('needs every field of a pattern to match, nested as the record is', () => {
    const pattern = { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['dossier'] } } } };
    expect(matchesFilters([pattern], record)).toBe(true);
    expect(matchesFilters([{ ...pattern, eventName: ['REMOVE'] }], record)).toBe(false);
    expect(matchesFilters([{ dynamodb: { OldImage: { entity: { S: ['dossier'] } } } }], record)).toBe(false);
  });

  it('knows prefix, suffix, equals-ignore-case, anything-but, numeric, exists and $or', () => {
    const one = (rule: unknown) => matchesFilters([{ dynamodb: { Keys: { pk: { S: [rule] } } } }], record);
    expect(one({ prefix: 'DOSSIER#' })).toBe(true);
    expect(one({ prefix: 'LOOKUP#' })).toBe(false);
    expect(one({ suffix: '#1' })).toBe(true);
    expect(one({ 'equals-ignore-case': 'dossier#1' })).toBe(true);
    expect(one({ 'anything-but': ['DOSSIER#1'] })).toBe(false);
    expect(one({ 'anything-but': { prefix: 'LOOKUP#' } })).toBe(true);
    expect(one({ exists: true })).toBe(true);
    expect(matchesFilters([{ dynamodb: { OldImage: [{ exists: false }] } }], record)).toBe(true);
    expect(matchesFilters([{ size: [{ numeric: ['>', 10, '<=', 12] }] }], record)).toBe(true);
    expect(matchesFilters([{ size: [{ numeric: ['<', 10] }] }], record)).toBe(false);
    expect(matchesFilters([{ $or: [{ eventName: ['INSERT'] }, { size: [12] }] }], record)).toBe(true);
  });

  it('refuses an operator it does not know rather than let a record through the stack would filter out', () => {
    expect(() => matchesFilters([{ eventName: [{ wildcard: 'MOD*' }] }], record)).toThrow(/does not know the operator/);
  });
});

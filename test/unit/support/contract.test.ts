import { describe, expect, it } from 'vitest';
import { type Answer, checkAnswer, routeOf } from '../../support/contract.ts';

const problem = {
  type: 'urn:motcua:problem:not_found',
  title: 'Không tìm thấy',
  status: 404,
  detail: 'Không có hồ sơ này.',
  correlationId: 'abc',
};
const health = { status: 'ok', ward: { id: 'sample', unitCode: '000.00.00.H99', name: 'x' }, checks: { table: 'ok' } };
const answer = (overrides: Partial<Answer>): Answer => ({
  method: 'GET',
  path: '/health',
  status: 200,
  contentType: 'application/json; charset=utf-8',
  body: { ...health, time: '2026-03-02T02:00:00.000Z' },
  ...overrides,
});

describe('the test client’s contract check', () => {
  it('finds the route as API Gateway does: by method, segment by segment, a literal before a parameter', () => {
    expect(routeOf('GET', '/dossiers/000.00.00.H99-260302-0001')).toBe('GET /dossiers/{code}');
    expect(routeOf('GET', '/dossiers/000.00.00.H99-260302-0001/history')).toBe('GET /dossiers/{code}/history');
    expect(routeOf('GET', '/dossiers?status=received')).toBe('GET /dossiers');
    expect(routeOf('POST', '/dossiers/X/components/TK/upload-url')).toBe(
      'POST /dossiers/{code}/components/{component}/upload-url',
    );
    expect(routeOf('POST', '/dossiers/X')).toBeUndefined();
    expect(routeOf('GET', '/dossiers/')).toBeUndefined();
  });

  it('passes a documented answer, a problem on a documented status, the gateway’s own and the runner’s', () => {
    expect(() => checkAnswer(answer({}))).not.toThrow();
    const notFound = { method: 'GET', path: '/dossiers/X', status: 404, contentType: 'application/problem+json' };
    expect(() => checkAnswer({ ...notFound, body: problem })).not.toThrow();
    // A problem may carry members of its own (currentStatus, allowedActions…).
    expect(() => checkAnswer({ ...notFound, body: { ...problem, currentVersion: 3 } })).not.toThrow();
    for (const [status, message] of [
      [401, 'Unauthorized'],
      [404, 'Not Found'],
      [429, 'Too Many Requests'],
    ] as const) {
      expect(() => checkAnswer(answer({ path: '/dossiers', status, body: { message } }))).not.toThrow();
    }
    expect(() => checkAnswer(answer({ method: 'POST', path: '/_local/token', body: { token: 'x' } }))).not.toThrow();
  });

  it('fails loudly, naming the route, the status and the zod issues, on a body that is not the documented one', () => {
    expect(() => checkAnswer(answer({ body: { ...health, time: 'yesterday' } }))).toThrow(
      /GET \/health → 200 \(route GET \/health\): the body does not match its documented schema:[\s\S]*"path": \[\s*"time"\s*\]/,
    );
    expect(() => checkAnswer(answer({ body: { ...health, time: '2026-03-02T02:00:00.000Z', uptime: 5 } }))).toThrow(
      'GET /health → 200 (route GET /health): the body has fields its schema does not document: /uptime',
    );
    expect(() =>
      checkAnswer(
        answer({ body: { ...health, ward: { ...health.ward, secret: 1 }, time: '2026-03-02T02:00:00.000Z' } }),
      ),
    ).toThrow('fields its schema does not document: /ward/secret');
  });

  it('fails on a status the route does not document, a problem answered as plain JSON, and a made-up message', () => {
    expect(() => checkAnswer(answer({ status: 202 }))).toThrow(
      /GET \/health → 202 \(route GET \/health\): status 202 is not documented for this route \(documented: 200, 503, 500\)/,
    );
    // A public route has no 401 or 403 of its own: only the 500 of the common problems.
    expect(() => checkAnswer(answer({ status: 403, contentType: 'application/problem+json', body: problem }))).toThrow(
      /status 403 is not documented/,
    );
    expect(() =>
      checkAnswer({ method: 'GET', path: '/dossiers/X', status: 404, contentType: 'application/json', body: problem }),
    ).toThrow('documented as problem+json, answered as application/json');
    expect(() => checkAnswer(answer({ path: '/dossiers', status: 404, body: { message: 'Nope' } }))).toThrow(
      /not documented/,
    );
    expect(() => checkAnswer(answer({ path: '/nowhere', status: 200 }))).toThrow(
      'GET /nowhere → 200: no route of the blueprint matches, and it is no gateway answer',
    );
  });
});

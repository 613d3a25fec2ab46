import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../shared/blueprint/routes.ts';
import { officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard((w) => w, {
    countersDifferOnPurpose: 'the last test deletes the table to see a 500: there is nothing left to recount',
  });
});
afterAll(async () => {
  await ward?.stop();
});

describe('the local ward instance', () => {
  it('answers GET /health with the ward it serves, once its table answered', async () => {
    const response = await ward.api.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      ward: { id: 'sample', unitCode: '000.00.00.H99' },
      checks: { table: 'ok' },
    });
    expect(Date.parse(response.body.time)).not.toBeNaN();
  });

  // Wiring: the document is generated from the blueprint, so this checks only that the openapi function serves it whole.
  it('serves an OpenAPI 3.1 document with every route of the blueprint', async () => {
    const response = await ward.api.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    for (const key of Object.keys(routes)) {
      const [method, path] = key.split(' ') as [string, string];
      expect(response.body.paths[path]?.[method.toLowerCase()], key).toBeDefined();
    }
    // The intake body is documented from its zod schema, with the citizen ID rule.
    const intake = response.body.components.schemas.DossierIntake;
    expect(intake.required).toEqual(expect.arrayContaining(['procedureCode', 'channel', 'applicant', 'components']));
  });

  it('answers an unknown route as API Gateway does', async () => {
    const response = await ward.api.get('/nowhere');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not Found' });
  });

  it('matches no route, rather than failing, for a path whose percent-encoding does not decode', async () => {
    // Half a UTF-8 sequence, a lone surrogate's bytes, a bare percent sign: none is text a route parameter can hold.
    for (const path of ['/dossiers/%E0%A4%A/history', '/dossiers/%ED%A0%80', '/public/dossiers/%ZZ?pin=12345678']) {
      const response = await ward.api.get(path, { as: officer });
      expect(response.status, path).toBe(404);
      expect(response.body).toEqual({ message: 'Not Found' });
    }
  });

  // The gateway's own answers around the authorizer function, as the stack's HTTP API gives them (the route's
  // authorizer is checked in test/infra/ward-stack.test.ts): 401 without an Authorization header, before anything
  // runs; 403 when the authorizer refuses the token.
  it('refuses a protected route without a token, or with one the authorizer refuses, before its function runs', async () => {
    const missing = await ward.api.get('/dossiers');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ message: 'Unauthorized' });
    const forged = await ward.api.get('/dossiers', {
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
    });
    expect(forged.status).toBe(403);
    expect(forged.body).toEqual({ message: 'Forbidden' });
  });
});

describe('the local runner’s own endpoints', () => {
  it('mints a token that the protected routes accept, as the start banner says', async () => {
    const minted = await fetch(`${ward.url}/_local/token`, {
      method: 'POST',
      body: JSON.stringify({ role: 'leader' }),
    });
    const { token } = (await minted.json()) as { token: string };
    const list = await ward.api.get('/dossiers', { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    const wrong = await fetch(`${ward.url}/_local/token`, { method: 'POST', body: JSON.stringify({ role: 'mayor' }) });
    expect(wrong.status).toBe(400);
  });

  it('runs a schedule on demand', async () => {
    const run = await fetch(`${ward.url}/_local/schedules/deadline-watch`, { method: 'POST' });
    expect(run.status).toBe(200);
    expect(await run.json()).toEqual({ dueSoon: 0, overdue: 0 });
  });
});

describe('problem+json', () => {
  const badBody = {
    procedureCode: 'x',
    channel: 'fax',
    applicant: { fullName: 'A', idNumber: '123', phone: '12', address: 'x' },
    components: [],
  };

  it('names each offending field and rule, in Vietnamese by default', async () => {
    const response = await ward.api.post('/dossiers', badBody, { as: officer });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('content-language')).toBe('vi');
    expect(response.body).toMatchObject({
      type: 'urn:motcua:problem:validation_failed',
      status: 400,
      title: 'Dữ liệu gửi lên không hợp lệ',
    });
    const byField = Object.fromEntries(response.body.errors.map((e: { field: string }) => [e.field, e]));
    expect(byField['applicant.idNumber']).toMatchObject({
      rule: 'citizen_id',
      pointer: '/applicant/idNumber',
      in: 'body',
    });
    expect(byField['applicant.idNumber'].message).toBe('Số định danh cá nhân gồm đúng 12 chữ số.');
    expect(byField['applicant.phone'].rule).toBe('vn_phone');
    expect(byField.channel.rule).toBe('invalid_value');
    expect(byField.procedureCode.rule).toBe('format:regex');
  });

  it('speaks English with Accept-Language: en', async () => {
    const response = await ward.api.post('/dossiers', badBody, {
      as: officer,
      headers: { 'accept-language': 'en-US,en;q=0.9,vi;q=0.5' },
    });
    expect(response.headers.get('content-language')).toBe('en');
    expect(response.body.title).toBe('The request is not valid');
    const idNumber = response.body.errors.find((e: { field: string }) => e.field === 'applicant.idNumber');
    expect(idNumber.message).toBe('A citizen ID number has exactly 12 digits.');
  });

  it('refuses a body that is not JSON, and one sent as another media type', async () => {
    const malformed = await ward.api.request('POST', '/dossiers', {
      as: officer,
      rawBody: '{"procedureCode":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0]).toMatchObject({ rule: 'malformed_json', field: '' });
    const form = await ward.api.request('POST', '/dossiers', {
      as: officer,
      rawBody: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.type).toBe('urn:motcua:problem:unsupported_media_type');
  });

  it('refuses unknown query parameters by name', async () => {
    const response = await ward.api.get('/dossiers?colour=red', { as: officer });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ in: 'query', rule: 'unrecognized_keys' });
  });

  it('answers 403 problem+json to a staff role the route does not allow', async () => {
    const response = await ward.api.get('/reports?from=2026-01-01&to=2026-01-31', { as: { role: 'specialist' } });
    expect(response.status).toBe(403);
    expect(response.body.type).toBe('urn:motcua:problem:forbidden');
  });
});

describe('route scopes at the gateway', () => {
  it('refuses, at the authorizer, a valid token that carries none of the route’s scopes', async () => {
    const readOnly = await ward.api.post('/dossiers', {}, { as: { portal: 'dvcqg', scopes: ['dossiers.read'] } });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toEqual({ message: 'Forbidden' });
    // A portal token, whatever its scopes, never passes a route only staff may call.
    const staffOnly = await ward.api.get('/alerts', { as: portal });
    expect(staffOnly.status).toBe(403);
    expect(staffOnly.body).toEqual({ message: 'Forbidden' });
  });

  it('lets through a token with any one of the route’s scopes', async () => {
    expect((await ward.api.get('/dossiers', { as: portal })).status).toBe(200);
    expect((await ward.api.get('/dossiers', { as: { portal: 'dvcqg', scopes: ['dossiers.read'] } })).status).toBe(200);
    expect((await ward.api.get('/alerts', { as: officer })).status).toBe(200);
  });
});

describe('an unexpected failure', () => {
  it('is a 500 with a correlation id and nothing internal', async () => {
    await ward.clients.dynamo.send(new DeleteTableCommand({ TableName: ward.resources.tableName }));
    const response = await ward.api.get('/dossiers/000.00.00.H99-261123-0001', { as: officer });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      type: 'urn:motcua:problem:internal',
      title: 'Lỗi hệ thống',
      status: 500,
      detail: expect.stringContaining(response.body.correlationId),
      correlationId: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toMatch(/ResourceNotFound|table|dynamo|stack/i);
  });

  it('makes GET /health a 503 naming the failing check when the table is gone', async () => {
    // The table was deleted by the test above: a real fault of DynamoDB Local, not a mocked SDK.
    const response = await ward.api.get('/health');
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toMatchObject({
      type: 'urn:motcua:problem:unavailable',
      status: 503,
      checks: { table: 'failing' },
      ward: { id: 'sample', unitCode: '000.00.00.H99' },
    });
    expect(response.body.detail).toBe('Hệ thống của phường tạm thời không hoạt động: cơ sở dữ liệu không phản hồi.');
  });
});

import { DeleteCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/**
 * The API as a hostile portal, a curious specialist and a careless client try it: each test here is an attack,
 * kept so that what it found stays fixed and what held keeps holding (the others of its kind are in
 * client-state.test.ts and authorization.test.ts).
 */
let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard();
});
afterAll(async () => {
  await ward?.stop();
});

interface Filed {
  code: string;
  etag: string;
  pin: string;
  filedAt: string;
}

const act = (code: string, body: Record<string, unknown>, as: TokenRequest, ifMatch: string) =>
  ward.api.post(`/dossiers/${code}/actions`, body, { as, headers: { 'if-match': ifMatch } });

async function file(body: Record<string, unknown>, as: TokenRequest): Promise<Filed> {
  const filed = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return { code: filed.body.code, etag: filed.headers.get('etag')!, pin: filed.body.lookup.pin, filedAt: filed.body.filedAt };
}

/** Everything a token may carry in readable form: the text itself and each dot-separated part decoded as base64url. */
const readableParts = (token: string) => [token, ...token.split('.').map((part) => Buffer.from(part, 'base64url').toString('utf8'))].join('\n');

describe('a hostile portal paging its worklist', () => {
  it('finds in its cursor nothing of the dossiers it did not file', async () => {
    // Counter dossiers, then one of the portal's: a page of the portal's worklist reads ahead past its own dossier
    // into the counter ones, and the page must end somewhere among them.
    const counter: Filed[] = [];
    for (let i = 0; i < 50; i++) counter.push(await file(maritalStatus(), officer));
    const own = await file(birthRegistration(), portal);
    const page = await ward.api.get('/dossiers?limit=1', { as: portal });
    expect(page.status).toBe(200);
    expect(page.body.items.map((i: { code: string }) => i.code)).toEqual([own.code]);
    const cursor = page.body.cursor as string;
    expect(cursor).toBeDefined();
    const readable = readableParts(cursor);
    for (const dossier of counter) {
      expect(readable).not.toContain(dossier.code);
      expect(readable).not.toContain(dossier.filedAt);
    }
    // It still pages: the next page is the portal's own older dossiers (none here), never a counter one.
    const next = await ward.api.get(`/dossiers?limit=1&cursor=${encodeURIComponent(cursor)}`, { as: portal });
    expect(next.status).toBe(200);
    expect(next.body.items).toEqual([]);
  });
});

describe('a portal handing in a supplement', () => {
  it('may name only components of the dossier’s procedure: a made-up one is a 400 naming it, and nothing is written', async () => {
    const own = await file(birthRegistration(), portal);
    const requested = await act(own.code, { action: 'request_supplement', missing: ['Giấy ủy quyền'] }, officer, own.etag);
    expect(requested.status).toBe(200);
    const etag = requested.headers.get('etag')!;
    const madeUp = await act(own.code, { action: 'supplement_received', components: ['UQ', 'EVIL'] }, portal, etag);
    expect(madeUp.status).toBe(400);
    expect(madeUp.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'components.1', rule: 'unknown_component' })]);
    const view = await ward.api.get(`/dossiers/${own.code}`, { as: portal });
    expect(view.body.version).toBe(2);
    expect(view.body.components.map((c: { code: string }) => c.code)).toEqual(['TK', 'GCS']);
    // Nor can an upload URL then be had for it, as for any component the dossier does not have.
    const upload = await ward.api.post(`/dossiers/${own.code}/components/EVIL/upload-url`, { fileName: 'x.pdf', contentType: 'application/pdf', sizeBytes: 100, sha256: 'ab'.repeat(32) }, { as: portal });
    expect(upload.status).toBe(422);
    // The procedure's own optional component is taken, with its name from the catalog.
    const handedIn = await act(own.code, { action: 'supplement_received', components: ['UQ'] }, portal, etag);
    expect(handedIn.status).toBe(200);
    const after = await ward.api.get(`/dossiers/${own.code}`, { as: portal });
    expect(after.body.components).toEqual([
      expect.objectContaining({ code: 'TK' }),
      expect.objectContaining({ code: 'GCS' }),
      { code: 'UQ', name: expect.not.stringMatching(/^UQ$/), mandatory: false },
    ]);
  });
});

describe('a curious specialist', () => {
  const assignee = { role: 'specialist', username: 'specialist.42' } as const; // Tư pháp – Hộ tịch
  const colleague = { role: 'specialist', username: 'specialist.local' } as const; // the same department
  const otherDepartment = { role: 'specialist', username: 'specialist.43' } as const; // Kinh tế – Hạ tầng – Đô thị
  const askUpload = (code: string, as: TokenRequest) =>
    ward.api.post(`/dossiers/${code}/components/TK/upload-url`, { fileName: 'to-khai.pdf', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'ab'.repeat(32) }, { as });
  const uploads = async (code: string) =>
    (await dynamo().send(new QueryCommand({ TableName: ward.resources.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :upload)', ExpressionAttributeValues: { ':pk': `DOSSIER#${code}`, ':upload': 'UPLOAD#' } }))).Count;

  it('gets no upload URL for a dossier someone else holds, so cannot replace its documents', async () => {
    const toPerson = await file(maritalStatus(), officer);
    expect((await act(toPerson.code, { action: 'assign', assignee: 'specialist.42' }, leader, toPerson.etag)).status).toBe(200);
    for (const other of [colleague, otherDepartment]) {
      const refused = await askUpload(toPerson.code, other);
      expect(refused.status, other.username).toBe(403);
      expect(refused.body.type).toBe('urn:motcua:problem:forbidden');
      expect(JSON.stringify(refused.body)).not.toContain('specialist.42');
    }
    expect(await uploads(toPerson.code)).toBe(0);
    expect((await askUpload(toPerson.code, assignee)).status).toBe(201);
    expect((await askUpload(toPerson.code, officer)).status).toBe(201);

    const toDepartment = await file(maritalStatus(), officer);
    expect((await act(toDepartment.code, { action: 'assign', department: 'Tư pháp – Hộ tịch' }, leader, toDepartment.etag)).status).toBe(200);
    expect((await askUpload(toDepartment.code, otherDepartment)).status).toBe(403);
    expect((await askUpload(toDepartment.code, colleague)).status).toBe(201);
    // Before it is assigned, a dossier is any specialist's to work on, as its handling actions are.
    const unassigned = await file(maritalStatus(), officer);
    expect((await askUpload(unassigned.code, otherDepartment)).status).toBe(201);
  });
});

describe('a hostile portal and the fee', () => {
  it('cannot say a fee was paid in cash, which only the counter takes: a 422 naming the method, at intake and after', async () => {
    const feeBearing = (payment: Record<string, unknown>) => birthRegistration({ procedureCode: '1.004873', components: ['TK'], payment });
    const claimed = await ward.api.post('/dossiers', feeBearing({ method: 'cash', paid: true }), { as: portal, headers: idempotent() });
    expect(claimed.status).toBe(422);
    expect(claimed.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'payment.method', rule: 'cash_paid_at_counter' })]);
    // To be paid in cash at the counter later is what a citizen filing online may well choose.
    const own = await file(feeBearing({ method: 'cash', paid: false }), portal);
    const recorded = await act(own.code, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, portal, own.etag);
    expect(recorded.status).toBe(422);
    expect(recorded.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'method', rule: 'cash_paid_at_counter' })]);
    expect((await ward.api.get(`/dossiers/${own.code}`, { as: portal })).body).toMatchObject({ version: 1, fee: { method: 'cash' } });
    // Online, with its transaction, the portal records it; in cash, the officer does.
    expect((await act(own.code, { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-77' }, portal, own.etag)).status).toBe(200);
    const atCounter = await file(feeBearing({ method: 'cash', paid: false }), portal);
    const accepted = await act(atCounter.code, { action: 'accept' }, officer, atCounter.etag);
    expect((await act(atCounter.code, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, officer, accepted.headers.get('etag')!)).status).toBe(200);
  });
});

describe('a careless client reusing an Idempotency-Key', () => {
  it('gets another PIN for the new dossier once the key has expired: no two dossiers share a PIN', async () => {
    // A counter app keying filings by its queue ticket ("ticket-0001") uses the same key again another day.
    const key = { 'idempotency-key': `ticket-0001-${Date.now()}` };
    const first = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: key });
    expect(first.status).toBe(201);
    // A day later DynamoDB's TTL has deleted the key's record.
    const records = await dynamo().send(
      new ScanCommand({ TableName: ward.resources.tableName, FilterExpression: 'entity = :entity AND code = :code', ExpressionAttributeValues: { ':entity': 'idempotency', ':code': first.body.code } }),
    );
    expect(records.Items).toHaveLength(1);
    await dynamo().send(new DeleteCommand({ TableName: ward.resources.tableName, Key: { pk: records.Items![0]!.pk, sk: 'IDEMPOTENCY' } }));
    const next = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: key });
    expect(next.status).toBe(201);
    expect(next.body.code).not.toBe(first.body.code);
    expect(next.body.lookup.pin).not.toBe(first.body.lookup.pin);
    // Each PIN opens its own dossier only; a retry of the new filing still gets the new one's PIN back.
    expect((await ward.api.get(`/public/dossiers/${next.body.code}?pin=${first.body.lookup.pin}`)).status).toBe(404);
    const retry = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: key });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.lookup.pin).toBe(next.body.lookup.pin);
    expect((await ward.api.get(`/public/dossiers/${next.body.code}?pin=${retry.body.lookup.pin}`)).status).toBe(200);
  });
});

describe('a careless client misspelling a field of an action', () => {
  it('is told so (400 naming the field) instead of having it dropped in silence, and nothing is written', async () => {
    const dossier = await file(maritalStatus(), officer);
    for (const body of [
      { action: 'withdraw', reasons: 'Công dân xin rút hồ sơ' },
      { action: 'assign', assignee: 'specialist.42', notes: 'Ưu tiên xử lý' },
      { action: 'record_payment', method: 'cash', amountVnd: 15000, paid: true },
    ]) {
      const refused = await act(dossier.code, body, officer, dossier.etag);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      const misspelt = Object.keys(body).at(-1)!;
      expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', rule: 'unrecognized_keys', message: expect.stringContaining(misspelt) })]);
    }
    expect((await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body.version).toBe(1);
  });
});

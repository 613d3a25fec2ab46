import { randomUUID } from 'node:crypto';
import { DeleteCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { type ApiResponse, leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/**
 * The API as a hostile portal, a curious specialist and a careless client try it: each test here is an attack,
 * kept so that what it found stays fixed and what held keeps holding (the others of its kind are in
 * client-state.test.ts and authorization.test.ts).
 */
let ward: TestWard;
const otherPortal = { portal: 'dvc-tinh' } as const;
beforeAll(async () => {
  ward = await startTestWard((w) => ({
    ...w,
    portals: [...w.portals, { id: 'dvc-tinh', name: 'Cổng Dịch vụ công tỉnh' }],
  }));
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
  return {
    code: filed.body.code,
    etag: filed.headers.get('etag')!,
    pin: filed.body.lookup.pin,
    filedAt: filed.body.filedAt,
  };
}

/** Everything a token may carry in readable form: the text itself and each dot-separated part decoded as base64url. */
const readableParts = (token: string) =>
  [token, ...token.split('.').map((part) => Buffer.from(part, 'base64url').toString('utf8'))].join('\n');

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
    const requested = await act(
      own.code,
      { action: 'request_supplement', missing: ['Giấy ủy quyền'] },
      officer,
      own.etag,
    );
    expect(requested.status).toBe(200);
    const etag = requested.headers.get('etag')!;
    const madeUp = await act(own.code, { action: 'supplement_received', components: ['UQ', 'EVIL'] }, portal, etag);
    expect(madeUp.status).toBe(400);
    expect(madeUp.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'components.1', rule: 'unknown_component' }),
    ]);
    const view = await ward.api.get(`/dossiers/${own.code}`, { as: portal });
    expect(view.body.version).toBe(2);
    expect(view.body.components.map((c: { code: string }) => c.code)).toEqual(['TK', 'GCS']);
    // Nor can an upload URL then be had for it, as for any component the dossier does not have.
    const upload = await ward.api.post(
      `/dossiers/${own.code}/components/EVIL/upload-url`,
      { fileName: 'x.pdf', contentType: 'application/pdf', sizeBytes: 100, sha256: 'ab'.repeat(32) },
      { as: portal },
    );
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
    ward.api.post(
      `/dossiers/${code}/components/TK/upload-url`,
      { fileName: 'to-khai.pdf', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'ab'.repeat(32) },
      { as },
    );
  const uploads = async (code: string) =>
    (
      await dynamo().send(
        new QueryCommand({
          TableName: ward.resources.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :upload)',
          ExpressionAttributeValues: { ':pk': `DOSSIER#${code}`, ':upload': 'UPLOAD#' },
        }),
      )
    ).Count;

  it('gets no upload URL for a dossier someone else holds, so cannot replace its documents', async () => {
    const toPerson = await file(maritalStatus(), officer);
    expect(
      (await act(toPerson.code, { action: 'assign', assignee: 'specialist.42' }, leader, toPerson.etag)).status,
    ).toBe(200);
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
    expect(
      (await act(toDepartment.code, { action: 'assign', department: 'Tư pháp – Hộ tịch' }, leader, toDepartment.etag))
        .status,
    ).toBe(200);
    expect((await askUpload(toDepartment.code, otherDepartment)).status).toBe(403);
    expect((await askUpload(toDepartment.code, colleague)).status).toBe(201);
    // Before it is assigned, a dossier is any specialist's to work on, as its handling actions are.
    const unassigned = await file(maritalStatus(), officer);
    expect((await askUpload(unassigned.code, otherDepartment)).status).toBe(201);
  });
});

describe('a hostile portal and the fee', () => {
  it('cannot say a fee was paid in cash, which only the counter takes: a 422 naming the method, at intake and after', async () => {
    const feeBearing = (payment: Record<string, unknown>) =>
      birthRegistration({ procedureCode: '1.004873', components: ['TK'], payment });
    const claimed = await ward.api.post('/dossiers', feeBearing({ method: 'cash', paid: true }), {
      as: portal,
      headers: idempotent(),
    });
    expect(claimed.status).toBe(422);
    expect(claimed.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'payment.method', rule: 'cash_paid_at_counter' }),
    ]);
    // To be paid in cash at the counter later is what a citizen filing online may well choose.
    const own = await file(feeBearing({ method: 'cash', paid: false }), portal);
    const recorded = await act(
      own.code,
      { action: 'record_payment', method: 'cash', amountVnd: 15000 },
      portal,
      own.etag,
    );
    expect(recorded.status).toBe(422);
    expect(recorded.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'method', rule: 'cash_paid_at_counter' }),
    ]);
    expect((await ward.api.get(`/dossiers/${own.code}`, { as: portal })).body).toMatchObject({
      version: 1,
      fee: { method: 'cash' },
    });
    // Online, with its transaction, the portal records it; in cash, the officer does.
    expect(
      (
        await act(
          own.code,
          { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-77' },
          portal,
          own.etag,
        )
      ).status,
    ).toBe(200);
    const atCounter = await file(feeBearing({ method: 'cash', paid: false }), portal);
    const accepted = await act(atCounter.code, { action: 'accept' }, officer, atCounter.etag);
    expect(
      (
        await act(
          atCounter.code,
          { action: 'record_payment', method: 'cash', amountVnd: 15000 },
          officer,
          accepted.headers.get('etag')!,
        )
      ).status,
    ).toBe(200);
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
      new ScanCommand({
        TableName: ward.resources.tableName,
        FilterExpression: 'entity = :entity AND code = :code',
        ExpressionAttributeValues: { ':entity': 'idempotency', ':code': first.body.code },
      }),
    );
    expect(records.Items).toHaveLength(1);
    await dynamo().send(
      new DeleteCommand({ TableName: ward.resources.tableName, Key: { pk: records.Items![0]!.pk, sk: 'IDEMPOTENCY' } }),
    );
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
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ in: 'body', rule: 'unrecognized_keys', message: expect.stringContaining(misspelt) }),
      ]);
    }
    expect((await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body.version).toBe(1);
  });
});

describe('a hostile client sending unknown fields by the million', () => {
  it('gets a short problem answer, far below what Lambda can return (6 MB), naming the first of them', async () => {
    // Nearly 5 MB of unknown members (under Lambda's 6 MB request limit): the problem used to list every one of them in its
    // message, an answer as big as the request, past what a deployed function can return (the gateway answers 500).
    const keys = Array.from({ length: 55_000 }, (_, i) => `unknown-${String(i).padStart(6, '0')}-${'x'.repeat(70)}`);
    const unknown = Object.fromEntries(keys.map((k) => [k, 1]));
    const dossier = await file(maritalStatus(), officer);
    for (const [path, body, headers] of [
      ['/dossiers', { ...maritalStatus(), ...unknown }, {}],
      [`/dossiers/${dossier.code}/actions`, { action: 'withdraw', ...unknown }, { 'if-match': dossier.etag }],
    ] as const) {
      const rawBody = JSON.stringify(body);
      expect(rawBody.length).toBeGreaterThan(4_500_000);
      const refused = await ward.api.request('POST', path, {
        as: officer,
        rawBody,
        headers: { 'content-type': 'application/json', ...headers },
      });
      expect(refused.status, path).toBe(400);
      expect(JSON.stringify(refused.body).length, path).toBeLessThan(16_000);
      expect(refused.body.errors[0]).toMatchObject({
        in: 'body',
        rule: 'unrecognized_keys',
        message: expect.stringContaining(keys[0]!),
      });
    }
  });
});

/*
 * What held. Each attack below found nothing; it is kept because no other test tries it.
 */

describe('what held: If-Match and cursors', () => {
  it('answers an If-Match list, one too long, bytes that are not ASCII, with a 412 or a 400 naming the header, and writes nothing', async () => {
    const dossier = await file(maritalStatus(), officer);
    const assign = (ifMatch: string) =>
      act(dossier.code, { action: 'assign', department: 'Tư pháp – Hộ tịch' }, officer, ifMatch);
    // Both ETags real, but an action is decided on one state: a list is not one.
    expect((await assign(`${dossier.etag}, ${dossier.etag}`)).status).toBe(412);
    expect((await assign(`${dossier.etag},`)).status).toBe(412);
    // Latin-1 bytes, as a raw header may carry them (UTF-8 of "ệ" read as Latin-1).
    expect((await assign(Buffer.from('"1.ệ.ệ"', 'utf8').toString('latin1'))).status).toBe(412);
    const tooLong = await assign(`"1.${'A'.repeat(5000)}"`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ in: 'header', field: 'if-match' })]);
    expect((await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body.version).toBe(1);
    expect((await assign(dossier.etag)).status).toBe(200);
  });

  it('refuses a portal’s cursor used by staff, and one specialist’s own worklist cursor used by another', async () => {
    for (let i = 0; i < 2; i++) await file(birthRegistration(), portal);
    const portalPage = await ward.api.get('/dossiers?limit=1', { as: portal });
    expect(portalPage.body.cursor).toBeDefined();
    const byStaff = await ward.api.get(`/dossiers?limit=1&cursor=${encodeURIComponent(portalPage.body.cursor)}`, {
      as: officer,
    });
    expect(byStaff.status).toBe(400);
    expect(byStaff.body.errors[0]).toMatchObject({ field: 'cursor', rule: 'cursor' });
    for (let i = 0; i < 2; i++) {
      const mine = await file(maritalStatus(), officer);
      expect((await act(mine.code, { action: 'assign', assignee: 'specialist.42' }, leader, mine.etag)).status).toBe(
        200,
      );
    }
    const own = await ward.api.get('/dossiers?assignee=me&limit=1', {
      as: { role: 'specialist', username: 'specialist.42' },
    });
    expect(own.body.cursor).toBeDefined();
    const borrowed = await ward.api.get(`/dossiers?assignee=me&limit=1&cursor=${encodeURIComponent(own.body.cursor)}`, {
      as: { role: 'specialist', username: 'specialist.43' },
    });
    expect(borrowed.status).toBe(400);
  });
});

describe('what held: the staff directory', () => {
  it('takes an assignee or department only as the directory writes it (NFC, trimmed); a variant of either is a 422 naming the field', async () => {
    const dossier = await file(maritalStatus(), officer);
    for (const [body, field] of [
      [{ assignee: 'Specialist.42' }, 'assignee'], // case
      [{ assignee: 'ѕpecialist.42' }, 'assignee'], // a Cyrillic ѕ
      [{ assignee: 'ｓpecialist.42' }, 'assignee'], // a fullwidth ｓ
      [{ assignee: 'constructor' }, 'assignee'], // a name on every object's prototype
      [{ assignee: 'officer.2' }, 'assignee'], // in the directory, but an officer
      [{ department: 'Tư pháp - Hộ tịch' }, 'department'], // a hyphen for the en dash
      [{ department: 'tư pháp – hộ tịch' }, 'department'],
      [{ department: 'Lãnh đạo UBND phường' }, 'department'], // leaders only: no specialist to take it up
      [{ department: 'toString' }, 'department'],
    ] as const) {
      const refused = await act(dossier.code, { action: 'assign', ...body }, leader, dossier.etag);
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', field })]);
    }
    expect((await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body.version).toBe(1);
    // Typed in NFD, or with spaces around it, the directory's own name is that name.
    const nfd = await act(
      dossier.code,
      { action: 'assign', assignee: ' specialist.42 ', department: 'Tư pháp – Hộ tịch'.normalize('NFD') },
      leader,
      dossier.etag,
    );
    expect(nfd.status).toBe(200);
    expect(nfd.body.controlSlipEntry).toMatchObject({ assignee: 'specialist.42', department: 'Tư pháp – Hộ tịch' });
  });
});

describe('what held: money', () => {
  it('refuses an amount of the wrong type or range with a 400 naming amountVnd, a payment after the return with a 409, and one where no fee is due with a 422', async () => {
    const unpaid = await file(maritalStatus({ payment: { method: 'cash', paid: false } }), officer);
    for (const amountVnd of [-15000, 15000.5, 1e21, '15000', null]) {
      const refused = await act(
        unpaid.code,
        { action: 'record_payment', method: 'cash', amountVnd },
        officer,
        unpaid.etag,
      );
      expect(refused.status, String(amountVnd)).toBe(400);
      expect(new Set(refused.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['amountVnd']));
    }
    expect((await ward.api.get(`/dossiers/${unpaid.code}`, { as: officer })).body.version).toBe(1);
    // Written 1.5e4 it is 15,000 exactly: JSON has one kind of number.
    const rawBody = '{"action":"record_payment","method":"cash","amountVnd":1.5e4}';
    const paid = await ward.api.request('POST', `/dossiers/${unpaid.code}/actions`, {
      as: officer,
      rawBody,
      headers: { 'content-type': 'application/json', 'if-match': unpaid.etag },
    });
    expect(paid.status).toBe(200);
    expect(paid.body.controlSlipEntry.payment).toEqual({ method: 'cash', amountVnd: 15000 });

    const free = await file(birthRegistration({ channel: 'in_person' }), officer);
    const noFee = await act(free.code, { action: 'record_payment', method: 'cash', amountVnd: 0 }, officer, free.etag);
    expect(noFee.status).toBe(422);

    const returned = await file(maritalStatus({ payment: { method: 'cash', paid: false } }), officer);
    const { code } = returned;
    let { etag } = returned;
    for (const [body, as] of [
      [{ action: 'assign', assignee: 'specialist.42' }, leader],
      [{ action: 'submit_for_approval' }, { role: 'specialist', username: 'specialist.42' }],
      [{ action: 'approve' }, leader],
      [{ action: 'return_result', channel: 'in_person' }, officer],
    ] as const) {
      const done = await act(code, body, as, etag);
      expect(done.status, body.action).toBe(200);
      etag = done.headers.get('etag')!;
    }
    const afterReturn = await act(code, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, officer, etag);
    expect(afterReturn.status).toBe(409);
    expect(afterReturn.body.currentStatus).toBe('returned');
  });
});

describe('what held: the public lookup', () => {
  /** What may differ between two answers: the correlation id, and Retry-After by the second it is asked in. */
  const comparable = (answer: ApiResponse) => {
    const headers = Object.fromEntries([...answer.headers].filter(([name]) => !['date', 'retry-after'].includes(name)));
    const { correlationId: _c, detail: _d, ...body } = answer.body as Record<string, unknown>;
    return { status: answer.status, headers, body };
  };

  it('tells a right PIN from a wrong one by nothing while a code is locked, and locks that code alone', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the gateway's lookup throttle refills (burst 20, 10 per second)
    const locked = await file(maritalStatus(), officer);
    const open = await file(maritalStatus(), officer);
    const wrongPin = String((Number(locked.pin) + 1) % 100_000_000).padStart(8, '0');
    for (let i = 0; i < 5; i++)
      expect((await ward.api.get(`/public/dossiers/${locked.code}?pin=${wrongPin}`)).status).toBe(404);
    const wrong = await ward.api.get(`/public/dossiers/${locked.code}?pin=${wrongPin}`);
    const right = await ward.api.get(`/public/dossiers/${locked.code}?pin=${locked.pin}`);
    expect(wrong.status).toBe(429);
    expect(comparable(right)).toEqual(comparable(wrong));
    expect(
      Math.abs(Number(right.headers.get('retry-after')) - Number(wrong.headers.get('retry-after'))),
    ).toBeLessThanOrEqual(1);
    // The code next to it (one more in the day's sequence) is not locked.
    expect((await ward.api.get(`/public/dossiers/${open.code}?pin=${open.pin}`)).status).toBe(200);
  });

  it('finds nothing, and counts nothing, under a code written another way: lower case, other digits, a trailing line break', async () => {
    const dossier = await file(maritalStatus(), officer);
    const variants = [
      dossier.code.toLowerCase(),
      dossier.code.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), // fullwidth digits
      dossier.code.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d))), // Arabic-Indic digits
      `${dossier.code}\n`,
      ` ${dossier.code}`,
    ];
    for (let round = 0; round < 2; round++) {
      for (const code of variants)
        expect(
          (await ward.api.get(`/public/dossiers/${encodeURIComponent(code)}?pin=${dossier.pin}`)).status,
          JSON.stringify(code),
        ).toBe(404);
    }
    // Ten attempts under other spellings, and the real code still has all five of its own.
    expect((await ward.api.get(`/public/dossiers/${dossier.code}?pin=${dossier.pin}`)).status).toBe(200);
  });
});

describe('what held: Idempotency-Key', () => {
  it('is a replay for the same body in another key order, and each caller’s own: two portals and an officer with one key file three dossiers with three PINs', async () => {
    const key = { 'idempotency-key': randomUUID() };
    const body = birthRegistration();
    const first = await ward.api.post('/dossiers', body, { as: portal, headers: key });
    const reordered = await ward.api.post('/dossiers', Object.fromEntries(Object.entries(body).reverse()), {
      as: portal,
      headers: key,
    });
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    expect(reordered.body.code).toBe(first.body.code);
    const other = await ward.api.post('/dossiers', body, { as: otherPortal, headers: key });
    const counter = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: key });
    const answers = [first, other, counter];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.code)).size).toBe(3);
    expect(new Set(answers.map((a) => a.body.lookup.pin)).size).toBe(3);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    // The other portal still sees nothing of the first one's dossier.
    expect((await ward.api.get(`/dossiers/${first.body.code}`, { as: otherPortal })).status).toBe(404);
  });

  it('takes 8 to 128 visible ASCII characters, and names the header otherwise', async () => {
    const fresh = (length: number) => randomUUID().replaceAll('-', '').padEnd(length, 'k').slice(0, length);
    for (const length of [8, 128])
      expect(
        (
          await ward.api.post('/dossiers', birthRegistration(), {
            as: portal,
            headers: { 'idempotency-key': fresh(length) },
          })
        ).status,
        String(length),
      ).toBe(201);
    for (const key of [
      'k'.repeat(7),
      'k'.repeat(129),
      'two words',
      Buffer.from('khóa-bí-mật', 'utf8').toString('latin1'),
    ]) {
      const refused = await ward.api.post('/dossiers', birthRegistration(), {
        as: portal,
        headers: { 'idempotency-key': key },
      });
      expect(refused.status, key).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'header', field: 'idempotency-key' })]);
    }
  });
});

describe('what held: free text in action bodies', () => {
  it('refuses control, format and lone surrogate characters in every free-text field of every action, naming it, and writes nothing', async () => {
    const dossier = await file(maritalStatus({ payment: { method: 'cash', paid: false } }), officer);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ action: 'accept', note: 'Đủ \u202egiấy tờ' }, 'note', 'text_format_character'],
      [{ action: 'refuse', reason: 'Không thuộc \u200bthẩm quyền' }, 'reason', 'text_format_character'],
      [{ action: 'assign', assignee: 'specialist.42\u200d' }, 'assignee', 'text_format_character'],
      [{ action: 'assign', department: 'Tư pháp\u0085 – Hộ tịch' }, 'department', 'text_control_character'],
      [{ action: 'assign', assignee: 'specialist.42', note: 'Ưu tiên \ud800' }, 'note', 'text_unpaired_surrogate'],
      [{ action: 'transfer', agency: 'Công an\nphường' }, 'agency', 'text_line_break'],
      [
        { action: 'request_supplement', missing: ['Ảnh chân dung', 'Bản sao\u2066 CCCD'] },
        'missing.1',
        'text_format_character',
      ],
      [{ action: 'supplement_received', note: 'Đã nhận\u0007' }, 'note', 'text_control_character'],
      [{ action: 'submit_for_approval', note: '\udc00' }, 'note', 'text_unpaired_surrogate'],
      [{ action: 'approve', note: 'Đồng ý\u061c' }, 'note', 'text_format_character'],
      [{ action: 'send_back', note: 'Kiểm tra\tlại' }, 'note', 'text_control_character'],
      [{ action: 'reject', reason: 'Không đủ\u2028điều kiện\u00ad' }, 'reason', 'text_format_character'],
      [
        { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAY\u2028GOV' },
        'transactionRef',
        'text_line_break',
      ],
      [
        { action: 'record_payment', method: 'exempt', legalBasis: 'Điều 5\ufeff Thông tư 85/2019/TT-BTC' },
        'legalBasis',
        'text_format_character',
      ],
      [{ action: 'return_result', channel: 'in_person', note: 'Đã trả\u001b[31m' }, 'note', 'text_control_character'],
      [{ action: 'withdraw', reason: 'Công dân\u0000 xin rút' }, 'reason', 'text_control_character'],
      [{ action: 'stop', reason: '\u202aDừng\u202c' }, 'reason', 'text_format_character'],
      [
        { action: 'apologize', reason: 'Chờ xác minh\ud83d', newDueAt: '2099-01-05T09:00:00+07:00' },
        'reason',
        'text_unpaired_surrogate',
      ],
    ];
    for (const [body, field, rule] of cases) {
      const refused = await act(dossier.code, body, officer, dossier.etag);
      expect(refused.status, `${String(body.action)} ${field}`).toBe(400);
      expect(refused.body.errors, `${String(body.action)} ${field}`).toEqual([
        expect.objectContaining({ in: 'body', field, rule }),
      ]);
    }
    expect((await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body.version).toBe(1);
    // Typed in NFD, a reason is kept in NFC.
    const nfd = 'Công dân xin rút hồ sơ'.normalize('NFD');
    const withdrawn = await act(dossier.code, { action: 'withdraw', reason: nfd }, officer, dossier.etag);
    expect(withdrawn.body.controlSlipEntry.note).toBe(nfd.normalize('NFC'));
  });
});

describe('what held: upload URLs', () => {
  const request = { fileName: 'to-khai.pdf', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'ab'.repeat(32) };

  it('are refused, naming the field, for a size or type no scan has, and for a finished dossier', async () => {
    const dossier = await file(maritalStatus(), officer);
    for (const [change, field] of [
      [{ sizeBytes: 0 }, 'sizeBytes'],
      [{ sizeBytes: -1 }, 'sizeBytes'],
      [{ sizeBytes: 10.5 }, 'sizeBytes'],
      [{ sizeBytes: '1000' }, 'sizeBytes'],
      [{ contentType: 'text/html' }, 'contentType'],
      [{ contentType: 'image/svg+xml' }, 'contentType'],
      [{ contentType: 'APPLICATION/PDF' }, 'contentType'],
      [{ fileName: '' }, 'fileName'],
      [{ fileName: 'a'.repeat(201) }, 'fileName'],
    ] as const) {
      const refused = await ward.api.post(
        `/dossiers/${dossier.code}/components/TK/upload-url`,
        { ...request, ...change },
        { as: officer },
      );
      expect(refused.status, JSON.stringify(change)).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', field })]);
    }
    // A name made of path parts stays one part of the key.
    const dotted = await ward.api.post(
      `/dossiers/${dossier.code}/components/TK/upload-url`,
      { ...request, fileName: '../../../etc/passwd' },
      { as: officer },
    );
    expect(dotted.status).toBe(201);
    expect(dotted.body.key.split('/')).toHaveLength(5);
    const stopped = await act(dossier.code, { action: 'stop', reason: 'Dừng giải quyết' }, leader, dossier.etag);
    expect(stopped.status).toBe(200);
    const finished = await ward.api.post(`/dossiers/${dossier.code}/components/TK/upload-url`, request, {
      as: officer,
    });
    expect(finished.status).toBe(409);
    expect(finished.body.type).toBe('urn:motcua:problem:conflict');
  });
});

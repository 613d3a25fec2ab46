import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { env } from '../../shared/blueprint/resources.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { type ApiResponse, leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/**
 * What a client sends back (ETags, cursors, Idempotency-Keys, PINs) decides nothing unless the server signed or
 * stored it: these tests play the hostile portal, the curious caller and the careless client.
 */
let ward: TestWard;
const otherPortal = { portal: 'dvc-tinh' } as const;
beforeAll(async () => {
  ward = await startTestWard((w) => ({
    ...w,
    portals: [...w.portals, { id: 'dvc-tinh', name: 'Cổng dịch vụ công tỉnh' }],
  }));
});
afterAll(async () => {
  await ward?.stop();
});

async function file(body: Record<string, unknown>, as: TokenRequest) {
  const filed = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return { code: filed.body.code as string, etag: filed.headers.get('etag')!, pin: filed.body.lookup.pin as string };
}

const act = (code: string, body: Record<string, unknown>, as: TokenRequest, ifMatch?: string) =>
  ward.api.post(`/dossiers/${code}/actions`, body, {
    as,
    ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
  });

/** An ETag's parts: `"<version>.<payload>.<signature>"`. */
function etagParts(etag: string) {
  const [, version, payload, mac] = /^"(\d+)\.([^.]+)\.([^.]+)"$/.exec(etag)!;
  return {
    version: version!,
    state: JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>,
    mac: mac!,
  };
}
const withPayload = (etag: string, state: unknown) => {
  const { version, mac } = etagParts(etag);
  return `"${version}.${Buffer.from(JSON.stringify(state)).toString('base64url')}.${mac}"`;
};

/** An answer with what differs between any two requests (correlation id, the code asked for) taken out. */
function comparable(response: ApiResponse, code: string) {
  const text = JSON.stringify(response.body ?? null).replaceAll(code, '<code>');
  const { correlationId: _c, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return { status: response.status, etag: response.headers.get('etag'), body: rest };
}

describe('an ETag decides only what the server signed', () => {
  it('refuses an ETag whose state was edited (a far due date, another status) with a 412, before any rule runs', async () => {
    const dossier = await file(maritalStatus(), officer);
    const { state } = etagParts(dossier.etag);
    const farDue = withPayload(dossier.etag, { ...state, dueAt: '9999-12-31T00:00:00.000Z' });
    const supplement = await act(
      dossier.code,
      { action: 'request_supplement', missing: ['Bản sao giấy tờ'] },
      officer,
      farDue,
    );
    expect(supplement.status).toBe(412);
    expect(supplement.body).toMatchObject({ type: 'urn:motcua:problem:version_mismatch' });
    // Nothing about the dossier comes back to whoever forged it.
    expect(supplement.body.etag).toBeUndefined();
    expect(supplement.body.currentStatus).toBeUndefined();
    const approve = await act(
      dossier.code,
      { action: 'approve' },
      leader,
      withPayload(dossier.etag, { ...state, status: 'pending_approval' }),
    );
    expect(approve.status).toBe(412);
    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body).toMatchObject({ status: 'received', version: 1 });
    expect(view.headers.get('etag')).toBe(dossier.etag);
  });

  it.each([
    ['readable state without a signature', (etag: string) => etag.replace(/\.[^.]+"$/, '"')],
    ['a signature cut short', (etag: string) => etag.replace(/.{4}"$/, '"')],
    [
      'malformed JSON under a real signature',
      (etag: string) => `"1.${Buffer.from('{"code":').toString('base64url')}.${etagParts(etag).mac}"`,
    ],
    ['a weak ETag', (etag: string) => `W/${etag}`],
    ['the wildcard', () => '*'],
    ['a version that disagrees with the state', (etag: string) => etag.replace(/^"1\./, '"2.')],
    ['garbage', () => '"x\u00ff!"'],
    ['an empty string', () => '""'],
  ])('answers %s with a 412, never a 5xx', async (_, forge) => {
    const dossier = await file(maritalStatus(), officer);
    const answer = await act(
      dossier.code,
      { action: 'assign', department: 'Tư pháp – Hộ tịch' },
      officer,
      forge(dossier.etag),
    );
    expect(answer.status).toBe(412);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers 412, not 403, to a refusal decided on a stale ETag (the dossier was reassigned since)', async () => {
    const dossier = await file(maritalStatus(), officer);
    const toFirst = await act(dossier.code, { action: 'assign', assignee: 'specialist.42' }, leader, dossier.etag);
    const seenBefore = toFirst.headers.get('etag')!;
    const toSecond = await act(dossier.code, { action: 'assign', assignee: 'specialist.43' }, leader, seenBefore);
    expect(toSecond.status).toBe(200);
    const second = { role: 'specialist', username: 'specialist.43' } as const;
    const stale = await act(dossier.code, { action: 'submit_for_approval' }, second, seenBefore);
    expect(stale.status).toBe(412);
    expect(stale.body.etag).toBe(toSecond.headers.get('etag'));
    expect((await act(dossier.code, { action: 'submit_for_approval' }, second, stale.body.etag)).status).toBe(200);
  });

  it('refuses the ETag of one dossier sent for another', async () => {
    const one = await file(maritalStatus(), officer);
    const other = await file(maritalStatus(), officer);
    expect(
      (await act(other.code, { action: 'assign', department: 'Tư pháp – Hộ tịch' }, officer, one.etag)).status,
    ).toBe(412);
  });
});

describe('a portal that did not file a dossier learns nothing about it', () => {
  const actionBodies: Record<string, unknown>[] = [
    { action: 'accept' },
    { action: 'refuse', reason: 'Không thuộc thẩm quyền' },
    { action: 'assign', department: 'Tư pháp – Hộ tịch' },
    { action: 'transfer', agency: 'Công an phường' },
    { action: 'request_supplement', missing: ['Bản sao giấy tờ'] },
    { action: 'supplement_received' },
    { action: 'submit_for_approval' },
    { action: 'approve' },
    { action: 'send_back', note: 'Kiểm tra lại' },
    { action: 'reject', reason: 'Không đủ điều kiện' },
    { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAY-1' },
    { action: 'return_result', channel: 'online' },
    { action: 'withdraw', reason: 'Công dân xin rút' },
    { action: 'stop', reason: 'Dừng giải quyết' },
    { action: 'apologize', reason: 'Chờ xác minh', newDueAt: '2099-01-05T09:00:00+07:00' },
  ];

  it('gets, on every route and for every action, exactly the answer an unknown code gets', async () => {
    // One dossier filed by another portal, one at the counter; the unknown code is the same with a sequence never issued.
    const theirs = await file(birthRegistration(), otherPortal);
    const counter = await file(maritalStatus(), officer);
    for (const dossier of [theirs, counter]) {
      const unknown = dossier.code.replace(/\d{4}$/, '9999');
      // The real ETag, as staff would read it: a portal that got hold of it still learns nothing.
      const staffEtag = (await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).headers.get('etag')!;
      const requests: [string, (code: string) => Promise<ApiResponse>][] = [
        ['GET dossier', (code) => ward.api.get(`/dossiers/${code}`, { as: portal })],
        ['GET history', (code) => ward.api.get(`/dossiers/${code}/history`, { as: portal })],
        [
          'upload URL',
          (code) =>
            ward.api.post(
              `/dossiers/${code}/components/TK/upload-url`,
              { fileName: 'to-khai.pdf', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'ab'.repeat(32) },
              { as: portal },
            ),
        ],
      ];
      for (const body of actionBodies) {
        requests.push([`${String(body.action)} without If-Match`, (code) => act(code, body, portal)]);
        requests.push([
          `${String(body.action)} with a made-up If-Match`,
          (code) => act(code, body, portal, '"1.e30.AAAAAAAAAAAAAAAAAAAAAA"'),
        ]);
        requests.push([
          `${String(body.action)} with the dossier's real ETag`,
          (code) => act(code, body, portal, staffEtag),
        ]);
      }
      for (const [label, send] of requests) {
        const [real, none] = [await send(dossier.code), await send(unknown)];
        expect(real.status, label).toBeLessThan(500);
        expect(comparable(real, dossier.code), label).toEqual(comparable(none, unknown));
      }
    }
    // And nothing was written by any of it.
    expect((await ward.api.get(`/dossiers/${counter.code}`, { as: officer })).body.version).toBe(1);
    expect((await ward.api.get(`/dossiers/${theirs.code}`, { as: officer })).body.version).toBe(1);
  });

  it('does not find them in its worklist', async () => {
    const theirs = await file(birthRegistration(), otherPortal);
    const list = await ward.api.get('/dossiers?limit=100', { as: portal });
    expect(list.body.items.map((i: { code: string }) => i.code)).not.toContain(theirs.code);
  });
});

describe('worklist cursors', () => {
  it('answers a hand-made or edited cursor with a 400 naming the cursor, never a 5xx', async () => {
    for (let i = 0; i < 3; i++) await file(maritalStatus(), officer);
    const first = await ward.api.get('/dossiers?limit=1', { as: officer });
    const cursor = first.body.cursor as string;
    expect((await ward.api.get(`/dossiers?limit=1&cursor=${cursor}`, { as: officer })).status).toBe(200);
    const handMade = [
      // Readable JSON, as cursors once were: unsealed, its key typed wrongly for DynamoDB.
      Buffer.from(JSON.stringify({ k: { pk: 1, sk: { S: 'x' } }, f: '[]' })).toString('base64url'),
      // The signed format cursors had before they were sealed, with a made-up signature.
      `${Buffer.from(JSON.stringify({ k: { pk: 'DOSSIER#x', sk: 'DOSSIER', listAll: 'DOSSIER', filedSort: 0 }, f: '[]' })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`,
      // One character of a real cursor changed.
      `${cursor.slice(0, 20)}${cursor[20] === 'A' ? 'B' : 'A'}${cursor.slice(21)}`,
      'not-a-cursor',
      `${cursor}x`,
    ];
    for (const bad of handMade) {
      const answer = await ward.api.get(`/dossiers?limit=1&cursor=${encodeURIComponent(bad)}`, { as: officer });
      expect(answer.status, bad).toBe(400);
      expect(answer.body.errors[0]).toMatchObject({ field: 'cursor', rule: 'cursor' });
    }
    // A staff member's cursor is not a portal's.
    expect((await ward.api.get(`/dossiers?limit=1&cursor=${cursor}`, { as: portal })).status).toBe(400);
  });
});

describe('receipt PINs', () => {
  const pinKey = () =>
    readFileSync(ward.environmentOf('public-lookup')[env.secret('pin')]!.slice('file:'.length), 'utf8').trim();

  it('are not derivable from what a client sends, yet a retry with the same key gets the same PIN back', async () => {
    const key = `retry-${Date.now()}-abcdefgh`;
    const first = await ward.api.post('/dossiers', maritalStatus(), {
      as: officer,
      headers: { 'idempotency-key': key },
    });
    const retry = await ward.api.post('/dossiers', maritalStatus(), {
      as: officer,
      headers: { 'idempotency-key': key },
    });
    expect(retry.body.lookup.pin).toBe(first.body.lookup.pin);
    // The old derivation, an HMAC keyed by the client's own Idempotency-Key, is gone.
    const fromKeyAlone = (
      createHmac('sha256', key).update('motcua receipt PIN').digest().readBigUInt64BE(0) % 100_000_000n
    )
      .toString()
      .padStart(8, '0');
    expect(first.body.lookup.pin).not.toBe(fromKeyAlone);
    // Another caller with the same key gets another dossier and another PIN.
    const other = await ward.api.post('/dossiers', maritalStatus(), {
      as: { role: 'officer', username: 'other.officer' },
      headers: { 'idempotency-key': key },
    });
    expect(other.body.code).not.toBe(first.body.code);
    expect(other.body.lookup.pin).not.toBe(first.body.lookup.pin);
  });

  it('are stored as a hash keyed by a secret held outside the table', async () => {
    const dossier = await file(maritalStatus(), officer);
    const item = await dynamo().send(
      new GetCommand({ TableName: ward.resources.tableName, Key: { pk: `DOSSIER#${dossier.code}`, sk: 'DOSSIER' } }),
    );
    const stored = String(item.Item?.pinHash);
    expect(JSON.stringify(item.Item)).not.toContain(dossier.pin);
    expect(stored).not.toMatch(/^scrypt\$/);
    const keyed = createHmac('sha256', pinKey())
      .update(`receipt PIN hash\0${dossier.code}\0${dossier.pin}`)
      .digest('base64url');
    expect(stored).toBe(`hmac-sha256$${keyed}`);
  });
});

describe('the public lookup', () => {
  it('allows five wrong PINs per code, then answers 429 with Retry-After, for a known and an unknown code alike', async () => {
    const dossier = await file(maritalStatus(), officer);
    const unknown = dossier.code.replace(/\d{4}$/, '9998');
    const wrongPin = String((Number(dossier.pin) + 1) % 100_000_000).padStart(8, '0');
    for (const code of [dossier.code, unknown]) {
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await ward.api.get(`/public/dossiers/${code}?pin=${wrongPin}`));
      expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 429, 429]);
      const locked = answers[5]!;
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(locked.body).toMatchObject({ type: 'urn:motcua:problem:too_many_requests', status: 429 });
    }
    // While locked even the right PIN is refused: a lockout must not tell a right guess from a wrong one.
    expect((await ward.api.get(`/public/dossiers/${dossier.code}?pin=${dossier.pin}`)).status).toBe(429);
  });

  it('counts a burst of parallel guesses as as many attempts', async () => {
    const dossier = await file(maritalStatus(), officer);
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ward.api.get(`/public/dossiers/${dossier.code}?pin=${String(i).padStart(8, '0')}`),
      ),
    );
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
  });

  it('is throttled at the gateway like the stage’s route setting (burst 20, 10 per second)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the bucket refills after the tests before
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        ward.api.get(`/public/dossiers/000.00.00.H99-260101-${String(i + 1).padStart(4, '0')}?pin=12345678`),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // and refills for the tests after
    // 200 at once against a bucket of 20 refilled at 10 a second: unless they took 18 s to arrive, some never reach
    // the function (a busy machine spreads 40 over the 2 s that would refill the bucket).
    const byGateway = burst.filter((a) => a.status === 429 && a.body.message === 'Too Many Requests');
    expect(byGateway.length).toBeGreaterThanOrEqual(5);
    expect(burst.filter((a) => a.status === 404).length).toBe(200 - byGateway.length);
  });

  it('does not lock out a citizen who looks up their own dossier often', async () => {
    const dossier = await file(maritalStatus(), officer);
    for (let i = 0; i < 12; i++)
      expect((await ward.api.get(`/public/dossiers/${dossier.code}?pin=${dossier.pin}`)).status).toBe(200);
  });
});

describe('Idempotency-Key for portals', () => {
  it('is required: a portal filing without one is a 400 naming the header, and nothing is written', async () => {
    const before = await ward.api.get('/dossiers?limit=100', { as: portal });
    const answer = await ward.api.post('/dossiers', birthRegistration(), { as: portal });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ in: 'header', field: 'idempotency-key', rule: 'required' }),
    ]);
    const after = await ward.api.get('/dossiers?limit=100', { as: portal });
    expect(after.body.items.length).toBe(before.body.items.length);
  });
});

describe('a filing that runs out of time', () => {
  it('is answered 503 with Retry-After before the function times out, and its retry finds what committed', {
    timeout: 60_000,
  }, async () => {
    // DynamoDB Local cannot be made slow on demand: hold this process's transactions back long enough that the
    // function would time out (10 s) — the only fault injected; every call still reaches DynamoDB Local.
    let slow = true;
    dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        if (slow && context.commandName === 'TransactWriteItemsCommand')
          await new Promise((resolve) => setTimeout(resolve, 9_500));
        return next(args);
      },
      { step: 'initialize', name: 'motcuaSlowTransactions', override: true },
    );
    const key = idempotent();
    const first = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: key });
    slow = false;
    // From the function itself: a Lambda timeout would reach the client as the gateway's bare 500.
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.body).toMatchObject({ type: 'urn:motcua:problem:unavailable', status: 503 });
    // The held-back transaction commits meanwhile; the retry gets its answer rather than a second dossier.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const retry = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const again = await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: key });
    expect(again.body.code).toBe(retry.body.code);
  });
});

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { localDateOf } from '../../shared/domain/zoned-time.ts';
import { idempotent, maritalStatus } from '../support/fixtures.ts';
import { type ApiResponse, leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Ratings of returned dossiers (mức độ hài lòng): once per dossier, only after return, with the receipt's PIN under
 * the lookup's attempt limit, and counted in the report counters through the stream on the day of the rating.
 */

let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard();
});
afterAll(async () => ward?.stop());

interface Filed {
  code: string;
  etag: string;
  pin: string;
}

async function file(as: TokenRequest = officer, body = maritalStatus({ payment: { method: 'cash', paid: true } })) {
  const filed = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return { code: filed.body.code, etag: filed.headers.get('etag')!, pin: filed.body.lookup.pin } as Filed;
}

/** Through the workflow to `returned`, as the counter does it. */
async function returned(): Promise<Filed> {
  const dossier = await file();
  let { etag } = dossier;
  for (const [body, as] of [
    [{ action: 'assign', assignee: 'specialist.42' }, leader],
    [{ action: 'submit_for_approval' }, { role: 'specialist', username: 'specialist.42' }],
    [{ action: 'approve' }, leader],
    [{ action: 'return_result', channel: 'in_person' }, officer],
  ] as const) {
    const done = await ward.api.post(`/dossiers/${dossier.code}/actions`, body, {
      as,
      headers: { 'if-match': etag },
    });
    expect(done.status, `${body.action}: ${JSON.stringify(done.body)}`).toBe(200);
    etag = done.headers.get('etag')!;
  }
  return { ...dossier, etag };
}

const rate = (code: string, body: Record<string, unknown>) => ward.api.post(`/public/dossiers/${code}/rating`, body);

/** What may differ between two answers: the correlation id, the detail naming the path, and the clock. */
const comparable = (answer: ApiResponse) => {
  const headers = Object.fromEntries([...answer.headers].filter(([name]) => !['date', 'retry-after'].includes(name)));
  const { correlationId: _c, detail: _d, instance: _i, ...body } = answer.body as Record<string, unknown>;
  return { status: answer.status, headers, body };
};

async function reportDay(date: string): Promise<Record<string, unknown> | undefined> {
  const item = await dynamo().send(
    new GetCommand({ TableName: ward.resources.tableName, Key: { pk: 'REPORT#ward', sk: `DAY#${date}` } }),
  );
  return item.Item;
}

describe('rating a dossier', () => {
  it('takes one rating per returned dossier, a second is a 409, and counts it on the day of the rating', async () => {
    const { code, pin } = await returned();
    const first = await rate(code, { pin, rating: 'satisfied', comment: 'Cán bộ hướng dẫn tận tình' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ code, rating: 'satisfied' });
    const second = await rate(code, { pin, rating: 'dissatisfied' });
    expect(second.status).toBe(409);
    expect(second.body.detail).toContain('đã được đánh giá');
    // Two at once on another dossier: the conditional write lets one through.
    const other = await returned();
    const racing = await Promise.all(
      (['very_satisfied', 'dissatisfied'] as const).map((rating) => rate(other.code, { pin: other.pin, rating })),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);
    const kept = racing.find((r) => r.status === 201)!.body.rating as string;

    await ward.settle();
    const day = await reportDay(localDateOf(Date.parse(first.body.ratedAt), ward.ward.timeZone));
    expect(day?.rated).toBe(2);
    // Satisfied is very satisfied or satisfied: the first, and the second if its kept rating was not dissatisfied.
    expect(day?.rated_satisfied).toBe(kept === 'dissatisfied' ? 1 : 2);
  });

  it('refuses a rating before the result was handed over (409), and writes nothing', async () => {
    const { code, pin } = await file();
    const early = await rate(code, { pin, rating: 'very_satisfied' });
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('chưa trả kết quả');
    const stored = await dynamo().send(
      new GetCommand({ TableName: ward.resources.tableName, Key: { pk: `RATING#${code}`, sk: 'RATING' } }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it('answers a wrong PIN exactly as an unknown code, and locks a code after five wrong PINs', async () => {
    const { code, pin } = await returned();
    const wrongPin = pin === '12345678' ? '87654321' : '12345678';
    const unknown = code.replace(/-\d{4}$/, '-9999');
    const wrong = await rate(code, { pin: wrongPin, rating: 'satisfied' });
    const none = await rate(unknown, { pin: wrongPin, rating: 'satisfied' });
    expect(wrong.status).toBe(404);
    expect(comparable(wrong)).toEqual(comparable(none));
    // Four more wrong PINs: the sixth attempt is refused even with the right PIN, and the lookup is locked too.
    for (let i = 0; i < 4; i++) expect((await rate(code, { pin: wrongPin, rating: 'satisfied' })).status).toBe(404);
    const locked = await rate(code, { pin, rating: 'satisfied' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await ward.api.get(`/public/dossiers/${code}?pin=${pin}`)).status).toBe(429);
    // The unknown code was counted as well: four more and it locks like a known one.
    for (let i = 0; i < 4; i++) await rate(unknown, { pin: wrongPin, rating: 'satisfied' });
    expect((await rate(unknown, { pin: wrongPin, rating: 'satisfied' })).status).toBe(429);
  });

  it('takes a rating the filing portal relays with its citizen’s PIN, and refuses bad fields with 400', async () => {
    const online = await returned();
    const relayed = await ward.api.post(
      `/public/dossiers/${online.code}/rating`,
      { pin: online.pin, rating: 'very_satisfied' },
      { as: portal },
    );
    expect(relayed.status).toBe(201);
    const fresh = await returned();
    for (const [body, field] of [
      [{ pin: fresh.pin, rating: 'happy' }, 'rating'],
      [{ pin: '1234', rating: 'satisfied' }, 'pin'],
      [{ pin: fresh.pin, rating: 'satisfied', comment: 'x'.repeat(1001) }, 'comment'],
      [{ pin: fresh.pin, rating: 'satisfied', score: 5 }, ''],
    ] as const) {
      const refused = await rate(fresh.code, body);
      expect(refused.status, field).toBe(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await rate(fresh.code, { pin: fresh.pin, rating: 'satisfied' })).status).toBe(201);
  });
});

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { officer, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * What a hostile citizen would try on the public feedback routes, kept as tests: oversized or malformed content,
 * guessing PINs, reading another's feedback by its code, and filing in bulk from one address or many. Each
 * filing comes from an address of its own on the loopback network (127.0.0.0/8), as a request from another
 * client would, so the per-source limit and the ward's daily cap can be told apart.
 */

let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard((w) => ({
    ...w,
    feedback: { resolveWorkingDays: 10, perSourcePerHour: 2, perDay: 4 },
  }));
});
afterAll(async () => ward?.stop());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** A request from `source`, a loopback address other than the gateway's own. */
function from(source: string, method: string, path: string, body?: string): Promise<Answer> {
  const url = new URL(path, ward.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: source,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const content = 'Cán bộ một cửa yêu cầu nộp thêm giấy tờ không có trong danh mục thành phần hồ sơ của thủ tục.';
/** Paced below the route's throttle (2 a second, burst 5), so what answers is the function's limit, not the gateway's. */
async function file(source: string, body: Record<string, unknown> = { content, contact: 'congdan@example.vn' }) {
  await new Promise((resolve) => setTimeout(resolve, 550));
  return from(source, 'POST', '/public/feedback', JSON.stringify(body));
}
const follow = (source: string, code: string, pin: string) =>
  from(source, 'GET', `/public/feedback/${code}?pin=${pin}`);

/** What may differ between two answers: the correlation id, the detail naming the path, and the clock. */
const comparable = (answer: Answer) => {
  const { date: _d, 'retry-after': _r, 'content-length': _l, ...headers } = answer.headers;
  const { correlationId: _c, detail: _t, instance: _i, ...body } = answer.body as Record<string, unknown>;
  return { status: answer.status, headers, body };
};

const filedCount = async () => (await ward.api.get('/feedback?limit=100', { as: officer })).body.items.length as number;

describe('attacks on the public feedback routes', () => {
  it('refuses oversized and malformed feedback with 400 naming the field, and writes nothing', async () => {
    for (const [body, field] of [
      [{ content: 'x'.repeat(4001), contact: 'congdan@example.vn' }, 'content'],
      [{ content, contact: '9'.repeat(255) }, 'contact'],
      [{ content: `Nội dung\u202eẩn đảo chiều ${content}`, contact: 'congdan@example.vn' }, 'content'],
      [{ content, contact: 'congdan@example.vn\nBcc: x@example.vn' }, 'contact'],
      [{ content, contact: 'congdan@example.vn', dossierCode: '../../DOSSIER#x' }, 'dossierCode'],
      [{ content, contact: 'congdan@example.vn', status: 'published' }, ''],
      [{ content: 'ngắn', contact: 'congdan@example.vn' }, 'content'],
    ] as const) {
      const refused = await file('127.0.0.10', body);
      expect(refused.status, field).toBe(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // A megabyte of JSON is refused before any of it is stored.
    const huge = await file('127.0.0.10', { content: 'x'.repeat(1_000_000), contact: 'congdan@example.vn' });
    expect([400, 413]).toContain(huge.status);
    expect(await filedCount()).toBe(0);
  });

  it('answers another’s code with one’s own PIN exactly as an unknown code, and locks a code after five guesses', async () => {
    const mine = await file('127.0.0.11');
    const theirs = await file('127.0.0.12');
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    const another = await follow('127.0.0.11', theirs.body.code, mine.body.pin);
    const unknown = await follow('127.0.0.11', 'PAKN-ZZZZZZZZZZ', mine.body.pin);
    expect(another.status).toBe(404);
    expect(comparable(another)).toEqual(comparable(unknown));
    // Guessing their PIN: four more wrong ones, and then not even the right PIN gets through.
    for (let i = 0; i < 4; i++) expect((await follow('127.0.0.11', theirs.body.code, '00000000')).status).toBe(404);
    const locked = await follow('127.0.0.12', theirs.body.code, theirs.body.pin);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Their lock is theirs: my own feedback still answers me.
    expect((await follow('127.0.0.11', mine.body.code, mine.body.pin)).status).toBe(200);
  });

  it('limits filings per source address, and the ward’s filings a day, with 429 and Retry-After', async () => {
    // Two filed above; this address files its two, which reaches the ward's four a day.
    expect((await file('127.0.0.13')).status).toBe(201);
    expect((await file('127.0.0.13')).status).toBe(201);
    const third = await file('127.0.0.13');
    expect(third.status).toBe(429);
    expect(third.body.detail).toContain('địa chỉ này');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    const elsewhere = await file('127.0.0.14');
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body.detail).toContain('Hôm nay');
    expect(await filedCount()).toBe(4);
  });
});

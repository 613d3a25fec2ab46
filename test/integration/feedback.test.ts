import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { localDateOf } from '../../shared/domain/zoned-time.ts';
import { leader, officer, specialist, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Feedback (phản ánh, kiến nghị): filed without an account, followed with its code and PIN, moved through its
 * workflow by staff with each step on its history, alerted on by the deadline watch before and after its due date,
 * and counted in the report counters through the stream.
 */

let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard((w) => ({
    ...w,
    feedback: { resolveWorkingDays: 2, perSourcePerHour: 1000, perDay: 10_000 },
  }));
});
afterAll(async () => ward?.stop());

const content = 'Thủ tục đăng ký khai sinh yêu cầu bản sao giấy tờ không có trong danh mục thành phần hồ sơ.';
const contact = '0912 345 678';

async function fileOne(extra: Record<string, unknown> = {}) {
  const filed = await ward.api.post('/public/feedback', { content, contact, ...extra });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return filed.body as { code: string; pin: string; dueAt: string; filedAt: string; status: string };
}

const act = (code: string, body: Record<string, unknown>, as: TokenRequest) =>
  ward.api.post(`/feedback/${code}/actions`, body, { as });

async function reportDay(date: string): Promise<Record<string, number>> {
  const item = await dynamo().send(
    new GetCommand({ TableName: ward.resources.tableName, Key: { pk: 'REPORT#ward', sk: `DAY#${date}` } }),
  );
  return (item.Item ?? {}) as Record<string, number>;
}

describe('feedback (PAKN)', () => {
  it('is filed without an account and followed by its code and PIN, never showing the contact', async () => {
    const filed = await fileOne({ dossierCode: '000.00.00.H99-260302-0001' });
    expect(filed.code).toMatch(/^PAKN-[0-9A-Z]{10}$/);
    expect(filed.pin).toMatch(/^\d{8}$/);
    expect(Date.parse(filed.dueAt)).toBeGreaterThan(Date.parse(filed.filedAt));
    const followed = await ward.api.get(`/public/feedback/${filed.code}?pin=${filed.pin}`);
    expect(followed.status).toBe(200);
    expect(followed.body).toMatchObject({ code: filed.code, status: 'received', dueAt: filed.dueAt, answer: null });
    expect(JSON.stringify(followed.body)).not.toContain('0912');
    // Staff see the contact and what was filed.
    const staffView = await ward.api.get(`/feedback/${filed.code}`, { as: officer });
    expect(staffView.body).toMatchObject({ contact, content, dossierCode: '000.00.00.H99-260302-0001' });
    expect(staffView.body.allowedActions).toEqual(['accept', 'refuse', 'request_information']);
    const listed = await ward.api.get('/feedback?status=received', { as: leader });
    expect(listed.body.items.map((i: { code: string }) => i.code)).toContain(filed.code);
    // No dossier worklist shows it.
    const worklist = await ward.api.get('/dossiers', { as: officer });
    expect(JSON.stringify(worklist.body)).not.toContain(filed.code);
  });

  it('moves through accept, ask, information received, resolve and publish, each step on its history', async () => {
    const { code, pin, dueAt } = await fileOne();
    expect((await act(code, { action: 'resolve', answer: 'Đã sửa' }, specialist)).status).toBe(409);
    expect((await act(code, { action: 'accept' }, specialist)).status).toBe(403);
    expect((await act(code, { action: 'accept', note: 'Thuộc thẩm quyền của phường' }, officer)).status).toBe(200);
    const asked = await act(
      code,
      { action: 'request_information', question: 'Đề nghị cho biết ngày nộp hồ sơ' },
      specialist,
    );
    expect(asked.status).toBe(200);
    expect((await ward.api.get(`/public/feedback/${code}?pin=${pin}`)).body).toMatchObject({
      status: 'awaiting_information',
      question: 'Đề nghị cho biết ngày nộp hồ sơ',
    });
    const added = await act(code, { action: 'information_received', note: 'Công dân bổ sung qua điện thoại' }, officer);
    expect(added.status).toBe(200);
    expect(Date.parse(added.body.dueAt)).toBeGreaterThanOrEqual(Date.parse(dueAt));
    const answer = 'Phường đã rà soát và bỏ yêu cầu bản sao không có trong danh mục.';
    const resolved = await act(code, { action: 'resolve', answer }, specialist);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedOnTime: true, allowedActions: [] });
    // A draft answer is not the citizen's to read until it is published.
    expect((await ward.api.get(`/public/feedback/${code}?pin=${pin}`)).body.answer).toBeNull();
    const refused = await act(code, { action: 'publish' }, officer);
    expect(refused.status).toBe(403);
    const published = await act(code, { action: 'publish' }, leader);
    expect(published.status).toBe(200);
    expect(
      published.body.history.map((s: { action: string; toStatus: string }) => `${s.action}>${s.toStatus}`),
    ).toEqual([
      'file>received',
      'accept>accepted',
      'request_information>awaiting_information',
      'information_received>accepted',
      'resolve>resolved',
      'publish>published',
    ]);
    expect(published.body.history[4]).toMatchObject({ note: answer, by: { kind: 'staff', role: 'specialist' } });
    expect((await ward.api.get(`/public/feedback/${code}?pin=${pin}`)).body).toMatchObject({
      status: 'published',
      answer,
    });
    const again = await act(code, { action: 'publish' }, leader);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ currentStatus: 'published', allowedActions: [] });
  });

  it('is refused with a reason, which its sender reads', async () => {
    const { code, pin } = await fileOne();
    const refused = await act(code, { action: 'refuse', reason: 'Không phải quy định hành chính' }, officer);
    expect(refused.status).toBe(200);
    expect((await ward.api.get(`/public/feedback/${code}?pin=${pin}`)).body).toMatchObject({
      status: 'refused',
      refusalReason: 'Không phải quy định hành chính',
    });
    expect((await act(code, { action: 'accept' }, officer)).status).toBe(409);
  });

  it('raises a due-soon alert, then an overdue one, each once, and none once answered', async () => {
    const { code, dueAt } = await fileOne();
    const answered = await fileOne();
    expect((await act(answered.code, { action: 'refuse', reason: 'Trùng lặp' }, officer)).status).toBe(200);
    const alertsOf = async (feedbackCode: string) =>
      ((await ward.api.get('/alerts?limit=100', { as: officer })).body.items as { code: string; kind: string }[])
        .filter((a) => a.code === feedbackCode)
        .map((a) => a.kind)
        .sort();
    const due = Date.parse(dueAt);
    await ward.trigger('deadline-watch', new Date(due - 3_600_000));
    await ward.settle();
    expect(await alertsOf(code)).toEqual(['due_soon']);
    await ward.trigger('deadline-watch', new Date(due - 1_800_000));
    await ward.settle();
    expect(await alertsOf(code)).toEqual(['due_soon']);
    const late = new Date(due + 3 * 24 * 3_600_000);
    await ward.trigger('deadline-watch', late);
    await ward.settle();
    expect(await alertsOf(code)).toEqual(['due_soon', 'overdue']);
    await ward.trigger('deadline-watch', new Date(late.getTime() + 3_600_000));
    await ward.settle();
    expect(await alertsOf(code)).toEqual(['due_soon', 'overdue']);
    const alert = (await ward.api.get('/alerts?limit=100', { as: officer })).body.items.find(
      (a: { code: string }) => a.code === code,
    );
    expect(alert).toMatchObject({ subject: 'feedback', procedureName: 'Phản ánh, kiến nghị' });
    expect(await alertsOf(answered.code)).toEqual([]);
  });

  it('counts feedback received on its day and resolved, on time or not, on the day of the answer, through the stream', async () => {
    const today = localDateOf(Date.now(), ward.ward.timeZone);
    await ward.settle();
    const before = await reportDay(today);
    const onTime = await fileOne();
    expect((await act(onTime.code, { action: 'accept' }, officer)).status).toBe(200);
    expect((await act(onTime.code, { action: 'resolve', answer: 'Đã giải quyết' }, leader)).status).toBe(200);
    // One filed ten days ago and due three days ago, accepted and not yet answered: answering it today is late.
    const code = 'PAKN-XATE000001';
    const filedAt = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await dynamo().send(
      new PutCommand({
        TableName: ward.resources.tableName,
        Item: {
          pk: `FEEDBACK#${code}`,
          sk: 'FEEDBACK',
          entity: 'feedback',
          code,
          version: 2,
          status: 'accepted',
          content,
          contact,
          // Never looked up here: its sender follows it no further.
          pinHash: 'hmac-sha256$',
          filedAt,
          dueAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
          steps: 2,
          listStatus: 'FEEDBACK#accepted',
          listAll: 'FEEDBACK',
          filedSort: `${filedAt}#${code}`,
        },
      }),
    );
    const late = await act(code, { action: 'resolve', answer: 'Đã giải quyết, chậm' }, specialist);
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(late.body.resolvedOnTime).toBe(false);
    await ward.settle();
    const after = await reportDay(today);
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect(delta('feedback_received')).toBe(1);
    expect(delta('feedback_resolved')).toBe(2);
    expect(delta('feedback_resolved_on_time')).toBe(1);
    expect((await reportDay(localDateOf(Date.parse(filedAt), ward.ward.timeZone))).feedback_received).toBe(1);
  });
});

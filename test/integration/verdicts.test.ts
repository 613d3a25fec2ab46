import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { keys } from '../../shared/adapters/dossier-store.ts';
import { addDays, localDateOf } from '../../shared/domain/zoned-time.ts';
import { maritalStatus } from '../support/fixtures.ts';
import { calendarOf, seedDossier } from '../support/seed.ts';
import { type ApiResponse, leader, officer, startTestWard, type TestWard } from '../support/ward.ts';

/**
 * Verdicts the law accepts, through the API and the table stream: an apology (form 04) sets the citizen's new
 * appointment but does not move the due date, so a dossier ready after it is late, with an apology, and counted so;
 * an apology comes at the latest the day before the due date. Dossiers received on an earlier day are seeded as
 * intake would have written them (test/support/seed.ts); everything after is done through the API.
 */
let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard();
});
afterAll(async () => {
  await ward?.stop();
});

const localDate = (instant: number | string) =>
  localDateOf(typeof instant === 'number' ? instant : Date.parse(instant), ward.ward.timeZone);
const assignee = { role: 'specialist', username: 'specialist.42' } as const;

interface Held {
  code: string;
  etag: string;
}
const held = async (code: string): Promise<Held> => ({
  code,
  etag: (await ward.api.get(`/dossiers/${code}`, { as: officer })).headers.get('etag')!,
});
async function act(
  dossier: Held,
  body: Record<string, unknown>,
  as: TokenRequest,
  expected = 200,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const response = await ward.api.post(`/dossiers/${dossier.code}/actions`, body, {
    as,
    headers: { 'if-match': dossier.etag, ...headers },
  });
  expect(response.status, `${String(body.action)}: ${JSON.stringify(response.body)}`).toBe(expected);
  if (response.status === 200) dossier.etag = response.headers.get('etag')!;
  return response;
}
async function resolve(dossier: Held) {
  await act(dossier, { action: 'assign', assignee: 'specialist.42' }, leader);
  await act(dossier, { action: 'submit_for_approval' }, assignee);
  await act(dossier, { action: 'approve' }, leader);
  return (await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body;
}
const report = async (query: string) => {
  await ward.settle();
  const answer = await ward.api.get(`/reports?${query}`, { as: leader });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.figures;
};
/** A working day's appointment some working days after `instant`, as the apology's new date. */
const workingDaysAfter = (instant: number, days: number) =>
  new Date(calendarOf(ward.ward).addWorkingMinutes(instant, days * 480)).toISOString();

describe('an apology', () => {
  it('is refused on the due date and after it, in problem+json naming the rule, and nothing is written', async () => {
    const now = Date.now();
    const dueToday = await seedDossier(ward, maritalStatus(), {
      receivedAt: '2026-03-02T02:00:00.000Z',
      sequence: 1,
      dueAt: new Date(now).toISOString(),
    });
    const dueYesterday = await seedDossier(ward, maritalStatus(), {
      receivedAt: '2026-03-02T02:00:00.000Z',
      sequence: 2,
      dueAt: new Date(now - 86_400_000).toISOString(),
    });
    for (const seeded of [dueToday, dueYesterday]) {
      const dossier = await held(seeded.code);
      const body = { action: 'apologize', reason: 'Chờ xác minh', newDueAt: workingDaysAfter(now, 2) };
      const vi = await act(dossier, body, officer, 422);
      expect(vi.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const lastDay = addDays(localDate(seeded.dueAt!), -1);
      expect(vi.body).toMatchObject({
        status: 422,
        dueAt: seeded.dueAt,
        lastDay,
        errors: [{ in: 'body', field: 'action', rule: 'apology_before_due_date' }],
      });
      expect(vi.body.detail).toContain('chậm nhất 01 ngày trước ngày hết hạn');
      expect(vi.body.detail).toContain(lastDay);
      const en = await act(dossier, body, officer, 422, { 'accept-language': 'en' });
      expect(en.body.detail).toContain('at the latest one day before the due date');
      const view = (await ward.api.get(`/dossiers/${seeded.code}`, { as: officer })).body;
      expect(view).toMatchObject({ version: seeded.version, apologies: [], overdue: seeded === dueYesterday });
    }
  });
});

describe('a late dossier with an apology', () => {
  it('is late, shows the apology’s appointment, and counts as late and as an apology; one ready in time is on time', async () => {
    const now = Date.now();
    // Received on Monday 2 March 2026, due three working days later; apologised for on the 4th with a date
    // beyond today (as the apology action writes it), and resolved only now: late, with an apology.
    const seeded = await seedDossier(ward, maritalStatus(), { receivedAt: '2026-03-02T02:00:00.000Z', sequence: 3 });
    const apology = {
      at: '2026-03-04T02:00:00.000Z',
      reason: 'Chờ xác minh của Công an phường',
      previousDueAt: seeded.dueAt!,
      newDueAt: workingDaysAfter(now, 2),
    };
    await dynamo().send(
      new UpdateCommand({
        TableName: ward.resources.tableName,
        Key: keys.dossier(seeded.code),
        UpdateExpression: 'SET apologies = :apologies, apologizedAt = :at',
        ExpressionAttributeValues: { ':apologies': [apology], ':at': apology.at },
      }),
    );
    const late = await resolve(await held(seeded.code));
    expect(late).toMatchObject({
      status: 'resolved',
      timing: 'late',
      dueAt: seeded.dueAt,
      appointmentAt: apology.newDueAt,
      apologizedAt: apology.at,
    });

    // Due in a few days, apologised for today through the API: ready now, it is early, and its apology counts.
    const inTime = await seedDossier(ward, maritalStatus(), {
      receivedAt: '2026-03-02T02:00:00.000Z',
      sequence: 4,
      dueAt: workingDaysAfter(now, 3),
    });
    const dossier = await held(inTime.code);
    const newDueAt = workingDaysAfter(now, 5);
    const apologized = await act(dossier, { action: 'apologize', reason: 'Chờ xác minh', newDueAt }, officer);
    expect(apologized.body.dueAt).toBe(inTime.dueAt);
    const lookedUp = (await ward.api.get(`/dossiers/${inTime.code}`, { as: officer })).body;
    expect(lookedUp).toMatchObject({ dueAt: inTime.dueAt, appointmentAt: newDueAt, overdue: false });
    const early = await resolve(dossier);
    expect(early).toMatchObject({ timing: localDate(now) < localDate(inTime.dueAt!) ? 'early' : 'on_time' });

    const figures = await report(`from=2026-03-01&to=${localDate(now + 86_400_000)}&procedure=1.004873`);
    expect(figures).toMatchObject({ resolved: 2, late: 1, lateWithApology: 1 });
    expect(figures.early + figures.onTime).toBe(1);
    expect(figures.apologies).toBe(2);
    // The seeded apology counts on its own day.
    expect((await report('from=2026-03-04&to=2026-03-04&procedure=1.004873')).apologies).toBe(1);
  });
});

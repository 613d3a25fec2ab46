import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { applicant, idempotent } from '../support/fixtures.ts';
import { calendarOf } from '../support/seed.ts';
import { leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Every figure of GET /reports against a recount made here from the dossiers themselves. A quarter of dossiers
 * (2025-Q3, with some received in June and some acted on in October) is run through the API on a clock the test
 * moves (the gateway stamps each request with it), so nothing depends on today's date. The recount reads the
 * dossier items back from the table and counts with its own rules, written from DOMAIN.md, not the aggregator's.
 */

let ward: TestWard;
let clock = Date.parse('2025-06-23T02:00:00.000Z');
beforeAll(async () => {
  ward = await startTestWard((w) => w, { requestClock: () => clock });
});
afterAll(async () => {
  await ward?.stop();
});

// ---- Driving the API -------------------------------------------------------------------------------------------

const specialist = (username: string) => ({ role: 'specialist', username }) as const;
const S42 = specialist('specialist.42'); // Tư pháp – Hộ tịch
const S43 = specialist('specialist.43'); // Kinh tế – Hạ tầng – Đô thị

interface Held {
  code: string;
  etag: string;
  dueAt?: string;
}
/** The ward's morning (9:00) or afternoon (14:00) of a day, as an instant. */
const at = (date: string, hour = 9) => Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00+07:00`);

/** At most this many tries of a request the local runner answered 503 (a function cold on a busy machine). */
const TRIES = 4;

async function file(when: number, body: Record<string, unknown>, as: TokenRequest): Promise<Held> {
  clock = when;
  // A retry with the same Idempotency-Key is answered with the first filing, if there was one.
  const headers = idempotent();
  let filed = await ward.api.post('/dossiers', { applicant, ...body }, { as, headers });
  for (let n = 1; filed.status === 503 && n < TRIES; n++)
    filed = await ward.api.post('/dossiers', { applicant, ...body }, { as, headers });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return { code: filed.body.code, etag: filed.headers.get('etag')!, dueAt: filed.body.dueAt };
}
async function act(when: number, dossier: Held, body: Record<string, unknown>, as: TokenRequest) {
  clock = when;
  const send = () =>
    ward.api.post(`/dossiers/${dossier.code}/actions`, body, { as, headers: { 'if-match': dossier.etag } });
  let answer = await send();
  for (let n = 1; answer.status === 503 && n < TRIES; n++) {
    // It may have been written before the answer was late: then the dossier's version moved on.
    const now = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    if (now.headers.get('etag') !== dossier.etag) {
      dossier.etag = now.headers.get('etag')!;
      dossier.dueAt = now.body.dueAt ?? dossier.dueAt;
      return;
    }
    answer = await send();
  }
  expect(answer.status, `${String(body.action)} ${dossier.code}: ${JSON.stringify(answer.body)}`).toBe(200);
  dossier.etag = answer.headers.get('etag')!;
  dossier.dueAt = answer.body.dueAt ?? dossier.dueAt;
}
const resolve = async (when: number, dossier: Held, assignee: TokenRequest) => {
  await act(when, dossier, { action: 'submit_for_approval' }, assignee);
  await act(when, dossier, { action: 'approve' }, leader);
};
const assign = (when: number, dossier: Held, username: string) =>
  act(when, dossier, { action: 'assign', assignee: username }, leader);

const cash = { method: 'cash', paid: true };
const paidOnline = (ref: string) => ({ method: 'online', paid: true, transactionRef: ref });

/** The quarter's story, in the order it happened. */
async function runTheQuarter() {
  // June: one finished before the quarter, three carried into it.
  const d1 = await file(
    at('2025-06-23'),
    { procedureCode: '1.004873', channel: 'in_person', components: ['TK'], payment: cash },
    officer,
  );
  await assign(at('2025-06-24'), d1, 'specialist.42');
  await resolve(at('2025-06-25'), d1, S42);
  const d2 = await file(
    at('2025-06-26'),
    { procedureCode: '1.012780', channel: 'in_person', components: ['DK', 'GCN', 'HD'] },
    officer,
  );
  await assign(at('2025-06-27'), d2, 'specialist.43');
  const d3 = await file(
    at('2025-06-30'),
    { procedureCode: '1.004222', channel: 'online', components: ['TK', 'CHO'], payment: paidOnline('PAY-0630-1') },
    portal,
  );
  await act(at('2025-06-30', 14), d3, { action: 'accept' }, officer);
  const d4 = await file(
    at('2025-06-30'),
    { procedureCode: '2.001035', channel: 'in_person', components: ['DTHD', 'GTTS'], payment: cash },
    officer,
  );

  // July.
  await assign(at('2025-07-01'), d3, 'specialist.42');
  await act(at('2025-07-02'), d3, { action: 'request_supplement', missing: ['CHO'] }, S42);
  const d5 = await file(
    at('2025-07-07'),
    { procedureCode: '1.001193', channel: 'online', components: ['TK', 'GCS'] },
    portal,
  );
  await act(at('2025-07-07', 14), d5, { action: 'refuse', reason: 'Không thuộc thẩm quyền của phường' }, officer);
  await resolve(at('2025-07-08'), d2, S43);
  const d6 = await file(
    at('2025-07-08'),
    {
      procedureCode: '1.004873',
      channel: 'in_person',
      components: ['TK'],
      payment: { method: 'exempt', legalBasis: 'Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC' },
    },
    officer,
  );
  await assign(at('2025-07-08', 14), d6, 'specialist.42');
  await resolve(at('2025-07-09'), d6, S42);
  await act(at('2025-07-10'), d6, { action: 'return_result', channel: 'in_person' }, officer);
  const d7 = await file(
    at('2025-07-14'),
    { procedureCode: '1.004222', channel: 'postal', components: ['TK', 'CHO'], payment: { method: 'cash' } },
    officer,
  );
  await act(at('2025-07-15'), d7, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, officer);
  await assign(at('2025-07-15'), d7, 'specialist.42');
  const newDueAt = new Date(calendarOf(ward.ward).addWorkingMinutes(Date.parse(d7.dueAt!), 480)).toISOString();
  await act(at('2025-07-15', 14), d7, { action: 'apologize', reason: 'Chờ xác minh nơi cư trú', newDueAt }, leader);
  const d8 = await file(
    at('2025-07-15'),
    { procedureCode: '1.001731', channel: 'in_person', components: ['TK', 'GBT'] },
    officer,
  );
  await assign(at('2025-07-15', 14), d8, 'specialist.44');
  // Moved to another department: its counters go with it.
  await assign(at('2025-07-16'), d8, 'specialist.42');
  await act(at('2025-07-17'), d8, { action: 'reject', reason: 'Không đủ điều kiện hưởng trợ cấp' }, leader);
  await act(at('2025-07-21'), d3, { action: 'supplement_received', components: ['CHO'] }, officer);
  await resolve(at('2025-07-21', 14), d7, S42);
  const d9 = await file(
    at('2025-07-21'),
    { procedureCode: '1.004873', channel: 'online', components: ['TK'], payment: paidOnline('PAY-0721-1') },
    portal,
  );
  await act(at('2025-07-21', 14), d9, { action: 'accept' }, officer);
  await act(at('2025-07-22'), d9, { action: 'withdraw', reason: 'Công dân xin rút hồ sơ' }, portal);
  const d10 = await file(
    at('2025-07-22'),
    { procedureCode: '2.000720', channel: 'in_person', components: ['GDN'], payment: cash },
    officer,
  );
  await act(at('2025-07-25'), d10, { action: 'stop', reason: 'Người yêu cầu đã chuyển đi nơi khác' }, leader);

  // August.
  await resolve(at('2025-08-05'), d3, S42);
  const d11 = await file(
    at('2025-08-04'),
    { procedureCode: '1.004873', channel: 'in_person', components: ['TK'], payment: cash },
    officer,
  );
  await assign(at('2025-08-05'), d11, 'specialist.42');
  await resolve(at('2025-08-07', 14), d11, S42);
  const d12 = await file(
    at('2025-08-11'),
    { procedureCode: '2.000720', channel: 'online', components: ['GDN'], payment: { method: 'online' } },
    portal,
  );
  await act(at('2025-08-11', 14), d12, { action: 'accept' }, officer);
  await act(
    at('2025-08-12'),
    d12,
    { action: 'record_payment', method: 'online', amountVnd: 100000, transactionRef: 'PAY-0812-1' },
    portal,
  );
  await assign(at('2025-08-12', 14), d12, 'specialist.43');
  await resolve(at('2025-08-13'), d12, S43);
  await act(at('2025-08-14'), d12, { action: 'return_result', channel: 'in_person' }, officer);
  const d13 = await file(
    at('2025-08-18'),
    { procedureCode: '1.012780', channel: 'in_person', components: ['DK', 'GCN', 'HD'] },
    officer,
  );
  await assign(at('2025-08-19'), d13, 'specialist.43');
  const d17 = await file(
    at('2025-08-20'),
    { procedureCode: '1.004222', channel: 'postal', components: ['TK', 'CHO'], payment: cash },
    officer,
  );

  // September: some still open at the quarter's end, within the deadline or not, one waiting for a supplement.
  const d14 = await file(
    at('2025-09-25'),
    { procedureCode: '1.012755', channel: 'in_person', components: ['DK'] },
    officer,
  );
  await act(at('2025-09-25', 14), d14, { action: 'assign', department: 'Kinh tế – Hạ tầng – Đô thị' }, leader);
  const d15 = await file(
    at('2025-09-29'),
    { procedureCode: '1.004873', channel: 'in_person', components: ['TK'], payment: cash },
    officer,
  );
  await act(at('2025-09-30'), d15, { action: 'request_supplement', missing: ['BAN'] }, officer);
  const d16 = await file(
    at('2025-09-30', 14),
    { procedureCode: '2.000815', channel: 'online', components: ['BC'], payment: paidOnline('PAY-0930-1') },
    portal,
  );
  await act(at('2025-09-30', 15), d16, { action: 'accept' }, officer);

  // October: after the quarter.
  await act(at('2025-10-02'), d15, { action: 'supplement_received', components: ['BAN'] }, officer);
  await assign(at('2025-10-06'), d17, 'specialist.42');
  await resolve(at('2025-10-06', 14), d17, S42);
  await ward.settle();
  return [d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15, d16, d17];
}

// ---- The recount -------------------------------------------------------------------------------------------------

/** A dossier as the table holds it: only what the recount reads. */
interface StoredDossier {
  code: string;
  status: string;
  channel: 'online' | 'in_person' | 'postal';
  procedure: { code: string; fieldCode: string; onlineLevel: string };
  department?: string;
  receivedAt?: string;
  dueAt?: string;
  resolvedAt?: string;
  returnedAt?: string;
  finishedAt?: string;
  supplement?: unknown;
  apologies: { at: string }[];
  components: { mandatory: boolean; document?: unknown }[];
  fee: { amountVnd: number; method: string | null; paidAt?: string; paidAmountVnd?: number };
}

async function dossiersInTable(): Promise<StoredDossier[]> {
  const found: StoredDossier[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({
        TableName: ward.resources.tableName,
        FilterExpression: 'sk = :sk',
        ExpressionAttributeValues: { ':sk': 'DOSSIER' },
        ExclusiveStartKey,
      }),
    );
    // The store leaves out empty lists.
    for (const item of page.Items ?? [])
      found.push({ ...item, apologies: item.apologies ?? [], components: item.components ?? [] } as StoredDossier);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return found;
}

/** The ward's calendar date of an instant (Viet Nam has had no daylight saving time since 1975: UTC+7). */
const day = (instant: string | undefined) =>
  instant === undefined ? undefined : new Date(Date.parse(instant) + 7 * 3_600_000).toISOString().slice(0, 10);

function percent(numerator: number, denominator: number) {
  if (denominator === 0) return { numerator, denominator, percent: null };
  // Half up, in hundredths of a percent, computed apart from figures.ts's integer arithmetic.
  const hundredths = Math.round((numerator * 10_000 * 1_000_000) / denominator / 1_000_000);
  return { numerator, denominator, percent: `${(hundredths / 100).toFixed(2)}%` };
}

/** Every figure of a period, counted from the dossiers: DOMAIN.md's definitions, one by one. */
function recount(all: StoredDossier[], from: string, to: string) {
  const inPeriod = (instant: string | undefined) => {
    const d = day(instant);
    return d !== undefined && d >= from && d <= to;
  };
  const received = all.filter((d) => inPeriod(d.receivedAt));
  const count = (rows: StoredDossier[], test: (d: StoredDossier) => boolean) => rows.filter(test).length;
  const ended = (d: StoredDossier) => day(d.resolvedAt ?? d.finishedAt);
  const verdict = (d: StoredDossier) => {
    const [ready, due] = [day(d.resolvedAt)!, day(d.dueAt)!];
    return ready < due ? 'early' : ready === due ? 'on_time' : 'late';
  };
  const resolved = all.filter((d) => inPeriod(d.resolvedAt));
  const finishedAs = (status: string) => count(all, (d) => d.status === status && inPeriod(d.finishedAt));
  // Open at the end of `to`: received by then, not ended by then; overdue if its clock has a due date before `to`.
  const open = all.filter((d) => d.receivedAt && day(d.receivedAt)! <= to && !(ended(d) && ended(d)! <= to));
  const overdue = count(open, (d) => d.supplement === undefined && d.dueAt !== undefined && day(d.dueAt)! < to);
  const capable = received.filter((d) => d.procedure.onlineLevel !== 'none');
  const full = received.filter((d) => d.procedure.onlineLevel === 'full');
  const online = (d: StoredDossier) => d.channel === 'online';
  const feeBearing = received.filter((d) => d.fee.amountVnd > 0 && d.fee.method !== 'exempt');
  const paid = received.filter((d) => d.fee.paidAt !== undefined);
  const paidOnline = paid.filter((d) => d.fee.method === 'online');
  const amount = (d: StoredDossier) => d.fee.paidAmountVnd ?? d.fee.amountVnd;
  const early = count(resolved, (d) => verdict(d) === 'early');
  const onTime = count(resolved, (d) => verdict(d) === 'on_time');
  return {
    carriedOver: count(all, (d) => !!d.receivedAt && day(d.receivedAt)! < from && !(ended(d) && ended(d)! < from)),
    received: received.length,
    receivedOnline: count(received, online),
    receivedInPerson: count(received, (d) => d.channel === 'in_person'),
    receivedPostal: count(received, (d) => d.channel === 'postal'),
    notAccepted: finishedAs('not_accepted'),
    onlineShare: percent(count(received, online), received.length),
    onlineRate: percent(count(capable, online), capable.length),
    fullOnlineRate: percent(count(full, online), full.length),
    resolved: resolved.length,
    early,
    onTime,
    late: resolved.length - early - onTime,
    lateWithApology: count(resolved, (d) => verdict(d) === 'late' && d.apologies.length > 0),
    onTimeRate: percent(early + onTime, resolved.length),
    inProgressWithinDeadline: open.length - overdue,
    inProgressOverdue: overdue,
    returned: count(all, (d) => inPeriod(d.returnedAt)),
    rejected: finishedAs('rejected'),
    withdrawn: finishedAs('withdrawn'),
    stopped: finishedAs('stopped'),
    apologies: all.flatMap((d) => d.apologies).filter((a) => inPeriod(a.at)).length,
    digitisationRate: percent(
      count(received, (d) => d.components.filter((c) => c.mandatory).every((c) => c.document !== undefined)),
      received.length,
    ),
    eResults: 0,
    reused: 0,
    feeBearing: feeBearing.length,
    paid: paid.length,
    paidOnline: paidOnline.length,
    onlinePaymentRate: percent(paidOnline.length, feeBearing.length),
    feesPaidOnlineVnd: paidOnline.reduce((n, d) => n + amount(d), 0),
    feesTotalVnd: paid.reduce((n, d) => n + amount(d), 0),
    satisfactionRate: percent(0, 0),
    feedbackReceived: 0,
    feedbackResolved: 0,
    feedbackOnTime: 0,
  };
}

/** Which group of each grouping a dossier is in, as the recount sees it. */
const groupOf = {
  field: (d: StoredDossier) => d.procedure.fieldCode,
  procedure: (d: StoredDossier) => d.procedure.code,
  channel: (d: StoredDossier) => d.channel,
  department: (d: StoredDossier) => d.department ?? '',
} as const;

// ---- The tests ---------------------------------------------------------------------------------------------------

let dossiers: StoredDossier[];
beforeAll(async () => {
  await runTheQuarter();
  dossiers = await dossiersInTable();
}, 600_000);

const report = async (query: string) => {
  const answer = await ward.api.get(`/reports?${query}`, { as: leader });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

describe('every figure of a period against a recount from the dossiers', () => {
  it.each([
    ['a quarter', 'period=2025-Q3', '2025-07-01', '2025-09-30'],
    ['a month', 'period=2025-08', '2025-08-01', '2025-08-31'],
    ['a custom range', 'from=2025-07-15&to=2025-08-20', '2025-07-15', '2025-08-20'],
    ['the month before', 'period=2025-06', '2025-06-01', '2025-06-30'],
  ])('%s (%s), ungrouped and by field, procedure, channel and department', async (_name, query, from, to) => {
    expect(dossiers).toHaveLength(17);
    const totals = await report(query);
    expect(totals.period).toEqual({ from, to });
    expect(totals.figures).toEqual(recount(dossiers, from, to));
    for (const grouping of ['field', 'procedure', 'channel', 'department'] as const) {
      const grouped = await report(`${query}&groupBy=${grouping}`);
      expect(grouped.figures).toEqual(totals.figures);
      expect(grouped.groups.length).toBeGreaterThan(1);
      for (const group of grouped.groups) {
        const members = dossiers.filter((d) => groupOf[grouping](d) === group.key);
        expect(group.figures, `${grouping} ${group.key}`).toEqual(recount(members, from, to));
      }
      // Every dossier is in one of the groups.
      const keys = new Set(grouped.groups.map((g: { key: string }) => g.key));
      expect(dossiers.filter((d) => !keys.has(groupOf[grouping](d)))).toEqual([]);
    }
  });

  it('has the story’s figures where the story says them', async () => {
    const quarter = (await report('period=2025-Q3')).figures;
    // Three received in June were open on 1 July; at the end of September three are overdue (one never touched since
    // June, two past their due dates in August and September) and three within the deadline (one waiting for a
    // supplement then).
    expect(quarter).toMatchObject({ carriedOver: 3, inProgressOverdue: 3, inProgressWithinDeadline: 3 });
    expect(quarter).toMatchObject({ notAccepted: 1, rejected: 1, withdrawn: 1, stopped: 1, apologies: 1 });
    expect(quarter).toMatchObject({ late: 2, lateWithApology: 1 });
    const byDepartment = (await report('period=2025-Q3&groupBy=department')).groups;
    const culture = byDepartment.find((g: { key: string }) => g.key === 'Văn hóa – Xã hội');
    // The dossier moved from Văn hóa – Xã hội to Tư pháp – Hộ tịch is counted where it is now.
    expect(culture.figures.received).toBe(0);
  });

  it('answers a clear 400 for a period given both ways, or a grouping a scope does not have', async () => {
    const both = await ward.api.get('/reports?period=2025-Q3&from=2025-07-01&to=2025-09-30', {
      as: leader,
      headers: { 'accept-language': 'en' },
    });
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'period', rule: 'report_period_one_form' })]);
    const badName = await ward.api.get('/reports?period=2025-Q5', { as: leader });
    expect(badName.status).toBe(400);
    expect(badName.body.errors).toEqual([expect.objectContaining({ field: 'period', rule: 'report_period_name' })]);
    expect(badName.body.errors[0].message).toContain('2025-Q3');
    const grouped = await ward.api.get('/reports?period=2025&procedure=1.004873&groupBy=channel', { as: leader });
    expect(grouped.status).toBe(400);
    expect(grouped.body.errors).toEqual([expect.objectContaining({ field: 'groupBy', rule: 'report_group_in_scope' })]);
  });
});

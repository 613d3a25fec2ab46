import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { localDateOf } from '../../shared/domain/zoned-time.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { seedDossier } from '../support/seed.ts';
import { type ApiResponse, leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/**
 * How dossiers end, as the API and the reports tell it. Dossiers received on an earlier day, or due before now, are
 * seeded in the table as intake would have written them (test/support/seed.ts); everything after is done through
 * the API.
 */
let ward: TestWard;
/** From the day the file started to the next, in case it runs across midnight in Viet Nam. */
let period: string;
beforeAll(async () => {
  ward = await startTestWard();
  const now = Date.now();
  period = `from=${localDate(now)}&to=${localDate(now + 86_400_000)}`;
});
afterAll(async () => {
  await ward?.stop();
});

const localDate = (instant: number | string) =>
  localDateOf(typeof instant === 'number' ? instant : Date.parse(instant), ward.ward.timeZone);
const assignee = { role: 'specialist', username: 'specialist.42' } as const;

/** A dossier as a client holds it: its code and the ETag of the version last seen. */
interface Held {
  code: string;
  etag: string;
}
const held = async (code: string): Promise<Held> => ({
  code,
  etag: (await ward.api.get(`/dossiers/${code}`, { as: officer })).headers.get('etag')!,
});
async function file(body: Record<string, unknown>, as: TokenRequest) {
  const filed = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return { code: filed.body.code as string, etag: filed.headers.get('etag')!, pin: filed.body.lookup.pin as string };
}
async function act(dossier: Held, body: Record<string, unknown>, as: TokenRequest): Promise<ApiResponse> {
  const response = await ward.api.post(`/dossiers/${dossier.code}/actions`, body, {
    as,
    headers: { 'if-match': dossier.etag },
  });
  expect(response.status, `${String(body.action)}: ${JSON.stringify(response.body)}`).toBe(200);
  dossier.etag = response.headers.get('etag')!;
  return response;
}
/** Assigned to specialist.42, submitted and approved: resolved now. */
async function resolve(dossier: Held) {
  await act(dossier, { action: 'assign', assignee: 'specialist.42' }, leader);
  await act(dossier, { action: 'submit_for_approval' }, assignee);
  const approved = await act(dossier, { action: 'approve' }, leader);
  return { approved, view: (await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body };
}
const report = async (query: string) => {
  await ward.settle();
  const answer = await ward.api.get(`/reports?${query}`, { as: leader });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.figures;
};

describe('early, on time and late', () => {
  it('are told by calendar date in the ward’s time zone, on the dossier, its slip, its lookup and in the reports', async () => {
    // Early: received now, three working days to go.
    const filed = await file(maritalStatus(), officer);
    const early = await resolve(filed);
    expect(early.view).toMatchObject({ status: 'resolved', timing: 'early', overdue: false });
    expect(early.approved.body.controlSlipEntry).toMatchObject({ action: 'approve', withinDeadline: true });
    const lookup = await ward.api.get(`/public/dossiers/${filed.code}?pin=${filed.pin}`);
    expect(lookup.body).toMatchObject({ status: 'resolved', timing: 'early', finishedAt: early.view.resolvedAt });

    // Late: received on Monday 2 March 2026, due three working days later, resolved only now.
    const overdue = await seedDossier(ward, maritalStatus(), { receivedAt: '2026-03-02T02:00:00.000Z', sequence: 1 });
    expect(overdue.dueAt).toBe('2026-03-05T02:00:00.000Z');
    expect((await ward.api.get(`/dossiers/${overdue.code}`, { as: officer })).body).toMatchObject({
      overdue: true,
      dueSoon: false,
    });
    const late = await resolve(await held(overdue.code));
    expect(late.view).toMatchObject({ status: 'resolved', timing: 'late', overdue: false });
    expect(late.approved.body.controlSlipEntry).toMatchObject({ action: 'approve', withinDeadline: false });

    // On time: due at the start of today, resolved later the same day; it is the date that counts, not the hour.
    const startOfToday = new Date(Date.parse(`${localDate(Date.now())}T00:00:00+07:00`)).toISOString();
    const dueToday = await seedDossier(ward, maritalStatus(), {
      receivedAt: '2026-03-02T03:00:00.000Z',
      sequence: 2,
      dueAt: startOfToday,
    });
    const onTime = await resolve(await held(dueToday.code));
    // Unless midnight passed between the two lines above: then the next day, and late.
    const sameDay = localDate(onTime.view.resolvedAt) === localDate(startOfToday);
    expect(onTime.view.timing).toBe(sameDay ? 'on_time' : 'late');
    expect(onTime.approved.body.controlSlipEntry.withinDeadline).toBe(sameDay);

    const figures = await report(`${period}&procedure=1.004873`);
    expect(figures).toMatchObject({
      resolved: 3,
      early: 1,
      onTime: sameDay ? 1 : 0,
      late: sameDay ? 1 : 2,
      lateWithApology: 0,
      onTimeRate: sameDay
        ? { numerator: 2, denominator: 3, percent: '66.67%' }
        : { numerator: 1, denominator: 3, percent: '33.33%' },
    });
    // Counted on the day of the resolution, not of the receipt.
    expect((await report('from=2026-03-02&to=2026-03-02&procedure=1.004873')).resolved).toBe(0);
  });
});

describe('other ends', () => {
  it('count refused, rejected, withdrawn and stopped dossiers on the day they ended', async () => {
    const refused = await file(birthRegistration(), portal);
    await act(refused, { action: 'refuse', reason: 'Không thuộc thẩm quyền của phường' }, officer);
    const rejected = await file(maritalStatus({ procedureCode: '1.004222', components: ['TK', 'CHO'] }), officer);
    await act(rejected, { action: 'assign', assignee: 'specialist.43' }, leader);
    await act(rejected, { action: 'reject', reason: 'Chỗ ở không hợp pháp' }, leader);
    const withdrawn = await file(birthRegistration(), portal);
    await act(withdrawn, { action: 'accept' }, officer);
    await act(withdrawn, { action: 'withdraw', reason: 'Công dân xin rút hồ sơ' }, portal);
    const stopped = await file(maritalStatus({ procedureCode: '1.004222', components: ['TK', 'CHO'] }), officer);
    await act(stopped, { action: 'stop', reason: 'Người yêu cầu đã chuyển đi nơi khác' }, leader);

    const ward = await report(period);
    expect(ward).toMatchObject({ returned: 0, rejected: 1, withdrawn: 1, stopped: 1, apologies: 0 });
    expect(ward.notAccepted).toBe(1);
    // Each under its own procedure (and field) as well.
    expect(await report(`${period}&procedure=1.004222`)).toMatchObject({ rejected: 1, stopped: 1 });
    expect(await report(`${period}&procedure=1.001193`)).toMatchObject({ withdrawn: 1, rejected: 0 });
    expect(await report(`${period}&field=CUTRU`)).toMatchObject({ rejected: 1, stopped: 1, withdrawn: 0 });
  });
});

describe('a payment recorded after receipt', () => {
  it('counts with the dossiers received on the day of receipt, paid online with its amount', async () => {
    const unpaid = await seedDossier(ward, maritalStatus({ payment: { method: 'online', paid: false } }), {
      receivedAt: '2026-03-03T02:00:00.000Z',
      sequence: 1,
    });
    const onReceiptDay = 'from=2026-03-03&to=2026-03-03&procedure=1.004873';
    expect(await report(onReceiptDay)).toMatchObject({
      feeBearing: 1,
      paid: 0,
      paidOnline: 0,
      onlinePaymentRate: { numerator: 0, denominator: 1, percent: '0.00%' },
      feesPaidOnlineVnd: 0,
    });
    const paid = await act(
      await held(unpaid.code),
      { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-20261201-0042' },
      officer,
    );
    expect(paid.body.controlSlipEntry.payment).toEqual({
      method: 'online',
      amountVnd: 15000,
      transactionRef: 'PAYGOV-20261201-0042',
    });
    expect(await report(onReceiptDay)).toMatchObject({
      feeBearing: 1,
      paid: 1,
      paidOnline: 1,
      onlinePaymentRate: { numerator: 1, denominator: 1, percent: '100.00%' },
      feesPaidOnlineVnd: 15000,
    });
    // Not again on the day it was paid.
    expect(await report(`${period}&procedure=1.004873`)).toMatchObject({ paidOnline: 0, feesPaidOnlineVnd: 0 });
    const seen = (await ward.api.get(`/dossiers/${unpaid.code}`, { as: officer })).body;
    expect(seen.fee).toMatchObject({ method: 'online', paidAmountVnd: 15000, transactionRef: 'PAYGOV-20261201-0042' });
    expect(localDate(seen.fee.paidAt)).toBe(localDate(paid.body.controlSlipEntry.at));
  });
});

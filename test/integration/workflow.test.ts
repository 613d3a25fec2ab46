import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { birthRegistration, idempotent, maritalStatus, PDF_BYTES } from '../support/fixtures.ts';
import { countDynamoCalls } from '../support/sdk-calls.ts';
import {
  type ApiResponse,
  leader,
  officer,
  portal,
  specialist,
  startTestWard,
  type TestWard,
} from '../support/ward.ts';

let ward: TestWard;
let sdk: ReturnType<typeof countDynamoCalls>;
beforeAll(async () => {
  ward = await startTestWard();
  sdk = countDynamoCalls(ward);
});
afterAll(async () => {
  await ward?.stop();
});

/** A dossier as a client holds it: its code and the ETag of the version last seen. */
interface Held {
  code: string;
  etag: string;
}

async function file(body: Record<string, unknown>, as: TokenRequest): Promise<Held> {
  const filed = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return { code: filed.body.code, etag: filed.headers.get('etag')! };
}

async function act(held: Held, body: Record<string, unknown>, as: TokenRequest, expected = 200): Promise<ApiResponse> {
  const response = await ward.api.post(`/dossiers/${held.code}/actions`, body, {
    as,
    headers: { 'if-match': held.etag },
  });
  expect(response.status, `${String(body.action)}: ${JSON.stringify(response.body)}`).toBe(expected);
  if (response.status === 200) held.etag = response.headers.get('etag')!;
  return response;
}

const sample = readWardFile('sample');
const calendar = new WorkingCalendar({
  timeZone: sample.timeZone,
  sessions: sample.officeHours.sessions,
  weekdays: sample.officeHours.weekdays,
  holidayOverrides: sample.holidayOverrides,
});
/** A new appointment some working days after a due date: whatever day the test runs, it is a working day. */
const later = (iso: string, days: number) =>
  new Date(calendar.addWorkingMinutes(Date.parse(iso), days * 480)).toISOString();

describe('the legal workflow through the API', () => {
  it('takes an online dossier from submission to the returned result, every step on the control slip', async () => {
    const dossier = await file(birthRegistration(), portal);
    const accepted = await act(dossier, { action: 'accept', note: 'Hồ sơ đủ, đúng' }, officer);
    expect(accepted.body).toMatchObject({
      status: 'received',
      version: 2,
      allowedActions: ['assign', 'request_supplement', 'withdraw', 'apologize'],
    });
    const dueAt = accepted.body.dueAt as string;
    await act(dossier, { action: 'assign', assignee: 'specialist.local', department: 'Tư pháp – Hộ tịch' }, leader);
    await act(
      dossier,
      { action: 'request_supplement', missing: ['Bản chụp Giấy chứng sinh rõ nét'], note: 'Ảnh mờ' },
      specialist,
    );
    await act(dossier, { action: 'supplement_received', note: 'Công dân đã bổ sung' }, portal);
    await act(dossier, { action: 'transfer', agency: 'Công an phường (liên thông)' }, specialist);
    await act(dossier, { action: 'submit_for_approval' }, specialist);
    await act(dossier, { action: 'send_back', note: 'Kiểm tra lại tên cha' }, leader);
    // Within office hours the supplement's pause moved the due date by the time it lasted; the apology leaves it.
    const resubmitted = await act(dossier, { action: 'submit_for_approval', note: 'Đã sửa' }, specialist);
    const dueBeforeApology = resubmitted.body.dueAt as string;
    const apologized = await act(
      dossier,
      { action: 'apologize', reason: 'Chờ kết quả xác minh liên thông', newDueAt: later(dueAt, 1) },
      leader,
    );
    expect(apologized.body).toMatchObject({ status: 'pending_approval', dueAt: dueBeforeApology });
    const approved = await act(dossier, { action: 'approve' }, leader);
    expect(approved.body.status).toBe('resolved');
    // Returned online is the electronic result sent: the officer uploads it first, and its check verifies it.
    const result = await ward.api.post(
      `/dossiers/${dossier.code}/documents`,
      {
        kind: 'result',
        fileName: 'trich-luc-khai-sinh.pdf',
        contentType: 'application/pdf',
        sizeBytes: PDF_BYTES.length,
        sha256: createHash('sha256').update(PDF_BYTES).digest('hex'),
      },
      { as: officer },
    );
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    const put = await fetch(result.body.url, { method: 'PUT', headers: result.body.headers, body: PDF_BYTES });
    expect(put.status).toBe(200);
    await ward.settle();
    const returned = await act(dossier, { action: 'return_result', channel: 'online' }, officer);
    expect(returned.body).toMatchObject({ status: 'returned', version: 12, allowedActions: [] });

    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body).toMatchObject({
      status: 'returned',
      timing: 'early',
      returnChannel: 'online',
      originalDueAt: dueAt,
      dueAt: dueBeforeApology,
      appointmentAt: later(dueAt, 1),
      apologies: [expect.objectContaining({ previousDueAt: dueBeforeApology, newDueAt: later(dueAt, 1) })],
    });
    expect(view.headers.get('etag')).toBe(dossier.etag);

    const history = await ward.api.get(`/dossiers/${dossier.code}/history`, { as: officer });
    expect(history.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'accept',
      'assign',
      'request_supplement',
      'supplement_received',
      'transfer',
      'submit_for_approval',
      'send_back',
      'submit_for_approval',
      'apologize',
      'approve',
      'return_result',
    ]);
    expect(history.body.entries.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(history.body.entries[2]).toMatchObject({
      actor: { kind: 'staff', role: 'leader' },
      fromStatus: 'received',
      toStatus: 'in_progress',
      department: 'Tư pháp – Hộ tịch',
      assignee: 'specialist.local',
      withinDeadline: true,
    });
    expect(history.body.entries[4].actor).toMatchObject({ kind: 'portal', id: 'dvcqg' });
  });

  it('refuses at intake, rejects after review, records a payment, lets a citizen withdraw, and stops', async () => {
    const refused = await file(birthRegistration(), portal);
    expect(
      (await act(refused, { action: 'refuse', reason: 'Thủ tục không thuộc thẩm quyền của phường' }, officer)).body
        .status,
    ).toBe('not_accepted');

    const rejected = await file(maritalStatus({ payment: { method: 'online', paid: false } }), officer);
    const paid = await act(
      rejected,
      { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-1' },
      officer,
    );
    expect(paid.body.status).toBe('received');
    await act(rejected, { action: 'assign', assignee: 'specialist.local' }, officer);
    expect(
      (await act(rejected, { action: 'reject', reason: 'Người yêu cầu đã đăng ký kết hôn' }, leader)).body.status,
    ).toBe('rejected');
    const rejectedView = await ward.api.get(`/dossiers/${rejected.code}`, { as: officer });
    expect(rejectedView.body).toMatchObject({
      reason: 'Người yêu cầu đã đăng ký kết hôn',
      fee: { method: 'online', paidAmountVnd: 15000 },
    });

    const withdrawn = await file(birthRegistration(), portal);
    await act(withdrawn, { action: 'accept' }, officer);
    expect((await act(withdrawn, { action: 'withdraw', reason: 'Công dân xin rút' }, portal)).body.status).toBe(
      'withdrawn',
    );

    const stopped = await file(maritalStatus(), officer);
    expect(
      (await act(stopped, { action: 'stop', reason: 'Công dân qua đời trong quá trình giải quyết' }, leader)).body
        .status,
    ).toBe('stopped');
  });

  it('writes a status change in one DynamoDB round trip', async () => {
    const dossier = await file(maritalStatus(), officer);
    const { calls } = await sdk.during(() =>
      act(dossier, { action: 'assign', department: 'Tư pháp – Hộ tịch' }, officer),
    );
    expect(calls).toEqual(['TransactWriteItemsCommand']);
  });
});

describe('when an action cannot be taken', () => {
  it('answers 409 naming the current status and the actions allowed now', async () => {
    const dossier = await file(maritalStatus(), officer);
    const refused = await act(dossier, { action: 'approve' }, leader, 409);
    expect(refused.body).toMatchObject({
      type: 'urn:motcua:problem:action_not_allowed',
      currentStatus: 'received',
      allowedActions: ['assign', 'stop', 'apologize'],
    });
    expect(refused.body.detail).toBe('Không thể thực hiện "approve" khi hồ sơ đang ở trạng thái "received".');
  });

  it('answers 403 to a role that may never take the action', async () => {
    const dossier = await file(maritalStatus(), officer);
    expect(
      (await act(dossier, { action: 'stop', reason: 'Không có lý do chính đáng' }, specialist, 403)).body.type,
    ).toBe('urn:motcua:problem:forbidden');
  });

  it('answers 412 with the current version to an ETag that is stale, and 428 without one', async () => {
    const dossier = await file(maritalStatus(), officer);
    const stale = { ...dossier };
    await act(dossier, { action: 'assign', department: 'Tư pháp – Hộ tịch' }, officer);
    const late = await act(stale, { action: 'stop', reason: 'Dừng theo yêu cầu' }, leader, 412);
    expect(late.body).toMatchObject({
      type: 'urn:motcua:problem:version_mismatch',
      currentVersion: 2,
      currentStatus: 'in_progress',
      etag: dossier.etag,
    });
    // Retrying with the ETag from the 412 works.
    await act({ code: dossier.code, etag: late.body.etag }, { action: 'stop', reason: 'Dừng theo yêu cầu' }, leader);

    const missing = await ward.api.post(
      `/dossiers/${dossier.code}/actions`,
      { action: 'stop', reason: 'xxx' },
      { as: leader },
    );
    expect(missing.status).toBe(428);
  });

  it('lets exactly one of 50 simultaneous actions on one dossier win; the others get 412', async () => {
    const dossier = await file(maritalStatus(), officer);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ward.api.post(
          `/dossiers/${dossier.code}/actions`,
          { action: 'assign', department: 'Tư pháp – Hộ tịch', note: `Phân công lần ${i}` },
          { as: officer, headers: { 'if-match': dossier.etag } },
        ),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const history = await ward.api.get(`/dossiers/${dossier.code}/history`, { as: officer });
    expect(history.body.entries).toHaveLength(2);
    const winner = answers.find((a) => a.status === 200)!;
    expect(history.body.entries[1].note).toBe(winner.body.controlSlipEntry.note);
    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body).toMatchObject({ version: 2, department: 'Tư pháp – Hộ tịch' });
    expect(view.headers.get('etag')).toBe(winner.headers.get('etag'));
  });

  it('validates an action body field by field, writing nothing', async () => {
    const dossier = await file(maritalStatus(), officer);
    const bad = await act(dossier, { action: 'apologize', reason: 'x', newDueAt: 'tomorrow' }, leader, 400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['newDueAt', 'reason']);
    const unknown = await act(dossier, { action: 'teleport' }, leader, 400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'action', rule: 'invalid_union' });
    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body.version).toBe(1);
  });
});

const assignee = { role: 'specialist', username: 'specialist.42' } as const;
const colleague = { role: 'specialist', username: 'specialist.local' } as const; // same department
const otherSpecialist = { role: 'specialist', username: 'specialist.43' } as const; // Kinh tế – Hạ tầng – Đô thị

/** A counter filing accepted and assigned: in progress, held by `to`. */
async function assigned(to: Record<string, unknown>, body = maritalStatus()): Promise<Held> {
  const dossier = await file(body, officer);
  await act(dossier, { action: 'assign', ...to }, leader);
  return dossier;
}

describe('roles follow the dossier', () => {
  it('gives the handling actions of an assigned dossier to its assignee; another specialist gets 403 and learns nothing more', async () => {
    const dossier = await assigned({ assignee: 'specialist.42' });
    for (const other of [colleague, otherSpecialist]) {
      const refused = await act(dossier, { action: 'submit_for_approval' }, other, 403);
      expect(refused.body.type).toBe('urn:motcua:problem:forbidden');
      expect(refused.body.detail).toBe(
        'Hồ sơ đã được phân công cho người khác xử lý; bạn không thực hiện được thao tác "submit_for_approval".',
      );
      expect(JSON.stringify(refused.body)).not.toContain('specialist.42');
      expect((await act(dossier, { action: 'transfer', agency: 'Công an phường' }, other, 403)).body.type).toBe(
        'urn:motcua:problem:forbidden',
      );
    }
    expect(
      (await act(dossier, { action: 'request_supplement', missing: ['Bản sao giấy khai sinh'] }, officer, 403)).body
        .type,
    ).toBe('urn:motcua:problem:forbidden');
    // What each may do, as the dossier view says.
    const view = async (as: TokenRequest) =>
      (await ward.api.get(`/dossiers/${dossier.code}`, { as })).body.allowedActions;
    expect(await view(otherSpecialist)).toEqual([]);
    expect(await view(assignee)).toEqual([
      'transfer',
      'request_supplement',
      'submit_for_approval',
      'reject',
      'apologize',
    ]);
    expect(await view(leader)).toEqual(['assign', 'transfer', 'reject', 'stop', 'apologize']);
    const submitted = await act(dossier, { action: 'submit_for_approval' }, assignee);
    expect(submitted.body.controlSlipEntry.actor).toMatchObject({
      kind: 'staff',
      username: 'specialist.42',
      name: 'Nguyễn Thu Hà',
      role: 'specialist',
    });
    // Waiting for approval, a rejection is the leader's alone, even its assignee's is refused.
    expect((await act(dossier, { action: 'reject', reason: 'Không đủ điều kiện' }, assignee, 403)).body.detail).toBe(
      'Thao tác "reject" chỉ dành cho: leader.',
    );
    expect((await act(dossier, { action: 'reject', reason: 'Không đủ điều kiện' }, leader)).body.status).toBe(
      'rejected',
    );
  });

  it('gives a dossier assigned to a department to that department’s specialists, and no one else', async () => {
    const dossier = await assigned({ department: 'Tư pháp – Hộ tịch' });
    expect(
      (await act(dossier, { action: 'request_supplement', missing: ['Ảnh chân dung'] }, otherSpecialist, 403)).body
        .type,
    ).toBe('urn:motcua:problem:forbidden');
    await act(dossier, { action: 'request_supplement', missing: ['Ảnh chân dung'] }, colleague);
    await act(dossier, { action: 'supplement_received' }, officer);
    await act(dossier, { action: 'submit_for_approval' }, assignee);
    const history = await ward.api.get(`/dossiers/${dossier.code}/history`, { as: officer });
    expect(history.body.entries[1]).toMatchObject({ action: 'assign', department: 'Tư pháp – Hộ tịch' });
    expect(history.body.entries[1].assignee).toBeUndefined();
  });

  it('assigns only to the staff directory: the dossier and the slip name the assignee and its department, anyone else is a 422 naming the field', async () => {
    const dossier = await file(maritalStatus(), officer);
    for (const [body, field, rule] of [
      [{ assignee: 'nobody.99' }, 'assignee', 'assignee_in_staff_directory'],
      [{ assignee: 'officer.local' }, 'assignee', 'assignee_in_staff_directory'],
      [{ department: 'Phòng Tài nguyên' }, 'department', 'department_in_staff_directory'],
      [{ assignee: 'specialist.42', department: 'Kinh tế – Hạ tầng – Đô thị' }, 'department', 'assignee_in_department'],
    ] as const) {
      const refused = await act(dossier, { action: 'assign', ...body }, officer, 422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', field, pointer: `/${field}`, rule })]);
    }
    const done = await act(dossier, { action: 'assign', assignee: 'specialist.43' }, officer);
    expect(done.body.controlSlipEntry).toMatchObject({
      assignee: 'specialist.43',
      department: 'Kinh tế – Hạ tầng – Đô thị',
    });
    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body).toMatchObject({
      version: 2,
      assignee: 'specialist.43',
      department: 'Kinh tế – Hạ tầng – Đô thị',
    });
  });
});

describe('payments', () => {
  const legalBasis = 'Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC';
  const unpaid = () => maritalStatus({ payment: { method: 'cash', paid: false } });

  it('must be the fee, online with its transaction, an exemption with its legal basis; anything else is a 422 naming the rule', async () => {
    const dossier = await file(unpaid(), officer);
    for (const [body, field, rule] of [
      [{ method: 'cash', amountVnd: 1 }, 'amountVnd', 'payment_amount_equals_fee'],
      [{ method: 'cash', amountVnd: 150000 }, 'amountVnd', 'payment_amount_equals_fee'],
      [{ method: 'online', amountVnd: 15000 }, 'transactionRef', 'online_payment_reference'],
      [{ method: 'exempt' }, 'legalBasis', 'exemption_legal_basis'],
      [{ method: 'exempt', legalBasis, amountVnd: 15000 }, 'amountVnd', 'exemption_without_amount'],
      [{ method: 'cash', amountVnd: 15000, legalBasis }, 'legalBasis', 'legal_basis_only_for_exemption'],
    ] as const) {
      const refused = await act(dossier, { action: 'record_payment', ...body }, officer, 422);
      expect(refused.body.errors, JSON.stringify(body)).toEqual([expect.objectContaining({ field, rule })]);
      expect(refused.body.feeVnd).toBe(15000);
    }
    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body).toMatchObject({ version: 1, fee: { amountVnd: 15000, method: 'cash' } });
    expect(view.body.fee.paidAt).toBeUndefined();
  });

  it('writes an exemption and its legal basis on the dossier’s fee and the control slip, after which nothing is due', async () => {
    const dossier = await file(unpaid(), officer);
    const exempted = await act(dossier, { action: 'record_payment', method: 'exempt', legalBasis }, officer);
    expect(exempted.body.controlSlipEntry.payment).toEqual({ method: 'exempt', legalBasis });
    expect(exempted.body.allowedActions).not.toContain('record_payment');
    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body.fee).toEqual({ amountVnd: 15000, method: 'exempt', legalBasis });
    const history = await ward.api.get(`/dossiers/${dossier.code}/history`, { as: officer });
    expect(history.body.entries.at(-1)).toMatchObject({
      action: 'record_payment',
      payment: { method: 'exempt', legalBasis },
    });
    expect(
      (await act(dossier, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, officer, 422)).body.detail,
    ).toBe('Đã ghi nhận thanh toán cho hồ sơ này.');
  });
});

describe('an apology', () => {
  it('is issued once, with a working day after the current due date and at most one more legal time later', async () => {
    const dossier = await assigned({ assignee: 'specialist.42' });
    const dueAt = (await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body.dueAt as string;
    const apologize = (newDueAt: string, expected: number) =>
      act(dossier, { action: 'apologize', reason: 'Chờ xác minh của Công an phường', newDueAt }, assignee, expected);
    const rules = (response: ApiResponse) =>
      response.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`);
    // Three working days: one more after the due date is the furthest.
    const tooFar = await apologize(later(dueAt, 4), 400);
    expect(rules(tooFar)).toEqual(['newDueAt:within_one_more_legal_time']);
    expect(rules(await apologize('9999-12-31T09:00:00+07:00', 400))).toEqual(['newDueAt:within_calendar']);
    expect(rules(await apologize('1970-01-01T09:00:00+07:00', 400))).toEqual(['newDueAt:within_calendar']);
    const done = await apologize(later(dueAt, 3), 200);
    expect(done.body.dueAt).toBe(dueAt);
    expect(done.body.allowedActions).not.toContain('apologize');
    const again = await apologize(later(dueAt, 3), 422);
    expect(again.body.detail).toContain('việc hẹn lại chỉ được thực hiện một lần');
    const view = await ward.api.get(`/dossiers/${dossier.code}`, { as: officer });
    expect(view.body.apologies).toHaveLength(1);
    expect(view.body).toMatchObject({ dueAt, appointmentAt: later(dueAt, 3) });
  });
});

describe('what each action leaves on the dossier and its control slip', () => {
  const view = async (code: string) => (await ward.api.get(`/dossiers/${code}`, { as: officer })).body;
  const lastRow = async (code: string) =>
    (await ward.api.get(`/dossiers/${code}/history`, { as: officer })).body.entries.at(-1);

  it('transfer: the dossier goes to another agency (liên thông), still in progress and still its assignee’s', async () => {
    const dossier = await assigned({ assignee: 'specialist.42' });
    const done = await act(
      dossier,
      { action: 'transfer', agency: 'Công an phường Kim Liên', note: 'Xác minh nơi cư trú' },
      assignee,
    );
    expect(done.body).toMatchObject({ status: 'in_progress', version: 3 });
    expect(done.body.controlSlipEntry).toMatchObject({
      seq: 3,
      action: 'transfer',
      actor: { kind: 'staff', username: 'specialist.42', role: 'specialist' },
      fromStatus: 'in_progress',
      toStatus: 'in_progress',
      department: 'Công an phường Kim Liên',
      note: 'Xác minh nơi cư trú',
      withinDeadline: true,
    });
    expect(await lastRow(dossier.code)).toEqual(done.body.controlSlipEntry);
    expect(await view(dossier.code)).toMatchObject({
      status: 'in_progress',
      transferredTo: 'Công an phường Kim Liên',
      assignee: 'specialist.42',
      department: 'Tư pháp – Hộ tịch',
    });
    expect(done.body.allowedActions).toContain('submit_for_approval');
  });

  it('send_back: the leader returns it to its specialist with a note, in progress again and the same assignee’s', async () => {
    const dossier = await assigned({ assignee: 'specialist.42' });
    await act(dossier, { action: 'submit_for_approval' }, assignee);
    // A note is what the specialist must fix: sending back without one is refused.
    const bare = await act(dossier, { action: 'send_back' }, leader, 400);
    expect(bare.body.errors).toEqual([expect.objectContaining({ field: 'note' })]);
    const done = await act(dossier, { action: 'send_back', note: 'Kiểm tra lại ngày sinh' }, leader);
    expect(done.body.status).toBe('in_progress');
    expect(await lastRow(dossier.code)).toMatchObject({
      seq: 4,
      action: 'send_back',
      actor: { kind: 'staff', role: 'leader' },
      fromStatus: 'pending_approval',
      toStatus: 'in_progress',
      note: 'Kiểm tra lại ngày sinh',
      withinDeadline: true,
    });
    expect(await view(dossier.code)).toMatchObject({ status: 'in_progress', assignee: 'specialist.42' });
    expect((await ward.api.get(`/dossiers/${dossier.code}`, { as: assignee })).body.allowedActions).toContain(
      'submit_for_approval',
    );
  });

  it('reject and stop: finished with the reason, the day written, nothing more to do, and off the deadline watch', async () => {
    for (const [action, reason, as, from] of [
      ['reject', 'Người yêu cầu không đủ điều kiện', leader, 'in_progress'],
      ['stop', 'Người yêu cầu đề nghị dừng giải quyết', leader, 'in_progress'],
    ] as const) {
      const dossier = await assigned({ assignee: 'specialist.42' });
      const done = await act(dossier, { action, reason }, as);
      const status = action === 'reject' ? 'rejected' : 'stopped';
      expect(done.body).toMatchObject({ status, allowedActions: [] });
      const row = await lastRow(dossier.code);
      expect(row).toMatchObject({ seq: 3, action, fromStatus: from, toStatus: status, note: reason });
      const seen = await view(dossier.code);
      expect(seen).toMatchObject({ status, reason, finishedAt: row.at, overdue: false, dueSoon: false });
      expect(seen.allowedActions).toEqual([]);
      // Finished, it is no longer watched: a watch run long after its due date raises nothing for it.
      await ward.trigger('deadline-watch', new Date(Date.parse(seen.dueAt) + 30 * 86_400_000));
      await ward.settle();
      const alerts = (await ward.api.get('/alerts?limit=100', { as: leader })).body.items;
      expect(alerts.filter((a: { code: string }) => a.code === dossier.code)).toEqual([]);
      // And nothing else may be done to it.
      expect((await act(dossier, { action: 'assign', assignee: 'specialist.43' }, leader, 409)).body).toMatchObject({
        currentStatus: status,
        allowedActions: [],
      });
    }
  });
});

describe('a supplement that hands in more papers', () => {
  const upload = (code: string, component: string) =>
    ward.api.post(
      `/dossiers/${code}/components/${component}/upload-url`,
      { fileName: 'giay-uy-quyen.pdf', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'ab'.repeat(32) },
      { as: portal },
    );

  it('adds the components it names to the dossier, which can then be uploaded', async () => {
    const dossier = await file(birthRegistration(), portal);
    await act(dossier, { action: 'accept' }, officer);
    // The letter of authorisation (UQ) is a paper of the procedure, but not of this dossier yet.
    const before = await upload(dossier.code, 'UQ');
    expect(before.status).toBe(422);
    expect(before.body.components).toEqual(['TK', 'GCS']);
    await act(dossier, { action: 'request_supplement', missing: ['Văn bản ủy quyền (khi nộp thay)'] }, officer);
    const handedIn = await act(
      dossier,
      { action: 'supplement_received', components: ['UQ', 'TK'], note: 'Bổ sung giấy ủy quyền' },
      portal,
    );
    expect(handedIn.body.status).toBe('received');
    expect(handedIn.body.controlSlipEntry).toMatchObject({
      action: 'supplement_received',
      actor: { kind: 'portal', id: 'dvcqg' },
      fromStatus: 'awaiting_supplement',
      toStatus: 'received',
      note: 'Bổ sung giấy ủy quyền',
    });
    const seen = (await ward.api.get(`/dossiers/${dossier.code}`, { as: officer })).body;
    // Named once each, in the order handed in, with the catalog's name and whether it is mandatory.
    expect(seen.components.map((c: { code: string; mandatory: boolean }) => [c.code, c.mandatory])).toEqual([
      ['TK', true],
      ['GCS', true],
      ['UQ', false],
    ]);
    expect(seen.components[2].name).toBe('Văn bản ủy quyền (khi nộp thay)');
    expect(seen.supplement).toBeUndefined();
    const after = await upload(dossier.code, 'UQ');
    expect(after.status).toBe(201);
    expect(after.body.key).toMatch(new RegExp(`^dossiers/${dossier.code.replace(/\./g, '\\.')}/components/UQ/`));
  });
});

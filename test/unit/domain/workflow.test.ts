import { describe, expect, it } from 'vitest';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import type { Actor, DossierStatus } from '../../../shared/domain/dossier.ts';
import {
  ActionNotAllowed,
  type DomainError,
  Forbidden,
  RuleBroken,
  Unprocessable,
  ValidationFailed,
} from '../../../shared/domain/errors.ts';
import {
  type ActionCommand,
  actionRules,
  allowedActions,
  decide,
  type WorkflowState,
} from '../../../shared/domain/workflow.ts';

const ward = readWardFile('sample');
const calendar = new WorkingCalendar({
  timeZone: ward.timeZone,
  sessions: ward.officeHours.sessions,
  weekdays: ward.officeHours.weekdays,
  holidayOverrides: [],
});
const vn = (iso: string) => Date.parse(`${iso}+07:00`);
const procedure = ward.catalog.procedures.find((p) => p.code === '1.001193')!; // khai sinh: TK and GCS mandatory

const officer: Actor = { kind: 'staff', id: 'u1', username: 'officer.local', name: 'Trần Thị Hồng', role: 'officer' };
const specialist: Actor = {
  kind: 'staff',
  id: 'u2',
  username: 'specialist.42',
  name: 'Nguyễn Thu Hà',
  role: 'specialist',
};
const leader: Actor = { kind: 'staff', id: 'u3', username: 'leader.local', name: 'Hoàng Văn Bình', role: 'leader' };
const portal: Actor = { kind: 'portal', id: 'dvcqg', name: 'DVCQG' };

const state = (overrides: Partial<WorkflowState> = {}): WorkflowState => ({
  code: '000.00.00.H99-260309-0001',
  version: 1,
  status: 'submitted',
  procedureCode: procedure.code,
  processingMinutes: 480,
  portalId: 'dvcqg',
  componentCodes: ['TK', 'GCS'],
  receivedAt: null,
  dueAt: null,
  assignee: null,
  department: null,
  feeVnd: 0,
  paymentMethod: null,
  paidAt: null,
  resumeStatus: null,
  remainingMinutes: null,
  apologizedAt: null,
  ...overrides,
});
const ctx = (now: number, supplementClock: 'pause' | 'restart' = 'pause') => ({
  now,
  calendar,
  supplementClock,
  procedure,
  staff: ward.staff,
});

describe('the workflow', () => {
  it('accepts a complete online dossier and starts its clock at the next working moment', () => {
    const decision = decide(state(), { action: 'accept' }, [officer], ctx(vn('2026-03-09T16:30')));
    expect(decision.toStatus).toBe('received');
    // 30 minutes on Monday, then 4h30 in Tuesday's morning session and 3h in its afternoon.
    expect(decision.next.dueAt).toBe(new Date(vn('2026-03-10T16:30')).toISOString());
    expect(decision.next.version).toBe(2);
    expect(decision.slip).toMatchObject({
      action: 'accept',
      fromStatus: 'submitted',
      toStatus: 'received',
      actor: officer,
      withinDeadline: true,
    });
  });

  it('answers an incomplete dossier with its missing components instead of receiving it', () => {
    const incomplete = state({ componentCodes: ['TK'] });
    const attempt = () => decide(incomplete, { action: 'accept' }, [officer], ctx(vn('2026-03-09T09:00')));
    expect(attempt).toThrow(Unprocessable);
    try {
      attempt();
    } catch (error) {
      expect((error as Unprocessable).extensions.missingComponents).toEqual([
        { code: 'GCS', name: 'Giấy chứng sinh hoặc giấy tờ thay thế' },
      ]);
    }
  });

  it('refuses an action from the wrong status with 409, naming the status and what is allowed now', () => {
    try {
      decide(
        state({ status: 'received', dueAt: new Date(vn('2026-03-10T09:00')).toISOString() }),
        { action: 'approve' },
        [leader],
        ctx(vn('2026-03-09T09:00')),
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ActionNotAllowed);
      expect((error as ActionNotAllowed).extensions).toEqual({
        currentStatus: 'received',
        allowedActions: ['assign', 'stop', 'apologize'],
      });
    }
  });

  it('refuses a role that may never take the action with 403', () => {
    expect(() => decide(state({ status: 'pending_approval' }), { action: 'approve' }, [specialist], ctx(0))).toThrow(
      Forbidden,
    );
    // A portal acts only on its own dossiers.
    expect(() => decide(state({ portalId: 'other' }), { action: 'withdraw' }, [portal], ctx(0))).toThrow(Forbidden);
  });

  it('pauses the clock for a supplement and gives back the time that was left', () => {
    const received = state({
      status: 'in_progress',
      receivedAt: new Date(vn('2026-03-09T08:00')).toISOString(),
      dueAt: new Date(vn('2026-03-11T08:00')).toISOString(),
    });
    const requested = decide(
      received,
      { action: 'request_supplement', missing: ['Bản sao giấy tờ tùy thân'] },
      [specialist],
      ctx(vn('2026-03-10T08:00')),
    );
    expect(requested.toStatus).toBe('awaiting_supplement');
    expect(requested.next.remainingMinutes).toBe(480);
    // Back a week later at 10:00: the 8 working hours left run from then.
    const back = decide(requested.next, { action: 'supplement_received' }, [officer], ctx(vn('2026-03-17T10:00')));
    expect(back.toStatus).toBe('in_progress');
    expect(back.next.dueAt).toBe(new Date(vn('2026-03-18T10:00')).toISOString());
  });

  it('takes the digitised flag back when a supplement hands in a mandatory component, not an optional one', () => {
    const waiting = state({ status: 'awaiting_supplement', componentCodes: ['TK'], resumeStatus: 'received' });
    const mandatory = decide(waiting, { action: 'supplement_received', components: ['GCS'] }, [officer], ctx(0));
    expect(mandatory.changes).toMatchObject({ componentCodes: ['TK', 'GCS'], digitisedAt: null });
    const optional = decide(
      { ...waiting, componentCodes: ['TK', 'GCS'] },
      { action: 'supplement_received', components: ['UQ'] },
      [officer],
      ctx(0),
    );
    expect(optional.changes).toMatchObject({ componentCodes: ['TK', 'GCS', 'UQ'] });
    expect(optional.changes).not.toHaveProperty('digitisedAt');
  });

  it('restarts the full time after a supplement when the ward says so', () => {
    const received = state({
      status: 'received',
      processingMinutes: 3 * 480,
      dueAt: new Date(vn('2026-03-12T08:00')).toISOString(),
    });
    const requested = decide(
      received,
      { action: 'request_supplement', missing: ['x'] },
      [officer],
      ctx(vn('2026-03-10T08:00'), 'restart'),
    );
    const back = decide(
      requested.next,
      { action: 'supplement_received' },
      [portal],
      ctx(vn('2026-03-16T07:00'), 'restart'),
    );
    expect(back.toStatus).toBe('received');
    expect(back.next.dueAt).toBe(new Date(vn('2026-03-18T17:00')).toISOString());
  });

  it.each([
    ['2026-03-10T15:00', 'early'],
    ['2026-03-11T16:59', 'on_time'],
    ['2026-03-12T08:00', 'late'],
  ])('classifies a dossier approved at %s as %s against a due date of 11/3 09:00', (at, timing) => {
    const pending = state({ status: 'pending_approval', dueAt: new Date(vn('2026-03-11T09:00')).toISOString() });
    const decision = decide(pending, { action: 'approve' }, [leader], ctx(vn(at)));
    expect(decision.changes).toMatchObject({ timing, resolvedAt: new Date(vn(at)).toISOString() });
    expect(decision.slip.withinDeadline).toBe(timing !== 'late');
  });

  it('takes an apology only up to the day before the due date, and only with a later new date', () => {
    const open = state({ status: 'in_progress', dueAt: new Date(vn('2026-03-11T09:00')).toISOString() });
    const apology = (newDueAt: string): ActionCommand => ({
      action: 'apologize',
      reason: 'Cần xác minh thêm',
      newDueAt: `${newDueAt}+07:00`,
    });
    const ok = decide(open, apology('2026-03-12T16:00'), [leader], ctx(vn('2026-03-10T16:59')));
    // The new date is the citizen's appointment; the due date the verdict goes by stays.
    expect(ok.next.dueAt).toBe(open.dueAt);
    expect(ok.changes).not.toHaveProperty('dueAt');
    expect(ok.changes.apologies).toEqual({
      append: [
        expect.objectContaining({
          previousDueAt: open.dueAt,
          newDueAt: new Date(vn('2026-03-12T16:00')).toISOString(),
          reason: 'Cần xác minh thêm',
        }),
      ],
    });
    // On the due date itself, or after it, it is too late.
    for (const at of ['2026-03-11T07:30', '2026-03-12T08:00']) {
      const refused = refusalOf(() => decide(open, apology('2026-03-13T09:00'), [leader], ctx(vn(at))));
      expect(refused).toBeInstanceOf(RuleBroken);
      expect((refused as RuleBroken).violations).toEqual([
        expect.objectContaining({ field: 'action', rule: 'apology_before_due_date' }),
      ]);
      expect(refused.extensions).toEqual({ dueAt: open.dueAt, lastDay: '2026-03-10' });
    }
    expect(() => decide(open, apology('2026-03-11T08:00'), [leader], ctx(vn('2026-03-10T08:00')))).toThrow(
      ValidationFailed,
    );
    // Saturday 14/3 is no appointment day.
    expect(() => decide(open, apology('2026-03-14T09:00'), [leader], ctx(vn('2026-03-10T08:00')))).toThrow(
      ValidationFailed,
    );
  });

  it('records a payment once, and none for a free procedure', () => {
    const feeBearing = state({ status: 'received', feeVnd: 15000 });
    const paid = decide(
      feeBearing,
      { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-1' },
      [portal],
      ctx(vn('2026-03-10T08:00')),
    );
    expect(paid.toStatus).toBe('received');
    expect(() =>
      decide(paid.next, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, [officer], ctx(0)),
    ).toThrow(Unprocessable);
    expect(() =>
      decide(
        state({ status: 'received' }),
        { action: 'record_payment', method: 'cash', amountVnd: 1 },
        [officer],
        ctx(0),
      ),
    ).toThrow(Unprocessable);
  });

  it('lets a person with several roles act in whichever role the action needs', () => {
    const both: Actor[] = [officer, { ...leader, id: officer.id }];
    const decision = decide(
      state({ status: 'pending_approval', dueAt: new Date(vn('2026-03-11T09:00')).toISOString() }),
      { action: 'approve' },
      both,
      ctx(vn('2026-03-10T09:00')),
    );
    expect(decision.slip.actor).toMatchObject({ role: 'leader' });
  });

  it('offers each status only actions whose rule starts there', () => {
    for (const status of ['submitted', 'received', 'in_progress', 'resolved', 'returned'] as DossierStatus[]) {
      for (const action of allowedActions(state({ status }), [officer, specialist, leader], ward.staff)) {
        expect(actionRules[action].from).toContain(status);
      }
    }
    expect(allowedActions(state({ status: 'returned' }), [officer, specialist, leader], ward.staff)).toEqual([]);
  });
});

/** The error a decision throws, to look at its kind, key and fields. */
function refusalOf(attempt: () => unknown): DomainError & { violations?: { field: string; rule: string }[] } {
  try {
    attempt();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the decision was not refused');
}

const staffActor = (username: string, role: 'officer' | 'specialist' | 'leader'): Actor => ({
  kind: 'staff',
  id: `sub-${username}`,
  username,
  name: username,
  role,
});
const assignee = staffActor('specialist.42', 'specialist');
const colleague = staffActor('specialist.local', 'specialist'); // same department as the assignee
const otherDepartment = staffActor('specialist.43', 'specialist');
const dueAt = new Date(vn('2026-03-11T09:00')).toISOString();
const handling: ActionCommand[] = [
  { action: 'transfer', agency: 'Công an phường' },
  { action: 'request_supplement', missing: ['Bản sao giấy tờ tùy thân'] },
  { action: 'submit_for_approval' },
  { action: 'reject', reason: 'Không đủ điều kiện' },
  { action: 'apologize', reason: 'Cần xác minh thêm', newDueAt: '2026-03-12T09:00:00+07:00' },
];
const now = ctx(vn('2026-03-10T09:00'));

describe('roles follow the dossier', () => {
  const assigned = state({
    status: 'in_progress',
    receivedAt: dueAt,
    dueAt,
    assignee: 'specialist.42',
    department: 'Tư pháp – Hộ tịch',
  });
  const toDepartment = state({
    status: 'in_progress',
    receivedAt: dueAt,
    dueAt,
    assignee: null,
    department: 'Tư pháp – Hộ tịch',
  });

  it.each(handling.map((c) => [c.action, c] as const))(
    'gives %s on an assigned dossier to its assignee and refuses another specialist with 403',
    (_, command) => {
      expect(decide(assigned, command, [assignee], now).slip.actor).toMatchObject({ username: 'specialist.42' });
      for (const other of [colleague, otherDepartment]) {
        const refused = refusalOf(() => decide(assigned, command, [other], now));
        expect(refused).toBeInstanceOf(Forbidden);
        expect(refused.messageKey).toBe('action_assigned_to_other');
        // Nothing about who holds it.
        expect(JSON.stringify({ ...refused.params, ...refused.extensions })).not.toContain('specialist.42');
      }
    },
  );

  it('leaves leaders their actions, and takes the specialist’s ones from the officer, once assigned', () => {
    expect(decide(assigned, { action: 'transfer', agency: 'Công an phường' }, [leader], now).toStatus).toBe(
      'in_progress',
    );
    expect(decide(assigned, { action: 'reject', reason: 'Không đủ điều kiện' }, [leader], now).toStatus).toBe(
      'rejected',
    );
    expect(
      refusalOf(() => decide(assigned, { action: 'request_supplement', missing: ['x'] }, [officer], now)).messageKey,
    ).toBe('action_assigned_to_other');
    expect(
      refusalOf(() =>
        decide(
          assigned,
          { action: 'apologize', reason: 'Cần xác minh', newDueAt: '2026-03-12T09:00:00+07:00' },
          [officer],
          now,
        ),
      ).messageKey,
    ).toBe('action_assigned_to_other');
    // A leader never submits for approval, assigned or not.
    expect(refusalOf(() => decide(assigned, { action: 'submit_for_approval' }, [leader], now)).messageKey).toBe(
      'action_forbidden_role',
    );
  });

  it('gives a dossier assigned to a department only to that department’s specialists', () => {
    expect(decide(toDepartment, { action: 'submit_for_approval' }, [assignee], now).toStatus).toBe('pending_approval');
    expect(decide(toDepartment, { action: 'submit_for_approval' }, [colleague], now).toStatus).toBe('pending_approval');
    expect(
      refusalOf(() => decide(toDepartment, { action: 'submit_for_approval' }, [otherDepartment], now)).messageKey,
    ).toBe('action_assigned_to_other');
    // A specialist who is not in the directory belongs to no department.
    expect(
      refusalOf(() =>
        decide(toDepartment, { action: 'submit_for_approval' }, [staffActor('specialist.unknown', 'specialist')], now),
      ).messageKey,
    ).toBe('action_assigned_to_other');
  });

  it('applies the rules table alone before any assignment', () => {
    const received = state({ status: 'received', receivedAt: dueAt, dueAt });
    expect(decide(received, { action: 'request_supplement', missing: ['x'] }, [otherDepartment], now).toStatus).toBe(
      'awaiting_supplement',
    );
    expect(decide(received, { action: 'request_supplement', missing: ['x'] }, [officer], now).toStatus).toBe(
      'awaiting_supplement',
    );
  });

  it('keeps the rejection of a dossier waiting for approval to the leader, even from its assignee', () => {
    const pending = { ...assigned, status: 'pending_approval' as const };
    const refused = refusalOf(() =>
      decide(pending, { action: 'reject', reason: 'Không đủ điều kiện' }, [assignee], now),
    );
    expect(refused).toBeInstanceOf(Forbidden);
    expect(refused).toMatchObject({ messageKey: 'action_forbidden_role', params: { roles: 'leader' } });
    expect(decide(pending, { action: 'reject', reason: 'Không đủ điều kiện' }, [leader], now).toStatus).toBe(
      'rejected',
    );
  });

  it('lets a leader who took a dossier on carry it as its assignee', () => {
    const leaderHolds = { ...assigned, assignee: 'leader.local', department: 'Lãnh đạo UBND phường' };
    expect(decide(leaderHolds, { action: 'submit_for_approval' }, [leader], now).slip.actor).toMatchObject({
      username: 'leader.local',
      role: 'leader',
    });
  });

  it('shows each caller the actions the rules give it, in the view and in every 409', () => {
    expect(allowedActions(assigned, [assignee], ward.staff)).toEqual([
      'transfer',
      'request_supplement',
      'submit_for_approval',
      'reject',
      'apologize',
    ]);
    expect(allowedActions(assigned, [otherDepartment], ward.staff)).toEqual([]);
    expect(allowedActions(assigned, [officer], ward.staff)).toEqual(['assign', 'withdraw']);
    expect(allowedActions(assigned, [leader], ward.staff)).toEqual([
      'assign',
      'transfer',
      'reject',
      'stop',
      'apologize',
    ]);
    expect(allowedActions(toDepartment, [colleague], ward.staff)).toEqual([
      'transfer',
      'request_supplement',
      'submit_for_approval',
      'reject',
      'apologize',
    ]);
    expect(allowedActions({ ...assigned, status: 'pending_approval' }, [assignee], ward.staff)).toEqual(['apologize']);
    const conflict = refusalOf(() =>
      decide({ ...assigned, status: 'pending_approval' }, { action: 'submit_for_approval' }, [assignee], now),
    );
    expect(conflict).toBeInstanceOf(ActionNotAllowed);
    expect(conflict.extensions.allowedActions).toEqual(['apologize']);
  });
});

describe('assigning from the staff directory', () => {
  const received = state({ status: 'received', receivedAt: dueAt, dueAt });
  const assign = (body: { assignee?: string; department?: string }) =>
    decide(received, { action: 'assign', ...body }, [leader], now);

  it('records the assignee and, by default, the assignee’s department, on the dossier and the slip', () => {
    const decision = assign({ assignee: 'specialist.43' });
    expect(decision.changes).toMatchObject({ assignee: 'specialist.43', department: 'Kinh tế – Hạ tầng – Đô thị' });
    expect(decision.next).toMatchObject({ assignee: 'specialist.43', department: 'Kinh tế – Hạ tầng – Đô thị' });
    expect(decision.slip).toMatchObject({ assignee: 'specialist.43', department: 'Kinh tế – Hạ tầng – Đô thị' });
  });

  it('hands a dossier assigned to a person over to a department alone, removing the assignee', () => {
    const decision = decide(
      { ...received, status: 'in_progress', assignee: 'specialist.42', department: 'Tư pháp – Hộ tịch' },
      { action: 'assign', department: 'Văn hóa – Xã hội' },
      [leader],
      now,
    );
    expect(decision.changes).toMatchObject({ assignee: null, department: 'Văn hóa – Xã hội' });
    expect(decision.next).toMatchObject({ assignee: null, department: 'Văn hóa – Xã hội' });
  });

  it.each([
    [{ assignee: 'nobody.99' }, 'assignee', 'assignee_in_staff_directory'],
    [{ assignee: 'officer.local' }, 'assignee', 'assignee_in_staff_directory'],
    [{ department: 'Phòng không có' }, 'department', 'department_in_staff_directory'],
    [{ department: 'Bộ phận Một cửa' }, 'department', 'department_in_staff_directory'],
    [{ assignee: 'specialist.42', department: 'Kinh tế – Hạ tầng – Đô thị' }, 'department', 'assignee_in_department'],
  ])('refuses %j with a 422 naming the field', (body, field, rule) => {
    const refused = refusalOf(() => assign(body));
    expect(refused).toBeInstanceOf(RuleBroken);
    expect(refused.violations).toEqual([expect.objectContaining({ field, rule })]);
  });
});

describe('payments match the fee', () => {
  const feeBearing = state({ status: 'received', receivedAt: dueAt, dueAt, feeVnd: 15000 });
  const pay = (body: Omit<Extract<ActionCommand, { action: 'record_payment' }>, 'action'>) =>
    decide(feeBearing, { action: 'record_payment', ...body }, [officer], now);

  it.each([
    [{ method: 'cash', amountVnd: 10000 }, 'amountVnd', 'payment_amount_equals_fee'],
    [{ method: 'cash', amountVnd: 150000 }, 'amountVnd', 'payment_amount_equals_fee'],
    [{ method: 'cash' }, 'amountVnd', 'payment_amount_equals_fee'],
    [{ method: 'online', amountVnd: 15000 }, 'transactionRef', 'online_payment_reference'],
    [
      { method: 'cash', amountVnd: 15000, legalBasis: 'Điều 5 Thông tư 85/2019/TT-BTC' },
      'legalBasis',
      'legal_basis_only_for_exemption',
    ],
    [{ method: 'exempt' }, 'legalBasis', 'exemption_legal_basis'],
    [
      { method: 'exempt', legalBasis: 'Điều 5 Thông tư 85/2019/TT-BTC', amountVnd: 15000 },
      'amountVnd',
      'exemption_without_amount',
    ],
    [
      { method: 'exempt', legalBasis: 'Điều 5 Thông tư 85/2019/TT-BTC', transactionRef: 'PAY-1' },
      'transactionRef',
      'exemption_without_transaction',
    ],
  ] as const)('refuses %j with a 422 naming the rule', (body, field, rule) => {
    const refused = refusalOf(() => pay(body));
    expect(refused).toBeInstanceOf(RuleBroken);
    expect(refused.violations).toEqual([expect.objectContaining({ field, rule })]);
  });

  it('records the fee paid, with its transaction on the dossier and the slip', () => {
    const paid = pay({ method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-1' });
    expect(paid.changes).toMatchObject({
      'fee.method': 'online',
      'fee.paidAmountVnd': 15000,
      'fee.transactionRef': 'PAYGOV-1',
    });
    expect(paid.slip.payment).toEqual({ method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-1' });
  });

  it('records an exemption with its legal basis on the dossier’s fee and the slip, and nothing is due after it', () => {
    const legalBasis = 'Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC';
    const exempted = pay({ method: 'exempt', legalBasis });
    expect(exempted.changes).toMatchObject({ 'fee.method': 'exempt', 'fee.legalBasis': legalBasis });
    expect(exempted.changes).not.toHaveProperty(['fee.paidAt']);
    expect(exempted.slip.payment).toEqual({ method: 'exempt', legalBasis });
    expect(allowedActions(feeBearing, [officer], ward.staff)).toContain('record_payment');
    expect(allowedActions(exempted.next, [officer], ward.staff)).not.toContain('record_payment');
    expect(
      refusalOf(() =>
        decide(exempted.next, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, [officer], now),
      ).messageKey,
    ).toBe('payment_already_recorded');
  });
});

describe('an apology’s new date', () => {
  const open = state({
    status: 'in_progress',
    receivedAt: dueAt,
    dueAt,
    processingMinutes: 3 * 480,
    assignee: 'specialist.42',
    department: 'Tư pháp – Hộ tịch',
  });
  const apologize = (newDueAt: string, from = open) =>
    decide(from, { action: 'apologize', reason: 'Cần xác minh thêm', newDueAt }, [leader], now);
  const field = (attempt: () => unknown) =>
    (refusalOf(attempt) as ValidationFailed).violations.map((v) => `${v.field}:${v.rule}`);

  it('may be as late as one more legal processing time after the current due date, not later', () => {
    // Due Wednesday 11/3 09:00, three working days: Monday 16/3 09:00 at the latest, so Monday is the last day.
    expect(apologize('2026-03-16T16:00:00+07:00').changes.apologies).toEqual({
      append: [expect.objectContaining({ newDueAt: new Date(vn('2026-03-16T16:00')).toISOString() })],
    });
    expect(field(() => apologize('2026-03-17T09:00:00+07:00'))).toEqual(['newDueAt:within_one_more_legal_time']);
    // A procedure of a few hours still gets a working day.
    expect(apologize('2026-03-12T16:00:00+07:00', { ...open, processingMinutes: 60 }).toStatus).toBe('in_progress');
  });

  it('is refused outside the calendar’s years before any holiday is computed for them', () => {
    expect(field(() => apologize('9999-03-16T09:00:00+07:00'))).toEqual(['newDueAt:within_calendar']);
    expect(field(() => apologize('1999-03-16T09:00:00+07:00'))).toEqual(['newDueAt:within_calendar']);
  });

  it('is set once: a second apology is a 422 and no longer offered', () => {
    const first = apologize('2026-03-13T09:00:00+07:00');
    expect(first.next.apologizedAt).toBe(new Date(now.now).toISOString());
    expect(first.changes).toMatchObject({ apologizedAt: first.next.apologizedAt });
    expect(allowedActions(open, [leader], ward.staff)).toContain('apologize');
    expect(allowedActions(first.next, [leader], ward.staff)).not.toContain('apologize');
    const again = refusalOf(() => apologize('2026-03-16T09:00:00+07:00', first.next));
    expect(again).toBeInstanceOf(Unprocessable);
    expect(again.messageKey).toBe('apology_once');
  });
});

import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import type { Actor, DossierStatus } from '../../../shared/domain/dossier.ts';
import { ActionNotAllowed, Forbidden, Unprocessable, ValidationFailed } from '../../../shared/domain/errors.ts';
import { actionRules, allowedActions, decide, type ActionCommand, type WorkflowState } from '../../../shared/domain/workflow.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';

const ward = readWardFile('sample');
const calendar = new WorkingCalendar({ timeZone: ward.timeZone, sessions: ward.officeHours.sessions, weekdays: ward.officeHours.weekdays, holidayOverrides: [] });
const vn = (iso: string) => Date.parse(`${iso}+07:00`);
const procedure = ward.catalog.procedures.find((p) => p.code === '1.001193')!; // khai sinh: TK and GCS mandatory

const officer: Actor = { kind: 'staff', id: 'u1', username: 'officer.local', name: 'Trần Thị Hồng', role: 'officer' };
const specialist: Actor = { kind: 'staff', id: 'u2', username: 'specialist.42', name: 'Nguyễn Thu Hà', role: 'specialist' };
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
const ctx = (now: number, supplementClock: 'pause' | 'restart' = 'pause') => ({ now, calendar, supplementClock, procedure, staff: ward.staff });

describe('the workflow', () => {
  it('accepts a complete online dossier and starts its clock at the next working moment', () => {
    const decision = decide(state(), { action: 'accept' }, [officer], ctx(vn('2026-03-09T16:30')));
    expect(decision.toStatus).toBe('received');
    // 30 minutes on Monday, then 4h30 in Tuesday's morning session and 3h in its afternoon.
    expect(decision.next.dueAt).toBe(new Date(vn('2026-03-10T16:30')).toISOString());
    expect(decision.next.version).toBe(2);
    expect(decision.slip).toMatchObject({ action: 'accept', fromStatus: 'submitted', toStatus: 'received', actor: officer, withinDeadline: true });
  });

  it('answers an incomplete dossier with its missing components instead of receiving it', () => {
    const incomplete = state({ componentCodes: ['TK'] });
    const attempt = () => decide(incomplete, { action: 'accept' }, [officer], ctx(vn('2026-03-09T09:00')));
    expect(attempt).toThrow(Unprocessable);
    try {
      attempt();
    } catch (error) {
      expect((error as Unprocessable).extensions.missingComponents).toEqual([{ code: 'GCS', name: 'Giấy chứng sinh hoặc giấy tờ thay thế' }]);
    }
  });

  it('refuses an action from the wrong status with 409, naming the status and what is allowed now', () => {
    try {
      decide(state({ status: 'received', dueAt: new Date(vn('2026-03-10T09:00')).toISOString() }), { action: 'approve' }, [leader], ctx(vn('2026-03-09T09:00')));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ActionNotAllowed);
      expect((error as ActionNotAllowed).extensions).toEqual({ currentStatus: 'received', allowedActions: ['assign', 'stop', 'apologize'] });
    }
  });

  it('refuses a role that may never take the action with 403', () => {
    expect(() => decide(state({ status: 'pending_approval' }), { action: 'approve' }, [specialist], ctx(0))).toThrow(Forbidden);
    // A portal acts only on its own dossiers.
    expect(() => decide(state({ portalId: 'other' }), { action: 'withdraw' }, [portal], ctx(0))).toThrow(Forbidden);
  });

  it('pauses the clock for a supplement and gives back the time that was left', () => {
    const received = state({ status: 'in_progress', receivedAt: new Date(vn('2026-03-09T08:00')).toISOString(), dueAt: new Date(vn('2026-03-11T08:00')).toISOString() });
    const requested = decide(received, { action: 'request_supplement', missing: ['Bản sao giấy tờ tùy thân'] }, [specialist], ctx(vn('2026-03-10T08:00')));
    expect(requested.toStatus).toBe('awaiting_supplement');
    expect(requested.next.remainingMinutes).toBe(480);
    // Back a week later at 10:00: the 8 working hours left run from then.
    const back = decide(requested.next, { action: 'supplement_received' }, [officer], ctx(vn('2026-03-17T10:00')));
    expect(back.toStatus).toBe('in_progress');
    expect(back.next.dueAt).toBe(new Date(vn('2026-03-18T10:00')).toISOString());
  });

  it('restarts the full time after a supplement when the ward says so', () => {
    const received = state({ status: 'received', processingMinutes: 3 * 480, dueAt: new Date(vn('2026-03-12T08:00')).toISOString() });
    const requested = decide(received, { action: 'request_supplement', missing: ['x'] }, [officer], ctx(vn('2026-03-10T08:00'), 'restart'));
    const back = decide(requested.next, { action: 'supplement_received' }, [portal], ctx(vn('2026-03-16T07:00'), 'restart'));
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

  it('takes an apology only up to the due date, and only with a later new date', () => {
    const open = state({ status: 'in_progress', dueAt: new Date(vn('2026-03-11T09:00')).toISOString() });
    const apology = (_issuedAt: string, newDueAt: string): ActionCommand => ({ action: 'apologize', reason: 'Cần xác minh thêm', newDueAt: `${newDueAt}+07:00` });
    const ok = decide(open, apology('2026-03-11T16:00', '2026-03-12T16:00'), [leader], ctx(vn('2026-03-11T16:00')));
    expect(ok.next.dueAt).toBe(new Date(vn('2026-03-12T16:00')).toISOString());
    expect(ok.changes.apologies).toEqual({ append: [expect.objectContaining({ previousDueAt: open.dueAt, reason: 'Cần xác minh thêm' })] });
    expect(() => decide(open, apology('2026-03-12T08:00', '2026-03-13T09:00'), [leader], ctx(vn('2026-03-12T08:00')))).toThrow(Unprocessable);
    expect(() => decide(open, apology('2026-03-10T08:00', '2026-03-11T08:00'), [leader], ctx(vn('2026-03-10T08:00')))).toThrow(ValidationFailed);
    // Saturday 14/3 is no appointment day.
    expect(() => decide(open, apology('2026-03-10T08:00', '2026-03-14T09:00'), [leader], ctx(vn('2026-03-10T08:00')))).toThrow(ValidationFailed);
  });

  it('records a payment once, and none for a free procedure', () => {
    const feeBearing = state({ status: 'received', feeVnd: 15000 });
    const paid = decide(feeBearing, { action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-1' }, [portal], ctx(vn('2026-03-10T08:00')));
    expect(paid.toStatus).toBe('received');
    expect(() => decide(paid.next, { action: 'record_payment', method: 'cash', amountVnd: 15000 }, [officer], ctx(0))).toThrow(Unprocessable);
    expect(() => decide(state({ status: 'received' }), { action: 'record_payment', method: 'cash', amountVnd: 1 }, [officer], ctx(0))).toThrow(Unprocessable);
  });

  it('lets a person with several roles act in whichever role the action needs', () => {
    const both: Actor[] = [officer, { ...leader, id: officer.id }];
    const decision = decide(state({ status: 'pending_approval', dueAt: new Date(vn('2026-03-11T09:00')).toISOString() }), { action: 'approve' }, both, ctx(vn('2026-03-10T09:00')));
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

import { describe, expect, it } from 'vitest';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import {
  type CaseContext,
  type CaseState,
  caseWorkflow,
  type EffectsTable,
  type RulesTable,
} from '../../../shared/domain/case-workflow.ts';
import type { Actor } from '../../../shared/domain/dossier.ts';
import { ActionNotAllowed, Forbidden } from '../../../shared/domain/errors.ts';

/*
 * A second kind of case built from the same machinery as the dossier: a made-up citizen feedback (phản ánh, kiến
 * nghị) with statuses, actions and state of its own. What it shows is what `decide` does for any kind.
 */
type FeedbackStatus = 'received' | 'handling' | 'answered';
interface FeedbackState extends CaseState<FeedbackStatus> {
  answeredAt: string | null;
}
interface Feedback {
  command:
    | { action: 'take'; note?: string | undefined }
    | { action: 'answer'; reason: string }
    | { action: 'forward'; agency: string };
  state: FeedbackState;
  context: CaseContext;
  slipExtras: { forwardedTo?: string };
}

const rules: RulesTable<Feedback> = {
  take: { from: ['received'], roles: ['specialist'] },
  answer: { from: ['handling'], roles: ['specialist', 'leader'], rolesIn: { handling: ['specialist'] } },
  forward: { from: ['received', 'handling'], roles: ['officer'] },
};
const effectRuns: string[] = [];
const effects: EffectsTable<Feedback> = {
  take: (_state, _command, { actor }) => {
    effectRuns.push('take');
    return { toStatus: 'handling', changes: { assignee: actor.id }, next: { assignee: actor.id } };
  },
  answer: (_state, _command, { at }) => {
    effectRuns.push('answer');
    return { toStatus: 'answered', changes: { answeredAt: at }, next: { answeredAt: at } };
  },
  forward: (_state, { agency }) => {
    effectRuns.push('forward');
    return { changes: { forwardedTo: agency }, slip: { forwardedTo: agency } };
  },
};
const feedback = caseWorkflow<Feedback>({
  rules,
  effects,
  offered: (state, name) => name !== 'forward' || state.assignee === null,
});

const ward = readWardFile('sample');
const calendar = new WorkingCalendar({
  timeZone: ward.timeZone,
  sessions: ward.officeHours.sessions,
  weekdays: ward.officeHours.weekdays,
  holidayOverrides: [],
});
const ctx = (iso: string): CaseContext => ({ now: Date.parse(`${iso}+07:00`), calendar, staff: ward.staff });
const specialist: Actor = {
  kind: 'staff',
  id: 'u2',
  username: 'specialist.42',
  name: 'Nguyễn Thu Hà',
  role: 'specialist',
};
const officer: Actor = { kind: 'staff', id: 'u1', username: 'officer.local', name: 'Trần Thị Hồng', role: 'officer' };
const leader: Actor = { kind: 'staff', id: 'u3', username: 'leader.local', name: 'Hoàng Văn Bình', role: 'leader' };
const received: FeedbackState = {
  version: 4,
  status: 'received',
  portalId: null,
  dueAt: '2026-03-10T10:00:00.000Z',
  assignee: null,
  department: null,
  answeredAt: null,
};

describe('a second kind of case on the workflow machinery', () => {
  it('gives its effect’s changes the shared bookkeeping: version, status, a slip row with the note, on time or not', () => {
    const taken = feedback.decide(
      received,
      { action: 'take', note: 'Nhận xử lý' },
      [specialist],
      ctx('2026-03-09T09:00'),
    );
    expect(taken.toStatus).toBe('handling');
    expect(taken.changes).toEqual({ assignee: 'u2', status: 'handling', version: 5 });
    expect(taken.next).toEqual({ ...received, assignee: 'u2', status: 'handling', version: 5 });
    expect(taken.slip).toEqual({
      action: 'take',
      actor: specialist,
      fromStatus: 'received',
      toStatus: 'handling',
      at: '2026-03-09T02:00:00.000Z',
      note: 'Nhận xử lý',
      withinDeadline: true,
    });

    // A reason goes on the slip as a note does; past the due date's day the step is not within the deadline.
    const answered = feedback.decide(
      taken.next,
      { action: 'answer', reason: 'Đã trả lời' },
      [specialist],
      ctx('2026-03-11T09:00'),
    );
    expect(answered.next).toMatchObject({ status: 'answered', version: 6, answeredAt: '2026-03-11T02:00:00.000Z' });
    expect(answered.slip).toMatchObject({ note: 'Đã trả lời', withinDeadline: false });
  });

  it('keeps the status when the effect names none, and still counts a version and a slip row with the effect’s extras', () => {
    const forwarded = feedback.decide(
      received,
      { action: 'forward', agency: 'UBND quận' },
      [officer],
      ctx('2026-03-09T09:00'),
    );
    expect(forwarded.toStatus).toBe('received');
    expect(forwarded.changes).toEqual({ forwardedTo: 'UBND quận', status: 'received', version: 5 });
    expect(forwarded.slip).toMatchObject({ fromStatus: 'received', toStatus: 'received', forwardedTo: 'UBND quận' });
    expect(forwarded.slip).not.toHaveProperty('note');
  });

  it('refuses by the kind’s own rules before its effect runs, and offers only what its rules and conditions allow', () => {
    effectRuns.length = 0;
    const handling = { ...received, status: 'handling' as const, assignee: 'u2' };
    expect(() => feedback.decide(received, { action: 'take' }, [officer], ctx('2026-03-09T09:00'))).toThrow(Forbidden);
    expect(() =>
      feedback.decide(handling, { action: 'answer', reason: 'Trả lời' }, [leader], ctx('2026-03-09T09:00')),
    ).toThrow(Forbidden);
    let conflict: unknown;
    try {
      feedback.decide(handling, { action: 'take' }, [specialist, officer], ctx('2026-03-09T09:00'));
    } catch (error) {
      conflict = error;
    }
    expect(conflict).toBeInstanceOf(ActionNotAllowed);
    // Forwarding is the officer's by the rules, but this kind offers it only before someone handles the case.
    expect((conflict as ActionNotAllowed).extensions).toMatchObject({
      currentStatus: 'handling',
      allowedActions: ['answer'],
    });
    expect(effectRuns).toEqual([]);
    expect(feedback.allowedActions(received, [specialist, officer], ward.staff)).toEqual(['take', 'forward']);
  });
});

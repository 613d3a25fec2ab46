import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadlineFlags } from '../../../shared/api/views.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import { type ProcessingTime, processingMinutes } from '../../../shared/domain/catalog.ts';
import { dueAt } from '../../../shared/domain/deadline.ts';
import type { Actor, Dossier } from '../../../shared/domain/dossier.ts';
import { RuleBroken } from '../../../shared/domain/errors.ts';
import { figuresOf, sumCounters } from '../../../shared/domain/figures.ts';
import { counterDeltas } from '../../../shared/domain/report.ts';
import {
  apologyLastDay,
  appointmentOf,
  classifyTiming,
  clockEnd,
  isLate,
  lateIfDueBefore,
} from '../../../shared/domain/timing.ts';
import { type ActionCommand, decide, workflowStateOf } from '../../../shared/domain/workflow.ts';
import { addDays, instantAt, localDateOf } from '../../../shared/domain/zoned-time.ts';

/**
 * Verdicts the law accepts, walked through the workflow with an injected clock: a dossier received on Monday 9 March
 * 2026 at 08:00 (Viet Nam), three working days, is due on Thursday 12 March at 08:00. The dossier items are built
 * by applying each decision's changes as the store does, so the report counters see what the stream would carry.
 */
const ward = readWardFile('sample');
const tz = ward.timeZone;
const calendar = new WorkingCalendar({
  timeZone: tz,
  sessions: ward.officeHours.sessions,
  weekdays: ward.officeHours.weekdays,
  holidayOverrides: [],
});
const vn = (local: string) => Date.parse(`${local}+07:00`);
const iso = (instant: number) => new Date(instant).toISOString();
const procedure = ward.catalog.procedures.find((p) => p.code === '1.004873')!;

const officer: Actor = { kind: 'staff', id: 'u1', username: 'officer.local', name: 'Trần Thị Hồng', role: 'officer' };
const specialist: Actor = {
  kind: 'staff',
  id: 'u2',
  username: 'specialist.42',
  name: 'Nguyễn Thu Hà',
  role: 'specialist',
};
const leader: Actor = { kind: 'staff', id: 'u3', username: 'leader.local', name: 'Hoàng Văn Bình', role: 'leader' };

const received: Dossier = {
  code: '000.00.00.H99-260309-0001',
  version: 2,
  status: 'received',
  procedure: {
    code: procedure.code,
    name: procedure.name,
    fieldCode: procedure.field.code,
    fieldName: procedure.field.name,
    onlineLevel: 'full',
  },
  processingMinutes: 3 * 480,
  channel: 'in_person',
  applicant: { fullName: 'A', idNumber: '001190012345', phone: '0912345678', address: 'x' },
  components: procedure.components
    .filter((c) => c.mandatory)
    .map(({ code, name, mandatory }) => ({ code, name, mandatory })),
  fee: { amountVnd: 0, method: null },
  filedAt: iso(vn('2026-03-09T08:00')),
  receivedAt: iso(vn('2026-03-09T08:00')),
  dueAt: iso(vn('2026-03-12T08:00')),
  originalDueAt: iso(vn('2026-03-12T08:00')),
  apologies: [],
  pinHash: 'x',
};
const DUE = vn('2026-03-12T08:00');

/** The decision's changes applied to the item, as shared/adapters/dossier-store.ts applyDecision writes them. */
function applied(dossier: Dossier, changes: Record<string, unknown>): Dossier {
  const next = structuredClone(dossier) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(changes)) {
    const segments = path.split('.');
    const last = segments.pop()!;
    const parent = segments.reduce((at, s) => at[s] as Record<string, unknown>, next);
    if (value === null) delete parent[last];
    else if (typeof value === 'object' && 'append' in value)
      parent[last] = [...((parent[last] as unknown[]) ?? []), ...(value as { append: unknown[] }).append];
    else parent[last] = value;
  }
  return next as unknown as Dossier;
}

/** Takes the actions in turn, each at its own instant, and returns every version of the dossier. */
function walk(steps: [at: number, command: ActionCommand, actor: Actor][], from = received): Dossier[] {
  const versions = [from];
  for (const [now, command, actor] of steps) {
    const current = versions.at(-1)!;
    const decision = decide(workflowStateOf(current), command, [actor], {
      now,
      calendar,
      supplementClock: 'pause',
      procedure,
      staff: ward.staff,
    });
    versions.push(applied(current, decision.changes));
  }
  return versions;
}
const toApproval = (assignedAt: number, approvedAt: number): [number, ActionCommand, Actor][] => [
  [assignedAt, { action: 'assign', assignee: 'specialist.42' }, leader],
  [assignedAt, { action: 'submit_for_approval' }, specialist],
  [approvedAt, { action: 'approve' }, leader],
];
const apologizing = (at: number, newDueAt: string): [number, ActionCommand, Actor] => [
  at,
  { action: 'apologize', reason: 'Chờ kết quả xác minh của Công an phường', newDueAt },
  leader,
];

/** The report figures of all the versions' changes, as the aggregator would sum them. */
function figuresOfWalk(...walks: Dossier[][]) {
  const days = walks.flatMap((versions) =>
    versions.slice(1).flatMap((after, i) => counterDeltas(versions[i], after, tz).map((d) => d.counters)),
  );
  const none = sumCounters([]);
  return figuresOf({ before: none, through: sumCounters(days), lastDay: none });
}

describe('a dossier walked through due soon, overdue, apology and resolution', () => {
  it('is due soon the day before, still on time after the due hour of its due date, overdue from the next day', () => {
    const flags = (at: string) => deadlineFlags(received, vn(at), ward);
    expect(flags('2026-03-10T08:00')).toEqual({ overdue: false, dueSoon: false });
    expect(flags('2026-03-11T09:00')).toEqual({ overdue: false, dueSoon: true });
    // Past the due hour, but on the due date: ready now, it would be on time, so not overdue.
    expect(flags('2026-03-12T16:00')).toEqual({ overdue: false, dueSoon: true });
    expect(flags('2026-03-12T23:59:59.999')).toEqual({ overdue: false, dueSoon: true });
    expect(flags('2026-03-13T00:00')).toEqual({ overdue: true, dueSoon: false });
  });

  it('is early ready before its due date, on time ready exactly at the due moment or later that day, late after', () => {
    const cases = [
      ['2026-03-11T16:00', 'early'],
      ['2026-03-12T08:00', 'on_time'],
      ['2026-03-12T23:59:59.999', 'on_time'],
      ['2026-03-13T00:00', 'late'],
    ] as const;
    for (const [at, timing] of cases) {
      const versions = walk(toApproval(vn('2026-03-10T09:00'), vn(at)));
      expect(versions.at(-1)).toMatchObject({ status: 'resolved', timing, resolvedAt: iso(vn(at)) });
      // Just before the approval, the overdue flag (and the watch) said what the verdict then says.
      expect(deadlineFlags(versions.at(-2)!, vn(at), ward).overdue).toBe(timing === 'late');
    }
  });

  it('is late with an apology when ready after the due date, even before the apology’s new date', () => {
    const newDueAt = '2026-03-16T16:00:00+07:00';
    const versions = walk([
      [vn('2026-03-10T09:00'), { action: 'assign', assignee: 'specialist.42' }, leader],
      apologizing(vn('2026-03-11T10:00'), newDueAt),
      [vn('2026-03-13T09:00'), { action: 'submit_for_approval' }, specialist],
      [vn('2026-03-13T10:00'), { action: 'approve' }, leader],
    ]);
    const apologized = versions[2]!;
    // The citizen is given the new date; the due date of the receipt stays, and so does the watch's schedule.
    expect(apologized).toMatchObject({ dueAt: iso(DUE), apologizedAt: iso(vn('2026-03-11T10:00')) });
    expect(appointmentOf(apologized)).toBe(iso(Date.parse(newDueAt)));
    expect(deadlineFlags(apologized, vn('2026-03-13T08:00'), ward)).toMatchObject({ overdue: true });
    expect(versions.at(-1)).toMatchObject({ status: 'resolved', timing: 'late', dueAt: iso(DUE) });

    const figures = figuresOfWalk(versions);
    expect(figures).toMatchObject({ resolved: 1, early: 0, onTime: 0, late: 1, lateWithApology: 1 });
    expect(figures.onTimeRate).toEqual({ numerator: 0, denominator: 1, percent: '0.00%' });
    expect(figures.apologies).toBe(1);
  });

  it('counts an apologized dossier ready in time as on time, with its apology, and not as late with one', () => {
    const versions = walk([
      [vn('2026-03-10T09:00'), { action: 'assign', assignee: 'specialist.42' }, leader],
      apologizing(vn('2026-03-10T10:00'), '2026-03-16T16:00:00+07:00'),
      [vn('2026-03-12T09:00'), { action: 'submit_for_approval' }, specialist],
      [vn('2026-03-12T15:00'), { action: 'approve' }, leader],
    ]);
    const figures = figuresOfWalk(versions);
    expect(figures).toMatchObject({ resolved: 1, onTime: 1, late: 0, lateWithApology: 0 });
    expect(figures.apologies).toBe(1);
  });

  it('moves the due date by the time a supplement kept the clock paused, and not by an apology', () => {
    // Requested on Tuesday 10/3 at 08:00 with two working days left; handed in on Monday 16/3 at 08:00.
    const supplemented = (before: [number, ActionCommand, Actor][], approvedAt: string) =>
      walk([
        ...before,
        [vn('2026-03-10T08:00'), { action: 'request_supplement', missing: ['Bản sao CCCD'] }, officer],
        [vn('2026-03-16T08:00'), { action: 'supplement_received' }, officer],
        ...toApproval(vn('2026-03-16T09:00'), vn(approvedAt)),
      ]);
    const paused = supplemented([], '2026-03-17T10:00');
    expect(paused[2]!.dueAt).toBe(iso(vn('2026-03-18T08:00')));
    // Ready after the receipt's due date, before the moved one: early, not late.
    expect(paused.at(-1)).toMatchObject({ status: 'resolved', timing: 'early' });
    expect(figuresOfWalk(paused)).toMatchObject({ early: 1, late: 0 });

    // An apology first: the pause still counts from the receipt's due date, not from the apology's new date.
    const apology = apologizing(vn('2026-03-10T07:30'), '2026-03-16T16:00:00+07:00');
    const apologized = supplemented([apology], '2026-03-19T10:00');
    const resumed = apologized.at(-4)!;
    expect(resumed).toMatchObject({ status: 'received', dueAt: iso(vn('2026-03-18T08:00')) });
    expect(appointmentOf(resumed)).toBe(resumed.dueAt);
    expect(apologized.at(-1)).toMatchObject({ timing: 'late' });
    expect(figuresOfWalk(apologized)).toMatchObject({ late: 1, lateWithApology: 1 });
  });

  it('refuses an apology once the day before the due date has passed, naming the rule', () => {
    const assigned = walk([[vn('2026-03-10T09:00'), { action: 'assign', assignee: 'specialist.42' }, leader]]);
    for (const at of ['2026-03-12T07:00', '2026-03-13T09:00']) {
      let refused: unknown;
      try {
        walk([apologizing(vn(at), '2026-03-16T16:00:00+07:00')], assigned.at(-1));
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(RuleBroken);
      expect(refused).toMatchObject({
        messageKey: 'apology_after_last_day',
        params: { dueDate: '2026-03-12', lastDay: '2026-03-11' },
        violations: [{ in: 'body', field: 'action', rule: 'apology_before_due_date' }],
      });
    }
  });
});

describe('every unit of legal time, through due soon, overdue, apology and resolution', () => {
  const HOUR = 3_600_000;
  const units: [ProcessingTime, receivedLocal: string][] = [
    [{ unit: 'working_hours', amount: 12 }, '2026-03-09T08:00'],
    [{ unit: 'working_days', amount: 3 }, '2026-03-09T08:00'],
    [{ unit: 'calendar_days', amount: 10 }, '2026-03-09T08:00'],
    [{ unit: 'same_working_day', cutOff: '15:00' }, '2026-03-09T16:00'],
  ];
  for (const [time, receivedLocal] of units) {
    const receivedAt = vn(receivedLocal);
    const due = dueAt(calendar, receivedAt, time);
    const dossier: Dossier = {
      ...received,
      processingMinutes: processingMinutes(time),
      filedAt: iso(receivedAt),
      receivedAt: iso(receivedAt),
      dueAt: iso(due),
      originalDueAt: iso(due),
    };
    // The first instant of the day after the due date in the ward.
    const nextDay = instantAt(addDays(localDateOf(due, tz), 1), 0, tz);
    const assign: [number, ActionCommand, Actor] = [
      receivedAt + 60_000,
      { action: 'assign', assignee: 'specialist.42' },
      leader,
    ];
    const resolvedAt = (at: number) =>
      [assign, [at, { action: 'submit_for_approval' }, specialist], [at, { action: 'approve' }, leader]] as [
        number,
        ActionCommand,
        Actor,
      ][];

    it(`${time.unit}: due soon before the due date, overdue from the day after, exactly when a result then is late`, () => {
      expect(deadlineFlags(dossier, due - HOUR, ward)).toEqual({ overdue: false, dueSoon: true });
      expect(deadlineFlags(dossier, nextDay - 1, ward)).toMatchObject({ overdue: false });
      expect(deadlineFlags(dossier, nextDay, ward)).toMatchObject({ overdue: true, dueSoon: false });
      expect(walk(resolvedAt(due), dossier).at(-1)).toMatchObject({ status: 'resolved', timing: 'on_time' });
      expect(walk(resolvedAt(nextDay), dossier).at(-1)).toMatchObject({ status: 'resolved', timing: 'late' });
    });

    it(`${time.unit}: an apology only up to the day before the due date, and late stays late with it`, () => {
      const lastDay = apologyLastDay(due, tz);
      const lastMoment = instantAt(addDays(lastDay, 1), 0, tz) - 60_000;
      // A working day after the due date, within one more legal time.
      const newDueAt = iso(calendar.addWorkingMinutes(due, 8 * 60));
      if (lastMoment <= assign[0]) {
        // Due the day it was received, or the next: no day is left before the due date to apologise on.
        expect(() => walk([assign, apologizing(assign[0] + 60_000, newDueAt)], dossier)).toThrow(RuleBroken);
        return;
      }
      expect(() => walk([assign, apologizing(nextDay - 12 * HOUR, newDueAt)], dossier)).toThrow(RuleBroken);
      const [, ...rest] = resolvedAt(nextDay + HOUR);
      const versions = walk([assign, apologizing(lastMoment, newDueAt), ...rest], dossier);
      expect(versions.at(-1)).toMatchObject({ status: 'resolved', timing: 'late', dueAt: iso(due) });
      expect(figuresOfWalk(versions)).toMatchObject({ late: 1, lateWithApology: 1 });
    });
  }
});

describe('the one rule of late', () => {
  it('ends the clock at the approval: the result ready for return, not its hand-over', () => {
    const versions = walk([
      ...toApproval(vn('2026-03-10T09:00'), vn('2026-03-12T15:00')),
      [vn('2026-03-20T09:00'), { action: 'return_result', channel: 'in_person' }, officer],
    ]);
    const [resolved, returned] = versions.slice(-2);
    expect(clockEnd(resolved)).toBe(iso(vn('2026-03-12T15:00')));
    expect(clockEnd(returned)).toBe(clockEnd(resolved));
    expect(returned).toMatchObject({ status: 'returned', timing: 'on_time' });
    // Counted once, on the day the clock ended; the hand-over counts as returned only.
    const figures = figuresOfWalk(versions);
    expect(figures).toMatchObject({ resolved: 1, onTime: 1 });
    expect(figures.returned).toBe(1);
  });

  it('is the same for the verdict, the overdue flag and the watch’s overdue query, at every instant', () => {
    const instant = fc.integer({ min: vn('2026-01-01T00:00'), max: vn('2027-12-31T00:00') });
    fc.assert(
      fc.property(instant, fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }), (due, offset) => {
        const at = due + offset;
        const dossier = { status: 'in_progress' as const, dueAt: iso(due) };
        const late = classifyTiming(at, due, tz) === 'late';
        expect(isLate(at, due, tz)).toBe(late);
        expect(deadlineFlags(dossier, at, ward).overdue).toBe(late);
        // The watch reads overdue alerts of schedules due before lateIfDueBefore(now).
        expect(due < lateIfDueBefore(at, tz)).toBe(late);
      }),
    );
  });
});

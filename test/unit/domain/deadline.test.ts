import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarSpecOf } from '../../../shared/config/calendar.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import { type ProcessingTime, processingUnits } from '../../../shared/domain/catalog.ts';
import { dueAt } from '../../../shared/domain/deadline.ts';
import { openDossier } from '../../../shared/domain/intake.ts';
import { addDays, isoWeekday } from '../../../shared/domain/zoned-time.ts';

const sample = readWardFile('sample');
/** The sample ward as deployed: summer hours, Saturday-morning reception and the official days off. */
const ward = new WorkingCalendar(calendarSpecOf(sample));
const vn = (iso: string) => Date.parse(`${iso}+07:00`);
const wall = (instant: number) => new Date(instant + 7 * 3_600_000).toISOString().slice(0, 16);

/** Any instant of 2024–2027, by the minute. */
const instant = fc
  .integer({ min: vn('2024-01-01T00:00') / 60_000, max: vn('2027-12-31T23:59') / 60_000 })
  .map((m) => m * 60_000);
const cutOff = fc
  .tuple(fc.integer({ min: 7, max: 16 }), fc.constantFrom(0, 30))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const processingTime: fc.Arbitrary<ProcessingTime> = fc.oneof(
  fc.integer({ min: 1, max: 80 }).map((amount) => ({ unit: 'working_hours' as const, amount })),
  fc.integer({ min: 1, max: 30 }).map((amount) => ({ unit: 'working_days' as const, amount })),
  fc.integer({ min: 1, max: 60 }).map((amount) => ({ unit: 'calendar_days' as const, amount })),
  cutOff.map((c) => ({ unit: 'same_working_day' as const, cutOff: c })),
);

describe('due dates in every unit of legal time', () => {
  it('puts every due date at a working moment, after the reception', () => {
    fc.assert(
      fc.property(instant, processingTime, (received, time) => {
        const due = dueAt(ward, received, time);
        expect(ward.isWorkingMoment(due)).toBe(true);
        expect(due).toBeGreaterThan(received);
      }),
      { numRuns: 400 },
    );
  });

  it('never gives an earlier due date for a later reception', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 5 * 24 * 60 }), processingTime, (received, later, time) => {
        expect(dueAt(ward, received + later * 60_000, time)).toBeGreaterThanOrEqual(dueAt(ward, received, time));
      }),
      { numRuns: 400 },
    );
  });

  it('counts calendar days from the day after reception and ends on the next working day when the last is off', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 60 }), (received, amount) => {
        const due = dueAt(ward, received, { unit: 'calendar_days', amount });
        const start = ward.localDate(ward.nextWorkingInstant(received));
        const last = addDays(start, amount);
        const dueDate = ward.localDate(due);
        expect(dueDate >= last).toBe(true);
        // Every day skipped past the last day of the time limit is a day off (Civil Code 2015 art. 148(5)).
        for (let d = last; d < dueDate; d = addDays(d, 1)) expect(ward.isWorkingDay(d)).toBe(false);
        // The time limit ends when the office closes that day.
        expect(due).toBe(ward.closeOf(dueDate));
      }),
      { numRuns: 300 },
    );
  });

  it('moves a calendar-day limit ending on a weekend or a holiday to the next working day', () => {
    // Received Thursday 5 March 2026: 2 days end on Saturday 7 March, so Monday 9 March at closing.
    expect(wall(dueAt(ward, vn('2026-03-05T09:00'), { unit: 'calendar_days', amount: 2 }))).toBe('2026-03-09T17:00');
    // Received Monday 9 February 2026: 7 days end on Monday 16 February, the first day of Tết; Tết runs to
    // Friday 20, the weekend follows, so the limit ends on Monday 23 February.
    expect(wall(dueAt(ward, vn('2026-02-09T09:00'), { unit: 'calendar_days', amount: 7 }))).toBe('2026-02-23T17:00');
    // A working-day limit of the same length counts only working days: seven of them run past Tết to 25 February.
    expect(wall(dueAt(ward, vn('2026-02-09T09:00'), { unit: 'working_days', amount: 7 }))).toBe('2026-02-25T09:00');
  });

  it('gives the same working day up to the cut-off and the next working day after it', () => {
    fc.assert(
      fc.property(instant, cutOff, (received, c) => {
        const due = dueAt(ward, received, { unit: 'same_working_day', cutOff: c });
        const start = ward.nextWorkingInstant(received);
        const day = ward.localDate(start);
        const afterCutOff = wall(start).slice(11) > c;
        expect(ward.localDate(due)).toBe(afterCutOff ? ward.nextWorkingDay(day) : day);
        expect(due).toBe(ward.closeOf(ward.localDate(due)));
      }),
      { numRuns: 400 },
    );
  });

  it('reads a certified copy as Decree 23/2015 does: 14:59 the same day, 15:01 the next working day', () => {
    const copy = sample.catalog.procedures.find((p) => p.code === '2.000815')!;
    expect(copy.processingTime).toEqual({ unit: 'same_working_day', cutOff: '15:00' });
    expect(wall(dueAt(ward, vn('2026-03-13T14:59'), copy.processingTime))).toBe('2026-03-13T17:00');
    // Friday after 15:00: the next working day is Monday.
    expect(wall(dueAt(ward, vn('2026-03-13T15:01'), copy.processingTime))).toBe('2026-03-16T17:00');
    // Thursday 30 April 2026 is a holiday, then 1 May, then the weekend: after 15:00 on Wednesday 29 April the copy
    // is due on Monday 4 May, in summer hours (closing at 17:30).
    expect(wall(dueAt(ward, vn('2026-04-29T15:30'), copy.processingTime))).toBe('2026-05-04T17:30');
  });

  it('keeps working hours and days as they were for the sample catalog', () => {
    const birth = sample.catalog.procedures.find((p) => p.code === '1.001193')!;
    expect(birth.processingTime).toEqual({ unit: 'working_hours', amount: 8 });
    expect(wall(dueAt(ward, vn('2026-03-12T09:00'), birth.processingTime))).toBe('2026-03-13T09:00');
  });

  it('has every unit in the sample catalog', () => {
    const units = new Set(sample.catalog.procedures.map((p) => p.processingTime.unit));
    expect([...units].sort()).toEqual([...processingUnits].sort());
  });
});

describe('reception hours apart from the working calendar', () => {
  it('receives on Saturday morning, not on Saturday afternoon nor on a holiday Saturday', () => {
    expect(ward.isWorkingDay('2026-03-14')).toBe(false);
    expect(ward.isReceptionOpen(vn('2026-03-14T08:00'))).toBe(true);
    expect(ward.isReceptionOpen(vn('2026-03-14T11:30'))).toBe(false);
    expect(ward.isReceptionOpen(vn('2026-03-14T14:00'))).toBe(false);
    expect(ward.isReceptionOpen(vn('2026-03-15T08:00'))).toBe(false);
    // Saturday 29 August 2026 opens the Quốc khánh break only as a weekend day: it still receives in the morning.
    expect(ward.isReceptionOpen(vn('2026-08-29T08:00'))).toBe(true);
    // A make-up Saturday (10 January 2026) receives in office hours, afternoon included.
    expect(ward.isReceptionOpen(vn('2026-01-10T14:00'))).toBe(true);
    // A holiday on a Saturday closes the counter: 2 September 2023 was one.
    expect(ward.isReceptionOpen(vn('2023-09-02T08:00'))).toBe(false);
    // Weekdays receive in office hours, and not on a holiday.
    expect(ward.isReceptionOpen(vn('2026-03-12T10:00'))).toBe(true);
    expect(ward.isReceptionOpen(vn('2026-03-12T12:00'))).toBe(false);
    expect(ward.isReceptionOpen(vn('2026-02-18T10:00'))).toBe(false);
  });

  it('counts a dossier received on Saturday from the next working moment, in every unit', () => {
    fc.assert(
      fc.property(processingTime, fc.integer({ min: 0, max: 239 }), (time, minute) => {
        const saturday = vn('2026-03-14T07:30') + minute * 60_000;
        expect(ward.isReceptionOpen(saturday)).toBe(true);
        expect(dueAt(ward, saturday, time)).toBe(dueAt(ward, vn('2026-03-16T07:00'), time));
      }),
      { numRuns: 200 },
    );
  });

  it('accepts a counter filing on Saturday morning and counts it from Monday', () => {
    const copy = sample.catalog.procedures.find((p) => p.code === '2.000815')!;
    const saturday = vn('2026-03-14T09:15');
    const { dossier } = openDossier(
      {
        procedureCode: copy.code,
        channel: 'in_person',
        applicant: { fullName: 'Nguyễn Văn An', idNumber: '001090000001', phone: '0912345678', address: 'Phường Mẫu' },
        components: ['BC', 'BS'],
        payment: { method: 'cash', paid: true },
      },
      copy,
      {
        now: saturday,
        calendar: ward,
        code: '000.00.00.H99-260314-0001',
        actor: { kind: 'staff', id: 'u1', username: 'officer.local', name: 'Trần Thị Hồng', role: 'officer' },
        pinHash: 'x',
      },
    );
    expect(dossier.status).toBe('received');
    expect(dossier.receivedAt).toBe(new Date(saturday).toISOString());
    // Received before the cut-off of the first working day that counts: due at Monday's closing.
    expect(wall(Date.parse(dossier.dueAt!))).toBe('2026-03-16T17:00');
  });
});

describe('summer and winter office hours', () => {
  it('counts and receives in the season’s sessions', () => {
    // Summer (1 May–30 September): 06:30–11:00 and 14:00–17:30; otherwise 07:00–11:30 and 13:30–17:00.
    expect(wall(ward.addWorkingMinutes(vn('2026-06-10T06:30'), 270))).toBe('2026-06-10T11:00');
    expect(wall(ward.addWorkingMinutes(vn('2026-03-10T07:00'), 270))).toBe('2026-03-10T11:30');
    expect(ward.isReceptionOpen(vn('2026-06-10T06:45'))).toBe(true);
    expect(ward.isReceptionOpen(vn('2026-03-10T06:45'))).toBe(false);
    expect(ward.isReceptionOpen(vn('2026-06-10T13:45'))).toBe(false);
    expect(ward.isReceptionOpen(vn('2026-03-10T13:45'))).toBe(true);
    // Across the change on 1 October: 90 minutes are left on 30 September (closing at 17:30), 390 run on 1 October.
    expect(wall(dueAt(ward, vn('2026-09-30T16:00'), { unit: 'working_days', amount: 1 }))).toBe('2026-10-01T15:30');
  });

  it('still makes a working day of 8 hours in either season', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const date = ward.localDate(t);
        if (!ward.isWorkingDay(date) || isoWeekday(date) > 5) return;
        const open = ward.nextWorkingInstant(Date.parse(`${date}T00:00:00+07:00`));
        expect(ward.workingMinutesBetween(open, ward.closeOf(date))).toBe(480);
      }),
      { numRuns: 200 },
    );
  });
});

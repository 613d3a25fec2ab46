import { describe, expect, it } from 'vitest';
import type { Dossier } from '../../../shared/domain/dossier.ts';
import { figuresOf, minus, openAtEndOf, type PeriodSums, sumCounters } from '../../../shared/domain/figures.ts';
import {
  allMandatoryDigitised,
  type CounterDelta,
  counterDeltas,
  reportScopes,
  scopedDeltas,
} from '../../../shared/domain/report.ts';

const tz = 'Asia/Ho_Chi_Minh';
const base: Dossier = {
  code: '000.00.00.H99-260309-0001',
  version: 1,
  status: 'submitted',
  procedure: { code: '1.004873', name: 'XNTTHN', fieldCode: 'HOTICH', fieldName: 'Hộ tịch', onlineLevel: 'full' },
  processingMinutes: 1440,
  channel: 'online',
  portalId: 'dvcqg',
  applicant: { fullName: 'A', idNumber: '001190012345', phone: '0912345678', address: 'x' },
  components: [{ code: 'TK', name: 'Tờ khai', mandatory: true }],
  fee: { amountVnd: 15000, method: 'online' },
  filedAt: '2026-03-08T16:30:00.000Z',
  apologies: [],
  pinHash: 'x',
};
const doc = {
  key: 'k',
  sha256: 's',
  contentType: 'application/pdf',
  sizeBytes: 1,
  verifiedAt: '2026-03-09T01:00:00.000Z',
};

describe('report counters of a dossier change', () => {
  it('counts nothing for an online filing until it is received', () => {
    expect(counterDeltas(undefined, base, tz)).toEqual([]);
  });

  it('counts a receipt on the day of receipt in the ward’s zone, with channel, online capability, fee and payment', () => {
    // 17:30Z on 8/3 is 00:30 on 9/3 in Viet Nam.
    const received = {
      ...base,
      version: 2,
      status: 'received' as const,
      receivedAt: '2026-03-08T17:30:00.000Z',
      fee: { ...base.fee, paidAt: '2026-03-08T16:31:00.000Z', paidAmountVnd: 15000 },
    };
    expect(counterDeltas(base, received, tz)).toEqual([
      {
        date: '2026-03-09',
        counters: {
          received: 1,
          received_online: 1,
          received_online_capable: 1,
          received_online_capable_online: 1,
          received_full_online: 1,
          received_full_online_online: 1,
          fee_bearing: 1,
          paid: 1,
          paid_vnd: 15000,
          paid_online: 1,
          paid_online_vnd: 15000,
        },
      },
    ]);
  });

  it('counts digitisation once, by the dossier’s flag, with the dossiers received that day', () => {
    const received = {
      ...base,
      status: 'received' as const,
      receivedAt: '2026-03-09T01:00:00.000Z',
      fee: { amountVnd: 0, method: null },
    };
    const digitised = {
      ...received,
      components: [{ ...received.components[0]!, document: doc }],
      digitisedAt: '2026-03-10T01:00:00.000Z',
    };
    expect(counterDeltas(received, digitised, tz)).toEqual([{ date: '2026-03-09', counters: { digitised: 1 } }]);
    expect(counterDeltas(digitised, { ...digitised }, tz)).toEqual([]);
    // A supplement that adds a mandatory component takes the flag back, and the count with it.
    const supplemented = {
      ...digitised,
      components: [...digitised.components, { code: 'GCS', name: 'Giấy chứng sinh', mandatory: true }],
      digitisedAt: undefined,
    };
    expect(counterDeltas(digitised, supplemented, tz)).toEqual([{ date: '2026-03-09', counters: { digitised: -1 } }]);
    // Digitised before receipt (online, uploaded before the officer accepts it): counted at receipt.
    const submitted = { ...digitised, status: 'submitted' as const, receivedAt: undefined };
    expect(counterDeltas(undefined, submitted, tz)).toEqual([]);
    expect(counterDeltas(submitted, digitised, tz)).toContainEqual({
      date: '2026-03-09',
      counters: expect.objectContaining({ received: 1, digitised: 1 }),
    });
  });

  it('counts each reused component once, with the dossiers received, whenever it was reused', () => {
    const received = {
      ...base,
      status: 'received' as const,
      receivedAt: '2026-03-09T01:00:00.000Z',
      fee: { amountVnd: 0, method: null },
      components: [
        { code: 'TK', name: 'Tờ khai', mandatory: true },
        { code: 'GCS', name: 'Giấy chứng sinh', mandatory: true },
      ],
    };
    const reused = (at: string) => ({ id: '3f1c0a52-8f0e-4b8e-9d6c-2a7f4d1e9b10', at });
    const one = {
      ...received,
      components: [received.components[0]!, { ...received.components[1]!, reused: reused('2026-03-12T02:00:00Z') }],
    };
    expect(counterDeltas(received, one, tz)).toEqual([{ date: '2026-03-09', counters: { reused: 1 } }]);
    // Pointed at another source later: still one component reused.
    const again = {
      ...one,
      components: [one.components[0]!, { ...one.components[1]!, reused: reused('2026-03-13T02:00:00Z') }],
    };
    expect(counterDeltas(one, again, tz)).toEqual([]);
    // Reused before receipt: nothing until the dossier is received, then both at once on the day of receipt.
    const submitted = {
      ...received,
      status: 'submitted' as const,
      receivedAt: undefined,
      components: received.components.map((c) => ({ ...c, reused: reused('2026-03-08T02:00:00Z') })),
    };
    expect(counterDeltas(undefined, submitted, tz)).toEqual([]);
    const accepted = { ...submitted, status: 'received' as const, receivedAt: received.receivedAt };
    expect(counterDeltas(submitted, accepted, tz)).toContainEqual({
      date: '2026-03-09',
      counters: expect.objectContaining({ received: 1, reused: 2 }),
    });
  });

  it('takes a dossier whose mandatory components are verified or reused as digitised', () => {
    const components = [
      { code: 'TK', name: 'Tờ khai', mandatory: true, document: doc },
      { code: 'GCS', name: 'Giấy chứng sinh', mandatory: true },
      { code: 'UQ', name: 'Ủy quyền', mandatory: false },
    ];
    expect(allMandatoryDigitised({ components })).toBe(false);
    const reused = { id: '3f1c0a52-8f0e-4b8e-9d6c-2a7f4d1e9b10', at: '2026-03-09T01:00:00.000Z' };
    expect(allMandatoryDigitised({ components: components.map((c, i) => (i === 1 ? { ...c, reused } : c)) })).toBe(
      true,
    );
  });

  it('counts resolutions by timing, and finishes, returns and apologies on their own days', () => {
    const open = {
      ...base,
      status: 'pending_approval' as const,
      receivedAt: '2026-03-09T01:00:00.000Z',
      fee: { amountVnd: 0, method: null },
    };
    const resolved = {
      ...open,
      status: 'resolved' as const,
      resolvedAt: '2026-03-10T03:00:00.000Z',
      timing: 'early' as const,
    };
    expect(counterDeltas(open, resolved, tz)).toEqual([
      { date: '2026-03-10', counters: { resolved: 1, resolved_early: 1, closed: 1 } },
    ]);
    const returned = { ...resolved, status: 'returned' as const, returnedAt: '2026-03-11T03:00:00.000Z' };
    expect(counterDeltas(resolved, returned, tz)).toEqual([{ date: '2026-03-11', counters: { returned: 1 } }]);
    const refused = { ...base, status: 'not_accepted' as const, finishedAt: '2026-03-09T02:00:00.000Z' };
    expect(counterDeltas(base, refused, tz)).toEqual([{ date: '2026-03-09', counters: { not_accepted: 1 } }]);
    const apology = { at: '2026-03-10T02:00:00.000Z', reason: 'r', previousDueAt: 'a', newDueAt: 'b' };
    expect(counterDeltas(open, { ...open, apologies: [apology] }, tz)).toEqual([
      { date: '2026-03-10', counters: { apologies: 1 } },
    ]);
  });
});

describe('fee-bearing dossiers', () => {
  const legalBasis = 'Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC';
  const received = {
    ...base,
    version: 2,
    status: 'received' as const,
    receivedAt: '2026-03-09T01:00:00.000Z',
    fee: { amountVnd: 15000, method: 'cash' as const },
  };

  it('counts an exemption recorded by an action like one at intake: not fee-bearing', () => {
    const exemptAtIntake = { ...received, fee: { amountVnd: 15000, method: 'exempt' as const, legalBasis } };
    expect(counterDeltas(undefined, exemptAtIntake, tz)[0]!.counters.fee_bearing).toBeUndefined();
    // Received fee-bearing, exempted two days later: the dossier leaves the fee-bearing count of its day of receipt.
    expect(counterDeltas(undefined, received, tz)[0]!.counters.fee_bearing).toBe(1);
    const exemptedLater = { ...received, version: 3, fee: { amountVnd: 15000, method: 'exempt' as const, legalBasis } };
    expect(counterDeltas(received, exemptedLater, tz)).toEqual([{ date: '2026-03-09', counters: { fee_bearing: -1 } }]);
    // So both come to the same sum.
    const sum = (deltas: ReturnType<typeof counterDeltas>[]) =>
      deltas.flat().reduce((n, d) => n + (d.counters.fee_bearing ?? 0), 0);
    expect(sum([counterDeltas(undefined, received, tz), counterDeltas(received, exemptedLater, tz)])).toBe(
      sum([counterDeltas(undefined, exemptAtIntake, tz)]),
    );
  });

  it('counts an online dossier exempted before it is received as never fee-bearing', () => {
    const submitted = { ...base, fee: { amountVnd: 15000, method: null } };
    const exempted = { ...submitted, version: 2, fee: { amountVnd: 15000, method: 'exempt' as const, legalBasis } };
    expect(counterDeltas(submitted, exempted, tz)).toEqual([]);
    const accepted = { ...exempted, version: 3, status: 'received' as const, receivedAt: '2026-03-09T01:00:00.000Z' };
    expect(counterDeltas(exempted, accepted, tz)[0]!.counters).not.toHaveProperty('fee_bearing');
  });
});

/** Day counters keyed by scope and day, summed. */
function sumByDay(parts: { scope: string; deltas: CounterDelta[] }[]): Map<string, Record<string, number>> {
  const sums = new Map<string, Record<string, number>>();
  for (const { scope, deltas } of parts)
    for (const { date, counters } of deltas) {
      const item = sums.get(`${scope}|${date}`) ?? {};
      for (const [name, n] of Object.entries(counters)) item[name] = (item[name] ?? 0) + n!;
      sums.set(`${scope}|${date}`, item);
    }
  for (const [key, item] of sums) {
    for (const [name, n] of Object.entries(item)) if (n === 0) delete item[name];
    if (Object.keys(item).length === 0) sums.delete(key);
  }
  return sums;
}
/** What the aggregator adds along a dossier's versions, and what a rebuild from its last version counts. */
function alongAndAtEnd(versions: Dossier[]) {
  const along = sumByDay(versions.flatMap((after, i) => scopedDeltas(versions[i - 1], after, tz)));
  const last = versions.at(-1)!;
  const atEnd = sumByDay(reportScopes(last).map((scope) => ({ scope, deltas: counterDeltas(undefined, last, tz) })));
  return { along, atEnd };
}

/** The sums a report of `from`..`to` reads, from the deltas of one scope (as report-store.ts sums its items). */
function periodSumsOf(deltas: CounterDelta[], from: string, to: string): PeriodSums {
  const on = (keep: (date: string) => boolean) =>
    sumCounters(deltas.filter((d) => keep(d.date)).map((d) => d.counters));
  return { before: on((d) => d < from), through: on((d) => d <= to), lastDay: on((d) => d === to) };
}

describe('the open-dossier tally', () => {
  // Received 9/3, due 12/3 (Viet Nam dates; 01:00Z is 8:00 there).
  const received: Dossier = {
    ...base,
    version: 2,
    status: 'received',
    channel: 'in_person',
    receivedAt: '2026-03-09T01:00:00.000Z',
    dueAt: '2026-03-12T09:00:00.000Z',
    fee: { amountVnd: 0, method: null },
  };
  const assigned: Dossier = { ...received, version: 3, status: 'in_progress', department: 'Tư pháp – Hộ tịch' };
  const waiting: Dossier = {
    ...assigned,
    version: 4,
    status: 'awaiting_supplement',
    supplement: { requestedAt: '2026-03-11T02:00:00.000Z', missing: ['TK'], resumeStatus: 'in_progress' },
  };
  const resumed: Dossier = { ...assigned, version: 5, dueAt: '2026-03-18T09:00:00.000Z' };
  const moved: Dossier = { ...resumed, version: 6, department: 'Văn hóa – Xã hội' };
  const resolvedLate: Dossier = {
    ...moved,
    version: 7,
    status: 'resolved',
    resolvedAt: '2026-03-20T03:00:00.000Z',
    timing: 'late',
  };
  const history = [received, assigned, waiting, resumed, moved, resolvedLate];

  it('counts open and overdue at the end of each day: due dates that move move their count, a wait is never overdue', () => {
    const ward = (upTo: number) =>
      history
        .slice(0, upTo)
        .flatMap((after, i) => scopedDeltas(history[i - 1], after, tz))
        .filter((s) => s.scope === 'ward')
        .flatMap((s) => s.deltas);
    const atEndOf = (versions: number, day: string) => {
      const sums = periodSumsOf(ward(versions), day, day);
      return openAtEndOf(sums.through, sums.lastDay);
    };
    // Open from the day it was received; due on 12/3: still within its deadline at the end of 12/3, overdue on 13/3.
    expect(atEndOf(2, '2026-03-08')).toEqual({ open: 0, overdue: 0 });
    expect(atEndOf(2, '2026-03-12')).toEqual({ open: 1, overdue: 0 });
    expect(atEndOf(2, '2026-03-13')).toEqual({ open: 1, overdue: 1 });
    // Waiting for a supplement: no due date, so not overdue.
    expect(atEndOf(3, '2026-03-13')).toEqual({ open: 1, overdue: 0 });
    // Handed in: due on 18/3 now; the day after, overdue; resolved on 20/3, late: closed, neither open nor overdue.
    expect(atEndOf(4, '2026-03-18')).toEqual({ open: 1, overdue: 0 });
    expect(atEndOf(4, '2026-03-19')).toEqual({ open: 1, overdue: 1 });
    expect(atEndOf(6, '2026-03-19')).toEqual({ open: 1, overdue: 1 });
    expect(atEndOf(6, '2026-03-20')).toEqual({ open: 0, overdue: 0 });
    expect(atEndOf(6, '2026-04-30')).toEqual({ open: 0, overdue: 0 });
    // A report of 19/3–20/3 carries it over, resolves it late, and leaves nothing in progress.
    const figures = figuresOf(periodSumsOf(ward(6), '2026-03-19', '2026-03-20'));
    expect(figures).toMatchObject({ carriedOver: 1, resolved: 1, late: 1, inProgressWithinDeadline: 0 });
    expect(figures.inProgressOverdue).toBe(0);
    const open = figuresOf(periodSumsOf(ward(6), '2026-03-01', '2026-03-19'));
    expect(open).toMatchObject({ carriedOver: 0, received: 1, inProgressWithinDeadline: 0, inProgressOverdue: 1 });
  });

  it('closes a dossier finished in time on its due day, and one finished late on the day it finished', () => {
    const withdrawn = { ...assigned, status: 'withdrawn' as const, finishedAt: '2026-03-10T02:00:00.000Z' };
    expect(counterDeltas(assigned, withdrawn, tz)).toEqual([
      { date: '2026-03-10', counters: { withdrawn: 1, closed: 1 } },
      { date: '2026-03-12', counters: { closed_by_due: 1 } },
    ]);
    const stoppedLate = { ...assigned, status: 'stopped' as const, finishedAt: '2026-03-14T02:00:00.000Z' };
    expect(counterDeltas(assigned, stoppedLate, tz)).toEqual([
      { date: '2026-03-14', counters: { stopped: 1, closed: 1, closed_after_due: 1 } },
    ]);
  });

  it('adds up along a dossier’s history to what its last version counts, in every scope, department moves included', () => {
    const { along, atEnd } = alongAndAtEnd(history);
    expect(along).toEqual(atEnd);
    // The department it left keeps nothing of it; the one it joined has all of it.
    expect([...along.keys()].filter((k) => k.startsWith('department#Tư pháp'))).toEqual([]);
    expect(along.get('department#Văn hóa – Xã hội|2026-03-09')).toMatchObject({ received: 1 });
    expect(along.get('department#|2026-03-09')).toBeUndefined();
  });

  it('keeps the counters of a scope the dossier leaves and joins within one change', () => {
    const leaving = scopedDeltas(assigned, moved, tz);
    const gone = leaving.find((s) => s.scope === 'department#Tư pháp – Hộ tịch')!;
    const come = leaving.find((s) => s.scope === 'department#Văn hóa – Xã hội')!;
    expect(sumCounters(gone.deltas.map((d) => d.counters)).received).toBe(-1);
    expect(minus(sumCounters(come.deltas.map((d) => d.counters)), sumCounters([])).received).toBe(1);
  });
});

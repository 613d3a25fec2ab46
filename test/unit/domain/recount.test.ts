import { describe, expect, it } from 'vitest';
import type { Dossier } from '../../../shared/domain/dossier.ts';
import { counterDifferences, Recount, storedCounters } from '../../../shared/domain/recount.ts';
import { counterDeltas, counterNames } from '../../../shared/domain/report.ts';

const tz = 'Asia/Ho_Chi_Minh';
const legalBasis = 'Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC';
const filed: Dossier = {
  code: '000.00.00.H99-260309-0001',
  version: 1,
  status: 'submitted',
  procedure: { code: '1.004873', name: 'XNTTHN', fieldCode: 'HOTICH', fieldName: 'Hộ tịch', onlineLevel: 'full' },
  processingMinutes: 1440,
  channel: 'online',
  portalId: 'dvcqg',
  applicant: { fullName: 'A', idNumber: '001190012345', phone: '0912345678', address: 'x' },
  components: [{ code: 'TK', name: 'Tờ khai', mandatory: true }],
  fee: { amountVnd: 15000, method: null },
  filedAt: '2026-03-08T16:30:00.000Z',
  apologies: [],
  pinHash: 'x',
};
const doc = (verifiedAt: string) => ({
  key: 'k',
  sha256: 's',
  contentType: 'application/pdf',
  sizeBytes: 1,
  verifiedAt,
});

/** Each state of a dossier from its first write, as the stream hands them to the aggregator one after another. */
function history(...steps: ((d: Dossier) => Partial<Dossier>)[]): Dossier[] {
  const states: Dossier[] = [filed];
  for (const step of steps) {
    const last = states.at(-1)!;
    states.push({ ...last, ...step(last), version: last.version + 1 });
  }
  return states;
}

/** What the aggregator adds up along a history, by day and counter (zeros left out). */
function alongHistory(states: readonly Dossier[]): Record<string, number> {
  const sums: Record<string, number> = {};
  states.forEach((after, i) => {
    for (const delta of counterDeltas(states[i - 1], after, tz))
      for (const [name, value] of Object.entries(delta.counters)) {
        const key = `${delta.date} ${name}`;
        sums[key] = (sums[key] ?? 0) + (value ?? 0);
        if (sums[key] === 0) delete sums[key];
      }
  });
  return sums;
}

/** What the rebuild counts for the last state alone. */
const fromFinal = (states: readonly Dossier[]) => alongHistory([states.at(-1)!]);

const accepted = (at: string) => () => ({
  status: 'received' as const,
  receivedAt: at,
  dueAt: '2026-03-12T10:00:00.000Z',
});
const resolved = (at: string, timing: 'early' | 'on_time' | 'late') => () => ({
  status: 'resolved' as const,
  resolvedAt: at,
  timing,
});

describe('the aggregator’s counters along a dossier’s history, against the recount of its final state', () => {
  it('agree for a late resolution with an apology (form 04), returned days later', () => {
    const states = history(
      accepted('2026-03-09T01:00:00.000Z'),
      (d) => ({ status: 'in_progress', assignee: 'u', fee: { ...d.fee, method: 'cash' } }),
      () => ({
        apologizedAt: '2026-03-11T02:00:00.000Z',
        apologies: [{ at: '2026-03-11T02:00:00.000Z', reason: 'r', previousDueAt: 'a', newDueAt: 'b' }],
      }),
      resolved('2026-03-13T03:00:00.000Z', 'late'),
      // Paid at the counter on collection: counted with the dossiers received that day, in both.
      (d) => ({ fee: { ...d.fee, paidAt: '2026-03-16T03:00:00.000Z', paidAmountVnd: 15000 } }),
      () => ({ status: 'returned', returnedAt: '2026-03-16T03:00:00.000Z', finishedAt: '2026-03-16T03:00:00.000Z' }),
    );
    expect(alongHistory(states)).toEqual(fromFinal(states));
    expect(fromFinal(states)).toMatchObject({
      '2026-03-11 apologies': 1,
      '2026-03-13 resolved_late_apologized': 1,
      '2026-03-09 paid': 1,
      '2026-03-16 returned': 1,
    });
  });

  it('agree for a fee exemption recorded after receipt, and a payment online at filing', () => {
    const exempted = history(
      accepted('2026-03-09T01:00:00.000Z'),
      (d) => ({ fee: { ...d.fee, method: 'exempt', legalBasis } }),
      resolved('2026-03-10T03:00:00.000Z', 'early'),
    );
    expect(alongHistory(exempted)).toEqual(fromFinal(exempted));
    expect(fromFinal(exempted)['2026-03-09 fee_bearing']).toBeUndefined();
    const paidOnline = history(
      (d) => ({ fee: { ...d.fee, method: 'online', paidAt: '2026-03-08T16:31:00.000Z', paidAmountVnd: 15000 } }),
      accepted('2026-03-09T01:00:00.000Z'),
    );
    expect(alongHistory(paidOnline)).toEqual(fromFinal(paidOnline));
    expect(fromFinal(paidOnline)['2026-03-09 paid_online_vnd']).toBe(15000);
  });

  it('agree for refused, withdrawn and stopped dossiers', () => {
    for (const states of [
      history(() => ({ status: 'not_accepted', finishedAt: '2026-03-09T02:00:00.000Z' })),
      history(accepted('2026-03-09T01:00:00.000Z'), () => ({
        status: 'withdrawn',
        finishedAt: '2026-03-10T02:00:00.000Z',
      })),
      history(accepted('2026-03-09T01:00:00.000Z'), () => ({
        status: 'stopped',
        finishedAt: '2026-03-10T02:00:00.000Z',
      })),
    ])
      expect(alongHistory(states)).toEqual(fromFinal(states));
  });

  it('agree when a supplement adds a mandatory component to a dossier already digitised, scanned days later', () => {
    // Digitised at receipt; a supplement then hands in a mandatory paper not yet scanned; it is scanned on the 12th.
    // Counting digitisation only when it became true counted this dossier twice, once per time it became whole.
    const states = history(
      // The flag as the document store and the workflow write it: set when the last mandatory paper is in, taken
      // back by the supplement that adds one more.
      (d) => ({
        components: [{ ...d.components[0]!, document: doc('2026-03-08T16:40:00.000Z') }],
        digitisedAt: '2026-03-08T16:40:00.000Z',
      }),
      accepted('2026-03-09T01:00:00.000Z'),
      () => ({ status: 'awaiting_supplement' }),
      (d) => ({
        status: 'received',
        components: [...d.components, { code: 'GT', name: 'Giấy tờ', mandatory: true }],
        digitisedAt: undefined,
      }),
      (d) => ({
        components: d.components.map((c) => (c.document ? c : { ...c, document: doc('2026-03-12T02:00:00.000Z') })),
        digitisedAt: '2026-03-12T02:00:00.000Z',
      }),
    );
    expect(alongHistory(states)).toEqual(fromFinal(states));
    expect(fromFinal(states)['2026-03-09 digitised']).toBe(1);
  });
});

describe('the recount and its differences', () => {
  const received = history(accepted('2026-03-09T01:00:00.000Z')).at(-1)!;

  it('sums each dossier under each of its scopes and days', () => {
    const recount = new Recount(tz);
    recount.add(received);
    recount.add({ ...received, code: 'other', channel: 'in_person' });
    expect(recount.dossiers).toBe(2);
    const ward = [...recount.days.values()].find((d) => d.scope === 'ward' && d.date === '2026-03-09');
    expect(ward?.counters).toMatchObject({ received: 2, received_online: 1, received_in_person: 1, fee_bearing: 2 });
    expect([...recount.days.values()].map((d) => d.scope)).toEqual(
      expect.arrayContaining(['ward', 'field#HOTICH', 'procedure#1.004873']),
    );
  });

  it('names a dossier it cannot count and counts the others', () => {
    const recount = new Recount(tz);
    recount.add({ code: 'broken', status: 'received', receivedAt: received.receivedAt } as unknown as Dossier);
    recount.add(received);
    expect(recount.unreadable).toEqual(['broken']);
    expect(recount.dossiers).toBe(2);
    expect([...recount.days.values()].find((d) => d.scope === 'ward')?.counters.received).toBe(1);
  });

  it('lists every counter that differs, a day kept on one side only included, in order', () => {
    const recounted = [
      { scope: 'ward', date: '2026-03-09', counters: { received: 2, fee_bearing: 1 } },
      { scope: 'field#HOTICH', date: '2026-03-09', counters: { received: 2 } },
    ];
    const stored = [
      { scope: 'ward', date: '2026-03-09', counters: { received: 2, fee_bearing: 2, resolved: 0 } },
      { scope: 'ward', date: '2026-03-10', counters: { returned: 1 } },
      { scope: 'field#HOTICH', date: '2026-03-09', counters: { received: 2 } },
    ];
    expect(counterDifferences(recounted, stored)).toEqual([
      { scope: 'ward', date: '2026-03-09', counter: 'fee_bearing', stored: 2, recounted: 1 },
      { scope: 'ward', date: '2026-03-10', counter: 'returned', stored: 1, recounted: 0 },
    ]);
    expect(counterDifferences(recounted, recounted)).toEqual([]);
  });

  it('reads a stored item’s counters and nothing else it carries', () => {
    const item = { pk: 'REPORT#ward', sk: 'DAY#2026-03-09', entity: 'report-day', scope: 'ward', received: 3 };
    expect(storedCounters(item)).toEqual({ received: 3 });
    expect(Object.keys(storedCounters(Object.fromEntries(counterNames.map((n) => [n, 1]))))).toEqual([...counterNames]);
  });
});

describe('the recount of what citizens send', () => {
  it('counts a rating under its dossier’s ward, field and procedure, and feedback for the ward, as the aggregator does', () => {
    const recount = new Recount(tz);
    recount.addRating({
      code: filed.code,
      level: 'satisfied',
      ratedAt: '2026-03-20T03:00:00.000Z',
      procedure: { code: '1.004873', fieldCode: 'HOTICH' },
    });
    recount.addFeedback({
      code: 'PAKN-ABCDEFGHJK',
      version: 5,
      status: 'resolved',
      content: 'x',
      contact: '0912345678',
      pinHash: 'x',
      filedAt: '2026-03-10T03:00:00.000Z',
      dueAt: '2026-03-24T10:00:00.000Z',
      resolvedAt: '2026-03-21T03:00:00.000Z',
      resolvedOnTime: true,
      steps: 3,
    });
    const day = (scope: string, date: string) => recount.days.get(`${scope}\u0000${date}`)?.counters;
    for (const scope of ['ward', 'field#HOTICH', 'procedure#1.004873'])
      expect(day(scope, '2026-03-20')).toEqual({ rated: 1, rated_satisfied: 1 });
    expect(day('ward', '2026-03-10')).toEqual({ feedback_received: 1 });
    expect(day('ward', '2026-03-21')).toEqual({ feedback_resolved: 1, feedback_resolved_on_time: 1 });
    expect(day('field#HOTICH', '2026-03-21')).toBeUndefined();
  });
});

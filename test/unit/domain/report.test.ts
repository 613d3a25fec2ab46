import { describe, expect, it } from 'vitest';
import type { Dossier } from '../../../shared/domain/dossier.ts';
import { allMandatoryDigitised, counterDeltas } from '../../../shared/domain/report.ts';

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
      { date: '2026-03-10', counters: { resolved: 1, resolved_early: 1 } },
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

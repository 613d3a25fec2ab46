import { describe, expect, it } from 'vitest';
import type { Dossier } from '../../../shared/domain/dossier.ts';
import { counterDeltas } from '../../../shared/domain/report.ts';

const tz = 'Asia/Ho_Chi_Minh';
const base: Dossier = {
  code: '000.00.00.H99-260309-0001',
  version: 1,
  status: 'submitted',
  procedure: { code: '1.004873', name: 'XNTTHN', fieldCode: 'HOTICH', fieldName: 'Hộ tịch', onlineLevel: 'full' },
  processingMinutes: 1440,
  channel: 'online',
  filedBy: { kind: 'portal', id: 'dvcqg', name: 'DVCQG' },
  portalId: 'dvcqg',
  applicant: { fullName: 'A', idNumber: '001190012345', phone: '0912345678', address: 'x' },
  components: [{ code: 'TK', name: 'Tờ khai', mandatory: true }],
  fee: { amountVnd: 15000, method: 'online' },
  filedAt: '2026-03-08T16:30:00.000Z',
  apologies: [],
  pinHash: 'x',
};
const doc = { key: 'k', sha256: 's', contentType: 'application/pdf', sizeBytes: 1, verifiedAt: '2026-03-09T01:00:00.000Z' };

describe('report counters of a dossier change', () => {
  it('counts nothing for an online filing until it is received', () => {
    expect(counterDeltas(undefined, base, tz)).toEqual([]);
  });

  it('counts a receipt on the day of receipt in the ward’s zone, with channel, online capability, fee and payment', () => {
    // 17:30Z on 8/3 is 00:30 on 9/3 in Viet Nam.
    const received = { ...base, version: 2, status: 'received' as const, receivedAt: '2026-03-08T17:30:00.000Z', fee: { ...base.fee, paidAt: '2026-03-08T16:31:00.000Z', paidAmountVnd: 15000 } };
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

  it('counts digitisation once, when every mandatory component of a received dossier has a verified file', () => {
    const received = { ...base, status: 'received' as const, receivedAt: '2026-03-09T01:00:00.000Z', fee: { amountVnd: 0, method: null } };
    const digitised = { ...received, components: [{ ...received.components[0]!, document: doc }] };
    expect(counterDeltas(received, digitised, tz)).toEqual([{ date: '2026-03-09', counters: { digitised: 1 } }]);
    expect(counterDeltas(digitised, { ...digitised }, tz)).toEqual([]);
  });

  it('counts resolutions by timing, and finishes, returns and apologies on their own days', () => {
    const open = { ...base, status: 'pending_approval' as const, receivedAt: '2026-03-09T01:00:00.000Z', fee: { amountVnd: 0, method: null } };
    const resolved = { ...open, status: 'resolved' as const, resolvedAt: '2026-03-10T03:00:00.000Z', timing: 'early' as const };
    expect(counterDeltas(open, resolved, tz)).toEqual([{ date: '2026-03-10', counters: { resolved: 1, resolved_early: 1 } }]);
    const returned = { ...resolved, status: 'returned' as const, returnedAt: '2026-03-11T03:00:00.000Z' };
    expect(counterDeltas(resolved, returned, tz)).toEqual([{ date: '2026-03-11', counters: { returned: 1 } }]);
    const refused = { ...base, status: 'not_accepted' as const, finishedAt: '2026-03-09T02:00:00.000Z' };
    expect(counterDeltas(base, refused, tz)).toEqual([{ date: '2026-03-09', counters: { not_accepted: 1 } }]);
    const apology = { at: '2026-03-10T02:00:00.000Z', reason: 'r', previousDueAt: 'a', newDueAt: 'b' };
    expect(counterDeltas(open, { ...open, apologies: [apology] }, tz)).toEqual([{ date: '2026-03-10', counters: { apologies: 1 } }]);
  });
});

import { describe, expect, it } from 'vitest';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import {
  allowsElectronicResult,
  awaitedComponent,
  mayAddOfficePapers,
  parseDocumentKey,
  targetKey,
} from '../../../shared/domain/documents.ts';
import type { Actor, Dossier } from '../../../shared/domain/dossier.ts';
import { RuleBroken, ValidationFailed } from '../../../shared/domain/errors.ts';
import { counterDeltas } from '../../../shared/domain/report.ts';
import { decide, type WorkflowState } from '../../../shared/domain/workflow.ts';

const code = '000.00.00.H99-260309-0001';
const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ward = readWardFile('sample');

describe('document keys', () => {
  it('give components, results and extra pages each their own form under the dossier’s prefix, read back alike', () => {
    const keys = {
      component: targetKey(code, { kind: 'component', componentCode: 'TK' }, id, 'Tờ khai.pdf'),
      result: targetKey(code, { kind: 'result' }, id, 'Kết quả.pdf'),
      extra: targetKey(code, { kind: 'extra' }, id, 'trang 2.jpg'),
    };
    expect(keys).toEqual({
      component: `dossiers/${code}/components/TK/${id}-To_khai.pdf`,
      result: `dossiers/${code}/results/${id}-Ket_qua.pdf`,
      extra: `dossiers/${code}/extras/${id}-trang_2.jpg`,
    });
    expect(parseDocumentKey(keys.component)).toEqual({ code, kind: 'component', componentCode: 'TK', uploadId: id });
    expect(parseDocumentKey(keys.result)).toEqual({ code, kind: 'result', uploadId: id });
    expect(parseDocumentKey(keys.extra)).toEqual({ code, kind: 'extra', uploadId: id });
    for (const other of [`dossiers/${code}/result/${id}-a.pdf`, `dossiers/${code}/results/TK/${id}-a.pdf`])
      expect(parseDocumentKey(other)).toBeUndefined();
  });
});

describe('who adds a result or an extra page', () => {
  const assigned = { assignee: 'specialist.42', department: 'Tư pháp – Hộ tịch' };
  const staffActor = (username: string, role: 'officer' | 'specialist' | 'leader'): Actor => ({
    kind: 'staff',
    id: username,
    username,
    name: username,
    role,
  });
  it('is staff handling the dossier, never a portal', () => {
    expect(mayAddOfficePapers(assigned, [staffActor('officer.local', 'officer')], ward.staff)).toBe(true);
    expect(mayAddOfficePapers(assigned, [staffActor('specialist.42', 'specialist')], ward.staff)).toBe(true);
    expect(mayAddOfficePapers(assigned, [staffActor('specialist.43', 'specialist')], ward.staff)).toBe(false);
    expect(mayAddOfficePapers(assigned, [{ kind: 'portal', id: 'dvcqg', name: 'DVCQG' }], ward.staff)).toBe(false);
  });
  it('only where the procedure’s result form has an electronic result', () => {
    expect([allowsElectronicResult('electronic'), allowsElectronicResult('both')]).toEqual([true, true]);
    expect([allowsElectronicResult('paper'), allowsElectronicResult(undefined)]).toEqual([false, false]);
  });
});

describe('a component a supplement asks for', () => {
  const dossier = {
    status: 'awaiting_supplement' as const,
    components: [{ code: 'TK', name: 'Tờ khai', mandatory: true }],
    supplement: {
      requestedAt: '2026-03-09T01:00:00.000Z',
      missing: ['Văn bản ủy quyền'],
      resumeStatus: 'in_progress' as const,
      components: [{ code: 'UQ', name: 'Văn bản ủy quyền' }],
    },
  };
  it('is awaited while the dossier waits for that supplement, and not once it is listed or no longer waits', () => {
    expect(awaitedComponent(dossier, 'UQ')).toEqual({ code: 'UQ', name: 'Văn bản ủy quyền' });
    expect(awaitedComponent(dossier, 'GCS')).toBeUndefined();
    expect(awaitedComponent({ ...dossier, status: 'in_progress' }, 'UQ')).toBeUndefined();
    expect(
      awaitedComponent(
        { ...dossier, components: [...dossier.components, { code: 'UQ', name: 'x', mandatory: false }] },
        'UQ',
      ),
    ).toBeUndefined();
  });
});

describe('the e-result counter', () => {
  const resolved: Dossier = {
    code,
    version: 5,
    status: 'resolved',
    procedure: { code: '1.001193', name: 'Khai sinh', fieldCode: 'HOTICH', fieldName: 'Hộ tịch', onlineLevel: 'full' },
    processingMinutes: 480,
    channel: 'online',
    portalId: 'dvcqg',
    applicant: { fullName: 'A', idNumber: '001190012345', phone: '0912345678', address: 'x' },
    components: [{ code: 'TK', name: 'Tờ khai', mandatory: true }],
    fee: { amountVnd: 0, method: null },
    filedAt: '2026-03-08T01:00:00.000Z',
    receivedAt: '2026-03-08T02:00:00.000Z',
    resolvedAt: '2026-03-09T03:00:00.000Z',
    apologies: [],
    pinHash: 'x',
  };
  const eResult = (uploadId: string, verifiedAt: string) => ({
    uploadId,
    key: `dossiers/${code}/results/${uploadId}-kq.pdf`,
    sha256: 'ab'.repeat(32),
    contentType: 'application/pdf',
    sizeBytes: 100,
    verifiedAt,
  });
  it('counts a dossier once, on the day (in the ward’s zone) it first has an e-result', () => {
    // 17:30Z on 9/3 is 00:30 on 10/3 in Viet Nam.
    const first = { ...resolved, eResult: eResult(id, '2026-03-09T17:30:00.000Z') };
    expect(counterDeltas(resolved, first, 'Asia/Ho_Chi_Minh')).toEqual([
      { date: '2026-03-10', counters: { e_results: 1 } },
    ]);
    const replaced = { ...first, eResult: eResult('1f8fad5b-d9cb-469f-a165-70867728950e', '2026-03-11T02:00:00.000Z') };
    expect(counterDeltas(first, replaced, 'Asia/Ho_Chi_Minh')).toEqual([]);
  });
});

describe('the workflow and e-results', () => {
  const calendar = new WorkingCalendar({
    timeZone: ward.timeZone,
    sessions: ward.officeHours.sessions,
    weekdays: ward.officeHours.weekdays,
    holidayOverrides: [],
  });
  const procedure = ward.catalog.procedures.find((p) => p.code === '1.001193')!;
  const officerActor: Actor = { kind: 'staff', id: 'u1', username: 'officer.local', name: 'Hồng', role: 'officer' };
  const holderActor: Actor = { kind: 'staff', id: 'u2', username: 'specialist.42', name: 'Hà', role: 'specialist' };
  const state = (status: WorkflowState['status']): WorkflowState => ({
    code,
    version: 5,
    status,
    procedureCode: procedure.code,
    processingMinutes: 480,
    portalId: 'dvcqg',
    componentCodes: ['TK', 'GCS'],
    receivedAt: '2026-03-09T01:00:00.000Z',
    dueAt: '2026-03-10T01:00:00.000Z',
    assignee: 'specialist.42',
    department: 'Tư pháp – Hộ tịch',
    feeVnd: 0,
    paymentMethod: null,
    paidAt: null,
    resumeStatus: null,
    remainingMinutes: null,
    apologizedAt: null,
  });
  const ctx = { now: Date.parse('2026-03-09T03:00:00.000Z'), calendar, supplementClock: 'pause' as const, procedure };

  it('returns online only with an e-result, naming the channel; in person without one', () => {
    const online = { action: 'return_result', channel: 'online' } as const;
    const refused = (() => {
      try {
        decide(state('resolved'), online, [officerActor], { ...ctx, staff: ward.staff });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(RuleBroken);
    expect((refused as RuleBroken).violations).toEqual([
      expect.objectContaining({ field: 'channel', rule: 'online_return_needs_e_result' }),
    ]);
    expect(
      decide(state('resolved'), online, [officerActor], { ...ctx, staff: ward.staff, eResult: true }).toStatus,
    ).toBe('returned');
    const inPerson = { action: 'return_result', channel: 'in_person' } as const;
    expect(decide(state('resolved'), inPerson, [officerActor], { ...ctx, staff: ward.staff }).toStatus).toBe(
      'returned',
    );
  });

  it('keeps the components a supplement asks for with their names, and refuses codes the procedure does not have', () => {
    const asked = decide(
      state('in_progress'),
      { action: 'request_supplement', missing: ['Văn bản ủy quyền'], components: ['UQ', 'UQ'] },
      [holderActor],
      { ...ctx, staff: ward.staff },
    );
    expect(asked.changes.supplement).toMatchObject({
      components: [{ code: 'UQ', name: procedure.components.find((c) => c.code === 'UQ')!.name }],
    });
    expect(() =>
      decide(
        state('in_progress'),
        { action: 'request_supplement', missing: ['x'], components: ['XYZ'] },
        [holderActor],
        { ...ctx, staff: ward.staff },
      ),
    ).toThrow(ValidationFailed);
  });
});

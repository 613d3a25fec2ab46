import { describe, expect, it } from 'vitest';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import {
  allowsElectronicResult,
  awaitedComponent,
  mayAddOfficePapers,
  parseDocumentKey,
  targetKey,
} from '../../../shared/domain/documents.ts';
import type { Actor, Dossier } from '../../../shared/domain/dossier.ts';
import { counterDeltas } from '../../../shared/domain/report.ts';

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

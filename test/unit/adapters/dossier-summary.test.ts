import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierItem, summaryFromItem } from '../../../shared/adapters/dossier-store.ts';
import { deadlineFlags, worklistItemOf } from '../../../shared/api/views.ts';
import { env, table } from '../../../shared/blueprint/resources.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import type { Actor, Dossier } from '../../../shared/domain/dossier.ts';
import { workflowStateOf } from '../../../shared/domain/workflow.ts';
import { etagOf } from '../../../shared/http/etag.ts';
import { loadSecrets } from '../../../shared/security/secrets.ts';

/*
 * The list indexes hold only the attributes the blueprint projects (DynamoDB Local enforces it as DynamoDB does).
 * A worklist line built from an index entry must be the line of the whole dossier: every field it shows, and an
 * ETag over the same workflow state as the dossier's own (an action taken from the worklist must not be a 412).
 */

const ward = readWardFile('sample');
const folder = mkdtempSync(join(tmpdir(), 'motcua-summary-test-'));
beforeAll(async () => {
  writeFileSync(join(folder, 'ward.key'), randomBytes(48).toString('base64url'));
  process.env[env.secret('signing')] = `file:${join(folder, 'ward.key')}`;
  await loadSecrets(['signing']);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const filed: Dossier = {
  code: '000.00.00.H99-261202-0001',
  version: 1,
  status: 'received',
  procedure: {
    code: '1.004873',
    name: 'Cấp Giấy xác nhận tình trạng hôn nhân',
    fieldCode: 'HOTICH',
    fieldName: 'Hộ tịch',
    onlineLevel: 'full',
  },
  processingMinutes: 1440,
  channel: 'in_person',
  applicant: { fullName: 'Nguyễn Thị Lan', idNumber: '001190012345', phone: '0912345678', address: 'Số 12' },
  components: [
    { code: 'TK', name: 'Tờ khai', mandatory: true },
    { code: 'CCCD', name: 'Căn cước', mandatory: false },
  ],
  fee: { amountVnd: 15000, method: 'cash', paidAt: '2026-12-02T01:00:00.000Z', paidAmountVnd: 15000 },
  filedAt: '2026-12-02T01:00:00.000Z',
  receivedAt: '2026-12-02T01:00:00.000Z',
  dueAt: '2026-12-03T01:00:00.000Z',
  originalDueAt: '2026-12-03T01:00:00.000Z',
  apologies: [],
  pinHash: 'hmac-sha256$x',
};

/** A dossier in each shape a worklist meets. */
const dossiers: Record<string, Dossier> = {
  'filed at the counter': filed,
  'filed online, not yet received': {
    ...filed,
    status: 'submitted',
    channel: 'online',
    portalId: 'dvcqg',
    fee: { amountVnd: 15000, method: null },
    receivedAt: undefined,
    dueAt: undefined,
    originalDueAt: undefined,
  },
  'assigned, then awaiting a supplement': {
    ...filed,
    version: 3,
    status: 'awaiting_supplement',
    assignee: 'chuyenvien.a',
    department: 'Tư pháp – Hộ tịch',
    dueAt: undefined,
    supplement: {
      requestedAt: '2026-12-02T03:00:00.000Z',
      missing: ['CCCD'],
      note: 'Bản sao có chứng thực',
      resumeStatus: 'in_progress',
      remainingMinutes: 600,
    },
  },
  'late, with an apology, resolved': {
    ...filed,
    version: 5,
    status: 'resolved',
    assignee: 'chuyenvien.a',
    department: 'Tư pháp – Hộ tịch',
    dueAt: '2026-12-04T01:00:00.000Z',
    apologies: [
      {
        at: '2026-12-03T00:00:00.000Z',
        reason: 'Chờ xác minh',
        previousDueAt: '2026-12-03T01:00:00.000Z',
        newDueAt: '2026-12-04T01:00:00.000Z',
      },
    ],
    apologizedAt: '2026-12-03T00:00:00.000Z',
    resolvedAt: '2026-12-04T02:00:00.000Z',
    timing: 'late',
  },
};

/** An item as an index holds it: the table's and the index's keys and what the index projects. */
function entryOf(index: (typeof table.indexes)[number], item: Record<string, unknown>) {
  const kept = new Set<string>([
    table.partitionKey,
    table.sortKey,
    index.partitionKey,
    index.sortKey,
    ...index.projection,
  ]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => kept.has(name)));
}

// The indexes of dossier lists, keyed by a dossier's list attributes (not the alert schedules', not the deliveries').
const worklistIndexes = table.indexes.filter((i) => i.partitionKey === 'listStatus' || i.partitionKey === 'listAll');
const officer: Actor = { kind: 'staff', id: 'u1', username: 'canbo.a', name: 'Cán bộ A', role: 'officer' };
const portal: Actor = { kind: 'portal', id: 'dvcqg', name: 'DVCQG' };
const now = Date.parse('2026-12-03T12:00:00.000Z');

describe('a worklist line from a list index entry', () => {
  it('is served by four list indexes, each holding every dossier', () => {
    expect(worklistIndexes.map((i) => i.name).sort()).toEqual([
      'allByDue',
      'allByFiled',
      'byStatusDue',
      'byStatusFiled',
    ]);
    for (const index of worklistIndexes) {
      const item = dossierItem(filed);
      expect(item[index.partitionKey], index.name).toBeDefined();
      expect(item[index.sortKey], index.name).toBeDefined();
    }
  });

  for (const [shape, dossier] of Object.entries(dossiers)) {
    it(`shows what the whole dossier shows, with the same ETag: ${shape}`, () => {
      // Built from the dossier itself, field by field as the worklist's schema names them.
      const line = (actors: readonly Actor[]) => ({
        code: dossier.code,
        version: dossier.version,
        status: dossier.status,
        procedure: dossier.procedure,
        channel: dossier.channel,
        filedAt: dossier.filedAt,
        ...(dossier.receivedAt ? { receivedAt: dossier.receivedAt } : {}),
        ...(dossier.dueAt ? { dueAt: dossier.dueAt } : {}),
        ...(dossier.assignee ? { assignee: dossier.assignee } : {}),
        ...(dossier.department ? { department: dossier.department } : {}),
        ...(dossier.timing ? { timing: dossier.timing } : {}),
        ...deadlineFlags(dossier, now, ward),
        ...(actors.some((a) => a.kind === 'staff') ? { applicantName: dossier.applicant.fullName } : {}),
        etag: etagOf(workflowStateOf(dossier)),
      });
      for (const index of worklistIndexes) {
        const summary = summaryFromItem(entryOf(index, dossierItem(dossier)));
        expect(workflowStateOf(summary), index.name).toEqual(workflowStateOf(dossier));
        expect(worklistItemOf(summary, now, ward, [officer]), index.name).toEqual(line([officer]));
        expect(worklistItemOf(summary, now, ward, [portal]), index.name).toEqual(line([portal]));
      }
    });
  }

  it('keeps the applicant’s identity out of the list indexes: the name only', () => {
    for (const index of worklistIndexes) {
      const entry = entryOf(index, dossierItem(filed));
      expect(JSON.stringify(entry)).not.toContain(filed.applicant.idNumber);
      expect(JSON.stringify(entry)).not.toContain(filed.applicant.phone);
      expect(entry).not.toHaveProperty('pinHash');
    }
  });
});

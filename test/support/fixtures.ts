import { randomUUID } from 'node:crypto';
import { pdfFile } from './scans.ts';

/** A fresh Idempotency-Key header: portals must send one with every filing. */
export const idempotent = () => ({ 'idempotency-key': randomUUID() });

/** Bodies of realistic filings, for the sample ward's catalog. */
export const applicant = {
  fullName: 'Nguyễn Thị Lan',
  idNumber: '001190012345',
  phone: '0912345678',
  email: 'lan.nguyen@example.vn',
  address: 'Số 12 ngõ 34 phố Kim Liên, phường Kim Liên, Hà Nội',
};

/** Xác nhận tình trạng hôn nhân: 3 working days, 15,000 VND, online full. */
export const maritalStatus = (overrides: Record<string, unknown> = {}) => ({
  procedureCode: '1.004873',
  channel: 'in_person',
  applicant,
  components: ['TK'],
  payment: { method: 'cash', paid: true },
  ...overrides,
});

/** Đăng ký khai sinh: 8 working hours, free, online full; TK and GCS mandatory. */
export const birthRegistration = (overrides: Record<string, unknown> = {}) => ({
  procedureCode: '1.001193',
  channel: 'online',
  applicant,
  components: ['TK', 'GCS'],
  ...overrides,
});

/** A real one-page PDF, its cross-reference table true: verification reads a PDF to its trailer. */
export const PDF_BYTES = pdfFile();

/** A dossier item as the table holds it (birth registration, at a version and status), for tests that feed streams. */
export function storedDossier(
  code: string,
  { version = 1, status = 'received', receivedAt, channel = 'online' }: StoredDossierState,
) {
  return {
    pk: `DOSSIER#${code}`,
    sk: 'DOSSIER',
    entity: 'dossier',
    code,
    version,
    status,
    procedure: {
      code: '1.001193',
      name: 'Đăng ký khai sinh',
      fieldCode: 'HOTICH',
      fieldName: 'Hộ tịch',
      onlineLevel: 'full',
    },
    processingMinutes: 480,
    channel,
    ...(channel === 'online' ? { portalId: 'dvcqg' } : {}),
    applicant: {},
    components: [],
    fee: { amountVnd: 0 },
    filedAt: receivedAt,
    receivedAt,
    dueAt: '2026-03-03T02:00:00.000Z',
    apologies: [],
    pinHash: 'x',
  };
}

interface StoredDossierState {
  version?: number;
  status?: string;
  receivedAt: string;
  channel?: 'online' | 'counter' | 'postal';
}

import { Conflict } from './errors.ts';
import type { Timing } from './timing.ts';
import type { LocalDate } from './zoned-time.ts';

export const dossierStatuses = [
  'submitted',
  'received',
  'in_progress',
  'pending_approval',
  'resolved',
  'returned',
  'not_accepted',
  'awaiting_supplement',
  'rejected',
  'withdrawn',
  'stopped',
] as const;
export type DossierStatus = (typeof dossierStatuses)[number];

/** Statuses in which the legal clock runs: the deadline watch looks at these. */
export const clockRunningStatuses = [
  'received',
  'in_progress',
  'pending_approval',
] as const satisfies readonly DossierStatus[];
/** Statuses after which nothing but paperwork happens. */
export const finishedStatuses = [
  'resolved',
  'returned',
  'not_accepted',
  'rejected',
  'withdrawn',
  'stopped',
] as const satisfies readonly DossierStatus[];

export const channels = ['online', 'in_person', 'postal'] as const;
export type Channel = (typeof channels)[number];

export const paymentMethods = ['online', 'cash', 'exempt'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

export interface Applicant {
  fullName: string;
  idNumber: string;
  phone: string;
  email?: string | undefined;
  address: string;
}

export interface SuppliedComponent {
  code: string;
  name: string;
  mandatory: boolean;
  /** Set by the document check once a verified electronic file is stored for it. */
  document?: { key: string; sha256: string; contentType: string; sizeBytes: number; verifiedAt: string } | undefined;
  /**
   * Set when the component is an earlier verified document of the same applicant, pointed at instead of asked for
   * again: `id` is this dossier's document (state `reused`) that names the source and its version.
   */
  reused?: { id: string; at: string } | undefined;
}

/** A dossier's electronic result: its upload (GET /dossiers/{code}/documents/{uploadId}) and its file. */
export interface EResult {
  uploadId: string;
  key: string;
  sha256: string;
  contentType: string;
  sizeBytes: number;
  verifiedAt: string;
}

export type Actor =
  /** `username` is the sign-in name (what assignments name), `name` the display name of the staff directory. */
  | { kind: 'staff'; id: string; username: string; name: string; role: 'officer' | 'specialist' | 'leader' }
  | { kind: 'portal'; id: string; name: string }
  | { kind: 'system'; id: string; name: string };

export interface Apology {
  at: string;
  reason: string;
  previousDueAt: string;
  newDueAt: string;
}

export interface Fee {
  amountVnd: number;
  method: PaymentMethod | null;
  paidAt?: string | undefined;
  paidAmountVnd?: number | undefined;
  transactionRef?: string | undefined;
  /** For an exemption: the provision it rests on (e.g. "Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC"). */
  legalBasis?: string | undefined;
}

/** What a control-slip row says of a payment or exemption recorded with it. */
export interface SlipPayment {
  method: PaymentMethod;
  amountVnd?: number | undefined;
  transactionRef?: string | undefined;
  legalBasis?: string | undefined;
}

/** A dossier (hồ sơ) as stored and as staff see it. Instants are ISO-8601 UTC strings. */
export interface Dossier {
  code: string;
  /** Counts workflow changes; the ETag and If-Match carry it. */
  version: number;
  status: DossierStatus;
  procedure: {
    code: string;
    name: string;
    fieldCode: string;
    fieldName: string;
    onlineLevel: 'full' | 'partial' | 'none';
  };
  /** Legal processing time in working minutes, copied from the catalog at intake. */
  processingMinutes: number;
  channel: Channel;
  /** The portal an online dossier came from; its status changes are sent back there. */
  portalId?: string | undefined;
  applicant: Applicant;
  components: SuppliedComponent[];
  /**
   * When every mandatory component became verified or reused (digitised, số hóa); absent while one is not. Written
   * with the component that completes it, and removed by a supplement that adds a mandatory one.
   */
  digitisedAt?: string | undefined;
  fee: Fee;
  filedAt: string;
  receivedAt?: string | undefined;
  dueAt?: string | undefined;
  /** The due date of the receipt, before any apology or supplement moved it. */
  originalDueAt?: string | undefined;
  /** Username of the staff member handling the dossier (from the staff directory). */
  assignee?: string | undefined;
  /** The department handling it: the assignee's, or the one it was assigned to with no assignee. */
  department?: string | undefined;
  transferredTo?: string | undefined;
  supplement?:
    | {
        requestedAt: string;
        missing: string[];
        note?: string | undefined;
        resumeStatus: DossierStatus;
        remainingMinutes?: number | undefined;
        /** Components the request asks for that the dossier may not list: their files are taken while it waits. */
        components?: { code: string; name: string }[] | undefined;
      }
    | undefined;
  resolvedAt?: string | undefined;
  /** The verified electronic result (kết quả điện tử), set by the document check; a later verified one replaces it. */
  eResult?: EResult | undefined;
  timing?: Timing | undefined;
  returnedAt?: string | undefined;
  returnChannel?: Channel | undefined;
  finishedAt?: string | undefined;
  reason?: string | undefined;
  apologies: Apology[];
  /** When the one apology the law allows was issued; the workflow's writes are conditioned on it. */
  apologizedAt?: string | undefined;
  /** Keyed hash (under the ward PIN key) of the lookup PIN printed on the receipt; the PIN itself is never stored. */
  pinHash: string;
}

/**
 * A dossier as a worklist shows it: what its line shows, what its ETag signs (the workflow state) and what the
 * worklist filters on; the applicant by name only, the components by code only.
 */
export type DossierSummary = Pick<
  Dossier,
  | 'code'
  | 'version'
  | 'status'
  | 'procedure'
  | 'processingMinutes'
  | 'channel'
  | 'portalId'
  | 'fee'
  | 'filedAt'
  | 'receivedAt'
  | 'dueAt'
  | 'assignee'
  | 'department'
  | 'supplement'
  | 'timing'
  | 'apologizedAt'
> & { applicantName: string; components: Pick<SuppliedComponent, 'code'>[] };

/** One row of the control slip (form 06): a hand-over or decision. */
export interface ControlSlipEntry {
  seq: number;
  action: string;
  actor: Actor;
  fromStatus: DossierStatus | null;
  toStatus: DossierStatus;
  department?: string | undefined;
  assignee?: string | undefined;
  at: string;
  note?: string | undefined;
  payment?: SlipPayment | undefined;
  /** Whether the step was done within the deadline in force; null before the clock starts. */
  withinDeadline: boolean | null;
}

const MAX_DAILY_SEQUENCE = 9999;

/** Circular 01/2018 Art. 19: `<unit code>-YYMMDD-NNNN`. */
export function dossierCode(unitCode: string, date: LocalDate, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence ${sequence}`);
  if (sequence > MAX_DAILY_SEQUENCE) throw new Conflict('daily_sequence_exhausted', { date });
  return `${unitCode}-${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}-${String(sequence).padStart(4, '0')}`;
}

export const DOSSIER_CODE_PATTERN = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$/;

export function isFinished(status: DossierStatus): boolean {
  return (finishedStatuses as readonly DossierStatus[]).includes(status);
}

import type { WardConfig } from '../config/ward.ts';
import { applicantDisclosure, disclosedApplicant, worklistShowsApplicantName } from '../domain/disclosure.ts';
import {
  type Actor,
  clockRunningStatuses,
  type Dossier,
  type DossierStatus,
  type DossierSummary,
} from '../domain/dossier.ts';
import { appointmentOf, isLate } from '../domain/timing.ts';
import { allowedActions, workflowStateOf } from '../domain/workflow.ts';
import { etagOf } from '../http/etag.ts';
import type { Locale } from '../http/messages.ts';

/**
 * Where a dossier stands against its deadline at `now`, only while its clock runs: overdue as the verdict would
 * call it late were it ready now (shared/domain/timing.ts), due soon within the alert window before that.
 */
export function deadlineFlags(
  dossier: Pick<Dossier, 'status' | 'dueAt'>,
  now: number,
  ward: Pick<WardConfig, 'timeZone' | 'alerts'>,
) {
  const running =
    (clockRunningStatuses as readonly DossierStatus[]).includes(dossier.status) && dossier.dueAt !== undefined;
  const due = dossier.dueAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(dossier.dueAt);
  const overdue = running && isLate(now, due, ward.timeZone);
  return { overdue, dueSoon: running && !overdue && due - now <= ward.alerts.dueSoonHours * 3_600_000 };
}

/**
 * The dossier as GET /dossiers/{code} documents it (shared/api/dossiers.ts dossierView), field by field: an attribute
 * the item carries but the view does not name (an internal one, or one older items still hold, such as the
 * rejectedDocuments list that upload records replaced) is not shown.
 */
export function dossierViewOf(dossier: Dossier, actors: readonly Actor[], now: number, ward: WardConfig) {
  const supplement = dossier.supplement
    ? {
        requestedAt: dossier.supplement.requestedAt,
        missing: dossier.supplement.missing,
        ...(dossier.supplement.note ? { note: dossier.supplement.note } : {}),
        ...(dossier.supplement.components ? { components: dossier.supplement.components } : {}),
      }
    : undefined;
  const eResult = dossier.eResult
    ? {
        documentId: dossier.eResult.uploadId,
        contentType: dossier.eResult.contentType,
        sizeBytes: dossier.eResult.sizeBytes,
        sha256: dossier.eResult.sha256,
        verifiedAt: dossier.eResult.verifiedAt,
      }
    : undefined;
  // What each role sees of the applicant: shared/domain/disclosure.ts.
  const disclosure = applicantDisclosure(dossier, actors, ward.staff);
  const shown = disclosedApplicant(dossier.applicant, disclosure);
  // Absent fields stay undefined, which the JSON answer leaves out.
  return {
    code: dossier.code,
    version: dossier.version,
    status: dossier.status,
    procedure: dossier.procedure,
    processingMinutes: dossier.processingMinutes,
    channel: dossier.channel,
    portalId: dossier.portalId,
    applicant: shown,
    applicantDetail: disclosure,
    components: dossier.components,
    digitisedAt: dossier.digitisedAt,
    fee: dossier.fee,
    filedAt: dossier.filedAt,
    receivedAt: dossier.receivedAt,
    dueAt: dossier.dueAt,
    appointmentAt: appointmentOf(dossier),
    originalDueAt: dossier.originalDueAt,
    assignee: dossier.assignee,
    department: dossier.department,
    transferredTo: dossier.transferredTo,
    supplement,
    resolvedAt: dossier.resolvedAt,
    eResult,
    timing: dossier.timing,
    returnedAt: dossier.returnedAt,
    returnChannel: dossier.returnChannel,
    finishedAt: dossier.finishedAt,
    reason: dossier.reason,
    apologies: dossier.apologies,
    apologizedAt: dossier.apologizedAt,
    ...deadlineFlags(dossier, now, ward),
    allowedActions: allowedActions(workflowStateOf(dossier), actors, ward.staff),
  };
}

export function worklistItemOf(dossier: DossierSummary, now: number, ward: WardConfig, actors: readonly Actor[]) {
  return {
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
    ...(worklistShowsApplicantName(actors) ? { applicantName: dossier.applicantName } : {}),
    etag: etagOf(workflowStateOf(dossier)),
  };
}

/** Form 01's content, without the lookup PIN (see withLookup). */
export function receiptOf(dossier: Dossier, ward: WardConfig) {
  return {
    form: '01' as const,
    code: dossier.code,
    status: dossier.status,
    ward: { name: ward.name, unitCode: ward.unitCode },
    procedure: { code: dossier.procedure.code, name: dossier.procedure.name },
    applicant: dossier.applicant,
    components: dossier.components.map((c) => ({ code: c.code, name: c.name })),
    channel: dossier.channel,
    filedAt: dossier.filedAt,
    receivedAt: dossier.receivedAt ?? null,
    dueAt: dossier.dueAt ?? null,
    feeVnd: dossier.fee.amountVnd,
    resultCollection: ward.resultCollection,
  };
}

/** The receipt as the caller sees it: with the PIN for the public lookup, shown only in this answer. */
export function withLookup<R extends { code: string }>(receipt: R, pin: string) {
  return { ...receipt, lookup: { pin, path: `/public/dossiers/${encodeURIComponent(receipt.code)}?pin=${pin}` } };
}

const statusTexts: Record<DossierStatus, Record<Locale, string>> = {
  submitted: { vi: 'Đã nộp trực tuyến, chờ tiếp nhận', en: 'Filed online, awaiting acceptance' },
  received: { vi: 'Đã tiếp nhận', en: 'Received' },
  in_progress: { vi: 'Đang giải quyết', en: 'In progress' },
  pending_approval: { vi: 'Chờ lãnh đạo phê duyệt', en: 'Awaiting approval' },
  resolved: { vi: 'Đã có kết quả', en: 'Result ready' },
  returned: { vi: 'Đã trả kết quả', en: 'Result returned' },
  not_accepted: { vi: 'Từ chối tiếp nhận', en: 'Not accepted' },
  awaiting_supplement: { vi: 'Chờ bổ sung hồ sơ', en: 'Awaiting supplement' },
  rejected: { vi: 'Từ chối giải quyết', en: 'Rejected' },
  withdrawn: { vi: 'Đã rút hồ sơ', en: 'Withdrawn' },
  stopped: { vi: 'Dừng giải quyết', en: 'Stopped' },
};

export function publicStatusOf(dossier: Dossier, locale: Locale) {
  return {
    code: dossier.code,
    status: dossier.status,
    statusText: statusTexts[dossier.status][locale],
    procedure: { code: dossier.procedure.code, name: dossier.procedure.name },
    filedAt: dossier.filedAt,
    receivedAt: dossier.receivedAt ?? null,
    dueAt: dossier.dueAt ?? null,
    appointmentAt: appointmentOf(dossier) ?? null,
    finishedAt: dossier.returnedAt ?? dossier.resolvedAt ?? dossier.finishedAt ?? null,
    timing: dossier.timing ?? null,
  };
}

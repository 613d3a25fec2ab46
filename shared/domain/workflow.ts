import type { WorkingCalendar } from './calendar.ts';
import { CALENDAR_YEARS, inCalendarRange } from './calendar-bounds.ts';
import {
  type CaseContext,
  type CaseDecision,
  caseWorkflow,
  type EffectsTable,
  type RulesTable,
} from './case-workflow.ts';
import { assertComplete, type Procedure, processingMinutes, WORKING_DAY_MINUTES } from './catalog.ts';
import { dueAt } from './deadline.ts';
import type { Channel, ControlSlipEntry, Dossier, DossierStatus, DossierSummary, PaymentMethod } from './dossier.ts';
import { type FieldViolation, RuleBroken, Unprocessable, ValidationFailed } from './errors.ts';
import { paymentRuleBroken } from './payment.ts';
import { departmentTakesDossiers, mayBeAssigned, staffMember } from './staff.ts';
import { apologyLastDay, classifyTiming } from './timing.ts';

/**
 * The dossier's legal workflow as data, in the shape of case-workflow.ts: the rules table (which action may be
 * taken from which statuses, by which roles) and beside it the effects table (what each action does). Pure: the
 * caller passes the clock (`now`), the calendar, the procedure and the staff directory.
 */

/** The actions and what each carries, as the action schema (shared/api/actions.ts) hands them over. */
export type ActionCommand =
  | { action: 'accept'; note?: string | undefined }
  /** Form 03: refuse to receive the dossier. */
  | { action: 'refuse'; reason: string }
  /** To a person (username of the staff directory), or to a department whose specialists then share it. */
  | { action: 'assign'; assignee?: string | undefined; department?: string | undefined; note?: string | undefined }
  /** Liên thông: hand the dossier to another agency. */
  | { action: 'transfer'; agency: string; note?: string | undefined }
  /**
   * Form 02: what the citizen must add; `components` names the papers of the procedure it asks for, listed by the
   * dossier or not (an unlisted one's file is taken while the dossier waits, and the component joins it).
   */
  | { action: 'request_supplement'; missing: string[]; components?: string[] | undefined; note?: string | undefined }
  /** Codes of the components handed in, of the dossier's procedure. */
  | { action: 'supplement_received'; components?: string[] | undefined; note?: string | undefined }
  | { action: 'submit_for_approval'; note?: string | undefined }
  | { action: 'approve'; note?: string | undefined }
  | { action: 'send_back'; note: string }
  | { action: 'reject'; reason: string }
  | {
      action: 'record_payment';
      method: PaymentMethod;
      amountVnd?: number | undefined;
      transactionRef?: string | undefined;
      legalBasis?: string | undefined;
    }
  | { action: 'return_result'; channel: Channel; note?: string | undefined }
  | { action: 'withdraw'; reason?: string | undefined }
  /** Form 05: stop processing. */
  | { action: 'stop'; reason: string }
  /** Form 04: apology and new appointment date (ISO-8601 with offset). */
  | { action: 'apologize'; reason: string; newDueAt: string };

export type ActionName = ActionCommand['action'];

/**
 * What the workflow needs to know of a dossier to decide an action. Plain JSON data: it travels in the ETag,
 * and the write is conditioned on every field of it, so a stale or forged one cannot land.
 */
export interface WorkflowState {
  code: string;
  version: number;
  status: DossierStatus;
  procedureCode: string;
  processingMinutes: number;
  portalId: string | null;
  componentCodes: string[];
  receivedAt: string | null;
  dueAt: string | null;
  assignee: string | null;
  department: string | null;
  feeVnd: number;
  paymentMethod: string | null;
  paidAt: string | null;
  resumeStatus: DossierStatus | null;
  remainingMinutes: number | null;
  apologizedAt: string | null;
}

/** The state a dossier's ETag signs, from the whole dossier or its summary on a worklist. */
export function workflowStateOf(d: Dossier | DossierSummary): WorkflowState {
  return {
    code: d.code,
    version: d.version,
    status: d.status,
    procedureCode: d.procedure.code,
    processingMinutes: d.processingMinutes,
    portalId: d.portalId ?? null,
    componentCodes: d.components.map((c) => c.code),
    receivedAt: d.receivedAt ?? null,
    dueAt: d.dueAt ?? null,
    assignee: d.assignee ?? null,
    department: d.department ?? null,
    feeVnd: d.fee.amountVnd,
    paymentMethod: d.fee.method,
    paidAt: d.fee.paidAt ?? null,
    resumeStatus: d.supplement?.resumeStatus ?? null,
    remainingMinutes: d.supplement?.remainingMinutes ?? null,
    apologizedAt: d.apologizedAt ?? null,
  };
}

/** Where each field of the state is stored on the dossier item, for the write's condition. */
export const workflowStatePaths: Record<Exclude<keyof WorkflowState, 'code'>, string[]> = {
  version: ['version'],
  status: ['status'],
  procedureCode: ['procedure', 'code'],
  processingMinutes: ['processingMinutes'],
  portalId: ['portalId'],
  componentCodes: ['componentCodes'],
  receivedAt: ['receivedAt'],
  dueAt: ['dueAt'],
  assignee: ['assignee'],
  department: ['department'],
  feeVnd: ['fee', 'amountVnd'],
  paymentMethod: ['fee', 'method'],
  paidAt: ['fee', 'paidAt'],
  resumeStatus: ['supplement', 'resumeStatus'],
  remainingMinutes: ['supplement', 'remainingMinutes'],
  apologizedAt: ['apologizedAt'],
};

export interface DecisionContext extends CaseContext {
  supplementClock: 'pause' | 'restart';
  procedure: Procedure | undefined;
  /**
   * Whether the dossier has a verified electronic result; absent, it has none. Only an online return reads it: it is
   * not in the ETag's state (the worklist indexes do not hold it), and an e-result once recorded is never taken away.
   */
  eResult?: boolean;
}

/** A dossier as a kind of case: its actions, its state, its context and what its slip rows may add. */
export interface DossierCase {
  command: ActionCommand;
  state: WorkflowState;
  context: DecisionContext;
  slipExtras: Pick<ControlSlipEntry, 'assignee' | 'department' | 'payment'>;
}

export type Decision = CaseDecision<DossierCase>;

const open = ['received', 'in_progress', 'awaiting_supplement', 'pending_approval'] as const;

/** Who may take each action, and from which statuses. */
export const actionRules: RulesTable<DossierCase> = {
  accept: { from: ['submitted'], roles: ['officer'] },
  refuse: { from: ['submitted'], roles: ['officer'] },
  assign: { from: ['received', 'in_progress'], roles: ['officer', 'leader'] },
  transfer: { from: ['in_progress'], roles: ['specialist', 'leader'], onceAssigned: ['leader'] },
  request_supplement: {
    from: ['submitted', 'received', 'in_progress'],
    roles: ['officer', 'specialist'],
    onceAssigned: [],
  },
  supplement_received: { from: ['awaiting_supplement'], roles: ['officer', 'portal'] },
  submit_for_approval: { from: ['in_progress'], roles: ['specialist'], onceAssigned: [] },
  approve: { from: ['pending_approval'], roles: ['leader'] },
  send_back: { from: ['pending_approval'], roles: ['leader'] },
  reject: {
    from: ['in_progress', 'pending_approval'],
    roles: ['specialist', 'leader'],
    rolesIn: { pending_approval: ['leader'] },
    onceAssigned: ['leader'],
  },
  record_payment: { from: ['submitted', ...open, 'resolved'], roles: ['officer', 'portal'] },
  return_result: { from: ['resolved'], roles: ['officer'] },
  withdraw: { from: ['submitted', ...open], roles: ['officer', 'portal'] },
  stop: { from: open, roles: ['leader'] },
  apologize: {
    from: ['received', 'in_progress', 'pending_approval'],
    roles: ['officer', 'specialist', 'leader'],
    onceAssigned: ['leader'],
  },
};

const iso = (instant: number) => new Date(instant).toISOString();

/** What each action does, beside the rules table that says who may take it from where. */
const actionEffects: EffectsTable<DossierCase> = {
  accept: (state, _command, { now, at, calendar, procedure }) => {
    if (procedure) assertComplete(procedure, state.componentCodes);
    const dueAt = iso(legalDue(calendar, now, state, procedure));
    return {
      toStatus: 'received',
      changes: { receivedAt: at, dueAt, originalDueAt: dueAt },
      next: { receivedAt: at, dueAt },
    };
  },

  refuse: (_state, { reason }, { at }) => ({ toStatus: 'not_accepted', changes: { finishedAt: at, reason } }),

  assign: (_state, command, { staff }) => {
    const member = command.assignee === undefined ? undefined : staffMember(staff, command.assignee);
    if (command.assignee !== undefined && !mayBeAssigned(member)) {
      throw new RuleBroken({
        in: 'body',
        field: 'assignee',
        rule: 'assignee_in_staff_directory',
        message: 'assignee_in_staff_directory',
        params: { assignee: command.assignee },
      });
    }
    if (command.department !== undefined && !departmentTakesDossiers(staff, command.department)) {
      throw new RuleBroken({
        in: 'body',
        field: 'department',
        rule: 'department_in_staff_directory',
        message: 'department_in_staff_directory',
        params: { department: command.department },
      });
    }
    if (member && command.department !== undefined && member.department !== command.department) {
      throw new RuleBroken({
        in: 'body',
        field: 'department',
        rule: 'assignee_in_department',
        message: 'assignee_in_department',
        params: { assignee: member.username, department: command.department },
      });
    }
    // A department alone takes the dossier from whoever held it: its specialists now share it.
    const assignee = member?.username ?? null;
    const department = command.department ?? member!.department;
    return {
      toStatus: 'in_progress',
      changes: { assignee, department },
      next: { assignee, department },
      slip: { ...(assignee ? { assignee } : {}), department },
    };
  },

  transfer: (_state, { agency }) => ({ changes: { transferredTo: agency }, slip: { department: agency } }),

  request_supplement: (state, command, { now, at, calendar, supplementClock, procedure }) => {
    const catalog = procedure?.components ?? [];
    const unknown = unknownComponents(command.components ?? [], catalog, state.procedureCode);
    if (unknown.length > 0) throw new ValidationFailed(unknown);
    const asked = [...new Set(command.components ?? [])].map((code) => ({
      code,
      name: catalog.find((c) => c.code === code)!.name,
    }));
    const remaining =
      state.dueAt !== null && supplementClock === 'pause'
        ? calendar.workingMinutesBetween(now, Date.parse(state.dueAt))
        : null;
    return {
      toStatus: 'awaiting_supplement',
      changes: {
        supplement: {
          requestedAt: at,
          missing: command.missing,
          ...(command.note ? { note: command.note } : {}),
          ...(asked.length > 0 ? { components: asked } : {}),
          resumeStatus: state.status,
          ...(remaining !== null ? { remainingMinutes: remaining } : {}),
        },
      },
      next: { resumeStatus: state.status, remainingMinutes: remaining },
    };
  },

  supplement_received: (state, command, { now, calendar, supplementClock, procedure }) => {
    // What is handed in are papers of the procedure, as at intake: a code the catalog does not list is refused.
    const catalog = procedure?.components ?? [];
    const unknown = unknownComponents(command.components ?? [], catalog, state.procedureCode);
    if (unknown.length > 0) throw new ValidationFailed(unknown);
    const codes = [...new Set([...state.componentCodes, ...(command.components ?? [])])];
    const changes: Record<string, unknown> = { supplement: null };
    const next: Partial<WorkflowState> = { resumeStatus: null, remainingMinutes: null, componentCodes: codes };
    const added = codes.filter((c) => !state.componentCodes.includes(c));
    if (added.length > 0) {
      changes.componentCodes = codes;
      const appended = added.map((code) => {
        const { name, mandatory } = catalog.find((c) => c.code === code)!;
        return { code, name, mandatory };
      });
      changes.components = { append: appended };
      // A mandatory paper handed in now has no file yet: the dossier is no longer digitised until it has one.
      if (appended.some((c) => c.mandatory)) changes.digitisedAt = null;
    }
    if (state.dueAt !== null) {
      // Pause: the time left when it was requested runs again from now. Restart: the full time runs again.
      const resumed = calendar.nextWorkingInstant(now);
      const dueAt = iso(
        supplementClock === 'pause'
          ? calendar.addWorkingMinutes(resumed, state.remainingMinutes ?? 0)
          : legalDue(calendar, resumed, state, procedure),
      );
      changes.dueAt = dueAt;
      next.dueAt = dueAt;
    }
    return { toStatus: state.resumeStatus ?? 'received', changes, next };
  },

  submit_for_approval: () => ({ toStatus: 'pending_approval' }),

  approve: (state, _command, { now, at, calendar }) => ({
    toStatus: 'resolved',
    changes: { resolvedAt: at, timing: classifyTiming(now, Date.parse(state.dueAt!), calendar.timeZone) },
  }),

  send_back: () => ({ toStatus: 'in_progress' }),

  reject: (_state, { reason }, { at }) => ({ toStatus: 'rejected', changes: { finishedAt: at, reason } }),

  record_payment: (state, command, { at, actor }) => {
    if (state.feeVnd === 0) throw new Unprocessable('payment_without_fee');
    if (state.paidAt !== null || state.paymentMethod === 'exempt') {
      throw new Unprocessable(
        'payment_already_recorded',
        {},
        { paidAt: state.paidAt, paymentMethod: state.paymentMethod },
      );
    }
    const exempt = command.method === 'exempt';
    const { amountVnd, transactionRef, legalBasis } = command;
    const broken = paymentRuleBroken(state.feeVnd, {
      method: command.method,
      paid: !exempt,
      amountVnd,
      transactionRef,
      legalBasis,
      byPortal: actor.kind === 'portal',
    });
    if (broken) throw new RuleBroken(broken, { feeVnd: state.feeVnd });
    if (exempt) {
      // Nothing is paid: the fee stays on the dossier, marked exempt with its legal basis.
      return {
        changes: { 'fee.method': 'exempt', 'fee.legalBasis': legalBasis },
        next: { paymentMethod: 'exempt' },
        slip: { payment: { method: 'exempt', legalBasis } },
      };
    }
    return {
      changes: {
        'fee.method': command.method,
        'fee.paidAt': at,
        'fee.paidAmountVnd': amountVnd,
        ...(transactionRef ? { 'fee.transactionRef': transactionRef } : {}),
      },
      next: { paymentMethod: command.method, paidAt: at },
      slip: { payment: { method: command.method, amountVnd, ...(transactionRef ? { transactionRef } : {}) } },
    };
  },

  return_result: (state, { channel }, { at, eResult }) => {
    // Returned online is the electronic result sent: there must be one, verified (Decree 45/2020 e-results).
    if (channel === 'online' && !eResult) {
      throw new RuleBroken(
        {
          in: 'body',
          field: 'channel',
          rule: 'online_return_needs_e_result',
          message: 'online_return_needs_e_result',
          params: { code: state.code },
        },
        { code: state.code },
      );
    }
    return { toStatus: 'returned', changes: { returnedAt: at, returnChannel: channel } };
  },

  withdraw: (_state, { reason }, { at }) => ({
    toStatus: 'withdrawn',
    changes: { finishedAt: at, ...(reason ? { reason } : {}) },
  }),

  stop: (_state, { reason }, { at }) => ({ toStatus: 'stopped', changes: { finishedAt: at, reason } }),

  apologize: (state, command, { now, at, calendar }) => {
    const dueAt = state.dueAt!;
    const due = Date.parse(dueAt);
    const newDueAt = Date.parse(command.newDueAt);
    const wrongDate = (rule: string, message: string, params: Record<string, unknown>) =>
      new ValidationFailed([{ in: 'body', field: 'newDueAt', rule, message, params }]);
    // "Việc hẹn lại ngày trả kết quả được thực hiện không quá một lần" (Decree 61/2018, see apologyExtension).
    if (state.apologizedAt !== null)
      throw new Unprocessable('apology_once', { at: state.apologizedAt }, { apologizedAt: state.apologizedAt });
    // The decree's time limit: at the latest the day before the due date (see apologyLastDay).
    const lastDay = apologyLastDay(due, calendar.timeZone);
    if (calendar.localDate(now) > lastDay) {
      throw new RuleBroken(
        {
          in: 'body',
          field: 'action',
          rule: 'apology_before_due_date',
          message: 'apology_after_last_day',
          params: { dueDate: calendar.localDate(due), lastDay },
        },
        { dueAt, lastDay },
      );
    }
    // Checked before any calendar lookup, so no date a client sends makes the calendar compute a far year.
    if (
      !inCalendarRange(command.newDueAt.slice(0, 10)) ||
      !inCalendarRange(new Date(newDueAt).toISOString().slice(0, 10))
    ) {
      throw wrongDate('within_calendar', 'date_in_calendar_range', CALENDAR_YEARS);
    }
    if (newDueAt <= due) throw wrongDate('after_current_due', 'apology_new_due_not_later', { dueAt });
    const latest = calendar.addWorkingMinutes(due, apologyExtension(state.processingMinutes));
    if (calendar.localDate(newDueAt) > calendar.localDate(latest)) {
      throw wrongDate('within_one_more_legal_time', 'apology_new_due_too_far', {
        latest: calendar.localDate(latest),
      });
    }
    if (!calendar.isWorkingDay(calendar.localDate(newDueAt))) {
      throw wrongDate('working_day', 'apology_new_due_day_off', { date: calendar.localDate(newDueAt) });
    }
    // The new date is the citizen's appointment; the due date the verdict and the watch go by stays.
    const apology = { at, reason: command.reason, previousDueAt: dueAt, newDueAt: iso(newDueAt) };
    return {
      changes: { apologizedAt: at, apologies: { append: [apology] } },
      next: { apologizedAt: at },
    };
  },
};

/** The codes of `codes` that are no component of the procedure, as violations of the body's `components`. */
function unknownComponents(
  codes: readonly string[],
  catalog: readonly { code: string }[],
  procedureCode: string,
): FieldViolation[] {
  return codes.flatMap((code, i): FieldViolation[] =>
    catalog.some((c) => c.code === code)
      ? []
      : [
          {
            in: 'body',
            field: `components.${i}`,
            rule: 'unknown_component',
            message: 'unknown_component',
            params: { code, procedure: procedureCode },
          },
        ],
  );
}

const dossierWorkflow = caseWorkflow<DossierCase>({
  rules: actionRules,
  effects: actionEffects,
  // A payment only while a fee is due, one apology only once there is a due date.
  offered: (state, name) => {
    if (name === 'record_payment') return state.feeVnd > 0 && state.paidAt === null && state.paymentMethod !== 'exempt';
    if (name === 'apologize') return state.dueAt !== null && state.apologizedAt === null;
    return true;
  },
});

/** Actions this actor may take on the dossier now (named in every 409). */
export const allowedActions = dossierWorkflow.allowedActions;

/**
 * Decides an action on a dossier: refuses it (403 for a role that may never take it, or not in this status, or on
 * a dossier assigned to someone else; 409 naming the status and what is allowed; 400 or 422 naming the field and
 * rule an assignment, payment or apology breaks), or returns what changes.
 */
export const decide = dossierWorkflow.decide;

/**
 * How much later than the current due date an apology may set the new one: the procedure's legal
 * processing time once more, and at least one working day (a dossier of a few hours gets a day).
 *
 * The law: Decree 61/2018/NĐ-CP on the one-stop shop, as reported when it was issued (Báo Vĩnh Long,
 * 8/6/2018, from PLO), has the late agency apologise in writing at the latest one day before the due date,
 * giving the reason and the new date, and says "việc hẹn lại ngày trả kết quả được thực hiện không quá một
 * lần": hence one apology per dossier. We could not read the decree's own text, nor confirm the article
 * (Art. 19, as amended by Decree 107/2021/NĐ-CP), nor how Decree 118/2025/NĐ-CP (in force since 1/7/2025,
 * replacing both) words it. Neither text we saw bounds how far the new date may be: that bound is ours.
 */
/**
 * The due date of the legal time from a reception or a restart, in the catalog's unit while the catalog still gives
 * the procedure the time the dossier was received with; otherwise the dossier's stored working minutes count.
 */
function legalDue(calendar: WorkingCalendar, from: number, state: WorkflowState, procedure: Procedure | undefined) {
  return procedure && processingMinutes(procedure.processingTime) === state.processingMinutes
    ? dueAt(calendar, from, procedure.processingTime)
    : calendar.addWorkingMinutes(from, state.processingMinutes);
}

export function apologyExtension(processingMinutes: number): number {
  return Math.max(processingMinutes, WORKING_DAY_MINUTES);
}

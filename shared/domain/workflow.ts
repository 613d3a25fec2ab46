import type { WorkingCalendar } from './calendar.ts';
import { CALENDAR_YEARS, inCalendarRange } from './calendar-bounds.ts';
import { assertComplete, type Procedure, WORKING_DAY_MINUTES } from './catalog.ts';
import type { Actor, Channel, ControlSlipEntry, Dossier, DossierStatus, PaymentMethod } from './dossier.ts';
import {
  ActionNotAllowed,
  type FieldViolation,
  Forbidden,
  RuleBroken,
  Unprocessable,
  ValidationFailed,
} from './errors.ts';
import { paymentRuleBroken } from './payment.ts';
import {
  departmentTakesDossiers,
  holdsAssignment,
  isAssigned,
  mayBeAssigned,
  type StaffDirectory,
  staffMember,
} from './staff.ts';
import { classifyTiming } from './timing.ts';

/**
 * The legal workflow as data: which action may be taken from which statuses, by which roles, and what it
 * does. Pure: the caller passes the clock (`now`), the calendar, the procedure and the staff directory.
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
  /** Form 02: what the citizen must add. */
  | { action: 'request_supplement'; missing: string[]; note?: string | undefined }
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
export type ActorRole = 'officer' | 'specialist' | 'leader' | 'portal';

interface ActionRule {
  from: readonly DossierStatus[];
  roles: readonly ActorRole[];
  /** Statuses in which only some of the roles may act. */
  rolesIn?: Partial<Record<DossierStatus, readonly ActorRole[]>>;
  /**
   * Present for the handling specialist's actions: once the dossier is assigned they belong to whoever holds
   * it (its assignee or, assigned to a department only, that department's specialists) and to these roles.
   */
  onceAssigned?: readonly ActorRole[];
}

const open = ['received', 'in_progress', 'awaiting_supplement', 'pending_approval'] as const;

export const actionRules: Record<ActionName, ActionRule> = {
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

export function workflowStateOf(d: Dossier): WorkflowState {
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

export function actorRole(actor: Actor): ActorRole | undefined {
  if (actor.kind === 'portal') return 'portal';
  if (actor.kind === 'staff') return actor.role;
  return undefined;
}

/** Actions this actor may take on the dossier now (named in every 409). */
export function allowedActions(state: WorkflowState, actors: readonly Actor[], staff: StaffDirectory): ActionName[] {
  return (Object.keys(actionRules) as ActionName[]).filter(
    (name) => applies(state, name) && actors.some((actor) => refusal(state, name, actor, staff) === undefined),
  );
}

/**
 * Why this actor may not take the action now, by the first rule of the table it fails, or undefined if it
 * may: `role` (its role never takes it; a portal, on a dossier it did not file), `status` (not from this
 * status), `role_in_status` (not in this status, as a specialist rejecting what waits for the leader), or
 * `assignment` (the dossier is assigned to someone else).
 */
type Refusal = 'role' | 'status' | 'role_in_status' | 'assignment';
const refusalOrder: readonly Refusal[] = ['role', 'status', 'role_in_status', 'assignment'];

function refusal(state: WorkflowState, name: ActionName, actor: Actor, staff: StaffDirectory): Refusal | undefined {
  const rule = actionRules[name];
  const role = actorRole(actor);
  if (role === undefined) return 'role';
  // Assigned, the handling actions are the holder's whatever role it signed in with (a leader may take a dossier on).
  const holds =
    rule.onceAssigned !== undefined &&
    actor.kind === 'staff' &&
    isAssigned(state) &&
    holdsAssignment(actor.username, actor.role, state, staff);
  if (!rule.roles.includes(role) && !holds) return 'role';
  // A portal acts only on the dossiers it filed.
  if (role === 'portal' && state.portalId !== actor.id) return 'role';
  if (!rule.from.includes(state.status)) return 'status';
  const inStatus = rule.rolesIn?.[state.status];
  if (inStatus && !inStatus.includes(role)) return 'role_in_status';
  if (rule.onceAssigned && isAssigned(state) && !holds && !rule.onceAssigned.includes(role)) return 'assignment';
  return undefined;
}

/** Actions that make sense only for some dossiers: a payment while a fee is due, one apology once there is a due date. */
function applies(state: WorkflowState, name: ActionName): boolean {
  if (name === 'record_payment') return state.feeVnd > 0 && state.paidAt === null && state.paymentMethod !== 'exempt';
  if (name === 'apologize') return state.dueAt !== null && state.apologizedAt === null;
  return true;
}

export interface Decision {
  toStatus: DossierStatus;
  /**
   * Attributes to set on the dossier (dotted paths for nested ones); null removes the attribute and
   * `{ append: [...] }` appends to a list.
   */
  changes: Record<string, unknown>;
  slip: Omit<ControlSlipEntry, 'seq'>;
  next: WorkflowState;
}

export interface DecisionContext {
  now: number;
  calendar: WorkingCalendar;
  supplementClock: 'pause' | 'restart';
  procedure: Procedure | undefined;
  staff: StaffDirectory;
}

/**
 * Decides an action: refuses it (403 for a role that may never take it, or not in this status, or on a
 * dossier assigned to someone else; 409 naming the status and what is allowed; 400 or 422 naming the field
 * and rule an assignment, payment or apology breaks), or returns what changes. `actors` are the roles the
 * caller holds; the first that may act, preferring one whose role the rule names, is recorded on the slip.
 */
export function decide(
  state: WorkflowState,
  command: ActionCommand,
  actors: readonly Actor[],
  ctx: DecisionContext,
): Decision {
  const rule = actionRules[command.action];
  const refusals = actors.map((a) => refusal(state, command.action, a, ctx.staff));
  const able = actors.filter((_, i) => refusals[i] === undefined);
  const actor = able.find((a) => rule.roles.includes(actorRole(a)!)) ?? able[0];
  if (!actor) {
    // The refusal of the actor that got furthest through the rules is the one to explain.
    const furthest = refusals.reduce<Refusal>(
      (best, r) => (refusalOrder.indexOf(r!) > refusalOrder.indexOf(best) ? r! : best),
      'role',
    );
    if (furthest === 'role')
      throw new Forbidden('action_forbidden_role', { action: command.action, roles: rule.roles.join(', ') });
    if (furthest === 'role_in_status') {
      throw new Forbidden('action_forbidden_role', {
        action: command.action,
        roles: rule.rolesIn![state.status]!.join(', '),
      });
    }
    if (furthest === 'assignment') throw new Forbidden('action_assigned_to_other', { action: command.action });
    throw new ActionNotAllowed(
      'action_not_allowed',
      { action: command.action, status: state.status },
      { currentStatus: state.status, allowedActions: allowedActions(state, actors, ctx.staff) },
    );
  }

  const now = ctx.now;
  const at = new Date(now).toISOString();
  const iso = (instant: number) => new Date(instant).toISOString();
  const changes: Record<string, unknown> = {};
  let toStatus: DossierStatus = state.status;
  let next: WorkflowState = { ...state };
  const slipExtras: Partial<ControlSlipEntry> = {};

  switch (command.action) {
    case 'accept': {
      if (ctx.procedure) assertComplete(ctx.procedure, state.componentCodes);
      const dueAt = iso(ctx.calendar.addWorkingMinutes(now, state.processingMinutes));
      toStatus = 'received';
      Object.assign(changes, { receivedAt: at, dueAt, originalDueAt: dueAt });
      next = { ...next, receivedAt: at, dueAt };
      break;
    }
    case 'refuse':
      toStatus = 'not_accepted';
      Object.assign(changes, { finishedAt: at, reason: command.reason });
      break;
    case 'assign': {
      const member = command.assignee === undefined ? undefined : staffMember(ctx.staff, command.assignee);
      if (command.assignee !== undefined && !mayBeAssigned(member)) {
        throw new RuleBroken({
          in: 'body',
          field: 'assignee',
          rule: 'assignee_in_staff_directory',
          message: 'assignee_in_staff_directory',
          params: { assignee: command.assignee },
        });
      }
      if (command.department !== undefined && !departmentTakesDossiers(ctx.staff, command.department)) {
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
      toStatus = 'in_progress';
      Object.assign(changes, { assignee, department });
      next = { ...next, assignee, department };
      Object.assign(slipExtras, { ...(assignee ? { assignee } : {}), department });
      break;
    }
    case 'transfer':
      changes.transferredTo = command.agency;
      Object.assign(slipExtras, { department: command.agency });
      break;
    case 'request_supplement': {
      toStatus = 'awaiting_supplement';
      const remaining =
        state.dueAt !== null && ctx.supplementClock === 'pause'
          ? ctx.calendar.workingMinutesBetween(now, Date.parse(state.dueAt))
          : null;
      changes.supplement = {
        requestedAt: at,
        missing: command.missing,
        ...(command.note ? { note: command.note } : {}),
        resumeStatus: state.status,
        ...(remaining !== null ? { remainingMinutes: remaining } : {}),
      };
      next = { ...next, resumeStatus: state.status, remainingMinutes: remaining };
      break;
    }
    case 'supplement_received': {
      // What is handed in are papers of the procedure, as at intake: a code the catalog does not list is refused.
      const catalog = ctx.procedure?.components ?? [];
      const unknown = (command.components ?? []).flatMap((code, i): FieldViolation[] =>
        catalog.some((c) => c.code === code)
          ? []
          : [
              {
                in: 'body',
                field: `components.${i}`,
                rule: 'unknown_component',
                message: 'unknown_component',
                params: { code, procedure: state.procedureCode },
              },
            ],
      );
      if (unknown.length > 0) throw new ValidationFailed(unknown);
      toStatus = state.resumeStatus ?? 'received';
      const codes = [...new Set([...state.componentCodes, ...(command.components ?? [])])];
      changes.supplement = null;
      next = { ...next, resumeStatus: null, remainingMinutes: null, componentCodes: codes };
      const added = codes.filter((c) => !state.componentCodes.includes(c));
      if (added.length > 0) {
        changes.componentCodes = codes;
        changes.components = {
          append: added.map((code) => {
            const { name, mandatory } = catalog.find((c) => c.code === code)!;
            return { code, name, mandatory };
          }),
        };
      }
      if (state.dueAt !== null) {
        // Pause: the time left when it was requested runs again from now. Restart: the full time runs again.
        const minutes = ctx.supplementClock === 'pause' ? (state.remainingMinutes ?? 0) : state.processingMinutes;
        const dueAt = iso(ctx.calendar.addWorkingMinutes(ctx.calendar.nextWorkingInstant(now), minutes));
        changes.dueAt = dueAt;
        next = { ...next, dueAt };
      }
      break;
    }
    case 'submit_for_approval':
      toStatus = 'pending_approval';
      break;
    case 'approve': {
      toStatus = 'resolved';
      const timing = classifyTiming(now, Date.parse(state.dueAt!), ctx.calendar.timeZone);
      Object.assign(changes, { resolvedAt: at, timing });
      break;
    }
    case 'send_back':
      toStatus = 'in_progress';
      break;
    case 'reject':
      toStatus = 'rejected';
      Object.assign(changes, { finishedAt: at, reason: command.reason });
      break;
    case 'record_payment': {
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
        Object.assign(changes, { 'fee.method': 'exempt', 'fee.legalBasis': legalBasis });
        next = { ...next, paymentMethod: 'exempt' };
        slipExtras.payment = { method: 'exempt', legalBasis };
      } else {
        Object.assign(changes, {
          'fee.method': command.method,
          'fee.paidAt': at,
          'fee.paidAmountVnd': amountVnd,
          ...(transactionRef ? { 'fee.transactionRef': transactionRef } : {}),
        });
        next = { ...next, paymentMethod: command.method, paidAt: at };
        slipExtras.payment = { method: command.method, amountVnd, ...(transactionRef ? { transactionRef } : {}) };
      }
      break;
    }
    case 'return_result':
      toStatus = 'returned';
      Object.assign(changes, { returnedAt: at, returnChannel: command.channel });
      break;
    case 'withdraw':
      toStatus = 'withdrawn';
      Object.assign(changes, { finishedAt: at, ...(command.reason ? { reason: command.reason } : {}) });
      break;
    case 'stop':
      toStatus = 'stopped';
      Object.assign(changes, { finishedAt: at, reason: command.reason });
      break;
    case 'apologize': {
      const dueAt = state.dueAt!;
      const due = Date.parse(dueAt);
      const newDueAt = Date.parse(command.newDueAt);
      const wrongDate = (rule: string, message: string, params: Record<string, unknown>) =>
        new ValidationFailed([{ in: 'body', field: 'newDueAt', rule, message, params }]);
      // "Việc hẹn lại ngày trả kết quả được thực hiện không quá một lần" (Decree 61/2018, see apologyExtension).
      if (state.apologizedAt !== null)
        throw new Unprocessable('apology_once', { at: state.apologizedAt }, { apologizedAt: state.apologizedAt });
      if (ctx.calendar.localDate(now) > ctx.calendar.localDate(due))
        throw new Unprocessable('apology_too_late', { dueAt }, { dueAt });
      // Checked before any calendar lookup, so no date a client sends makes the calendar compute a far year.
      if (
        !inCalendarRange(command.newDueAt.slice(0, 10)) ||
        !inCalendarRange(new Date(newDueAt).toISOString().slice(0, 10))
      ) {
        throw wrongDate('within_calendar', 'date_in_calendar_range', CALENDAR_YEARS);
      }
      if (newDueAt <= due) throw wrongDate('after_current_due', 'apology_new_due_not_later', { dueAt });
      const latest = ctx.calendar.addWorkingMinutes(due, apologyExtension(state.processingMinutes));
      if (ctx.calendar.localDate(newDueAt) > ctx.calendar.localDate(latest)) {
        throw wrongDate('within_one_more_legal_time', 'apology_new_due_too_far', {
          latest: ctx.calendar.localDate(latest),
        });
      }
      if (!ctx.calendar.isWorkingDay(ctx.calendar.localDate(newDueAt))) {
        throw wrongDate('working_day', 'apology_new_due_day_off', { date: ctx.calendar.localDate(newDueAt) });
      }
      const apology = { at, reason: command.reason, previousDueAt: dueAt, newDueAt: iso(newDueAt) };
      Object.assign(changes, { dueAt: apology.newDueAt, apologizedAt: at, apologies: { append: [apology] } });
      next = { ...next, dueAt: apology.newDueAt, apologizedAt: at };
      break;
    }
  }

  next = { ...next, status: toStatus, version: state.version + 1 };
  changes.status = toStatus;
  changes.version = next.version;
  const deadline = state.dueAt ?? next.dueAt;
  const noteText = 'note' in command ? command.note : 'reason' in command ? command.reason : undefined;
  return {
    toStatus,
    changes,
    next,
    slip: {
      action: command.action,
      actor,
      fromStatus: state.status,
      toStatus,
      at,
      ...(noteText ? { note: noteText } : {}),
      ...slipExtras,
      // The same rule as early / on time / late: by calendar date in the ward's time zone.
      withinDeadline:
        deadline === null ? null : classifyTiming(now, Date.parse(deadline), ctx.calendar.timeZone) !== 'late',
    },
  };
}

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
export function apologyExtension(processingMinutes: number): number {
  return Math.max(processingMinutes, WORKING_DAY_MINUTES);
}

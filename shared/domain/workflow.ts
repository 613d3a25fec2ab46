import * as z from 'zod';
import { freeText } from '../api/text.ts';
import type { WorkingCalendar } from './calendar.ts';
import { classifyTiming } from './timing.ts';
import { assertComplete, type Procedure } from './catalog.ts';
import { channels, type Actor, type ControlSlipEntry, type Dossier, type DossierStatus } from './dossier.ts';
import { ActionNotAllowed, Forbidden, Unprocessable, ValidationFailed } from './errors.ts';

/**
 * The legal workflow as data: which action may be taken from which statuses, by which roles, and what it
 * does. Pure: the caller passes the clock (`now`), the calendar and the procedure.
 */

const note = freeText({ max: 2000, multiline: true }).optional();
const reason = freeText({ min: 3, max: 2000, multiline: true });
const componentCodes = z.array(z.string().regex(/^[A-Z0-9_-]{1,20}$/)).max(50);

export const actionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept'), note }),
  z.object({ action: z.literal('refuse'), reason }).meta({ description: 'Form 03: refuse to receive the dossier, with the reason' }),
  z
    .object({ action: z.literal('assign'), assignee: freeText({ max: 128 }).optional(), department: freeText({ max: 200 }).optional(), note })
    .refine((a) => a.assignee !== undefined || a.department !== undefined, { message: 'assignee_or_department', path: ['assignee'] }),
  z.object({ action: z.literal('transfer'), agency: freeText({ max: 200 }), note }).meta({ description: 'Liên thông: hand the dossier to another agency' }),
  z
    .object({ action: z.literal('request_supplement'), missing: z.array(freeText({ max: 500 })).min(1).max(50), note })
    .meta({ description: 'Form 02: what the citizen must add; the clock pauses or restarts per the ward setting' }),
  z.object({ action: z.literal('supplement_received'), components: componentCodes.optional(), note }),
  z.object({ action: z.literal('submit_for_approval'), note }),
  z.object({ action: z.literal('approve'), note }),
  z.object({ action: z.literal('send_back'), note: freeText({ max: 2000, multiline: true }) }),
  z.object({ action: z.literal('reject'), reason }),
  z.object({
    action: z.literal('record_payment'),
    method: z.enum(['online', 'cash']),
    amountVnd: z.number().int().positive().max(1_000_000_000),
    transactionRef: freeText({ max: 100 }).optional(),
  }),
  z.object({ action: z.literal('return_result'), channel: z.enum(channels), note }),
  z.object({ action: z.literal('withdraw'), reason: reason.optional() }),
  z.object({ action: z.literal('stop'), reason }).meta({ description: 'Form 05: stop processing, with the reason' }),
  z
    .object({ action: z.literal('apologize'), reason, newDueAt: z.iso.datetime({ offset: true }) })
    .meta({ description: 'Form 04: apology and new appointment date; only while open and no later than the current due date' }),
]);

export type ActionCommand = z.output<typeof actionSchema>;
export type ActionName = ActionCommand['action'];
export type ActorRole = 'officer' | 'specialist' | 'leader' | 'portal';

interface ActionRule {
  from: readonly DossierStatus[];
  roles: readonly ActorRole[];
}

const open = ['received', 'in_progress', 'awaiting_supplement', 'pending_approval'] as const;

export const actionRules: Record<ActionName, ActionRule> = {
  accept: { from: ['submitted'], roles: ['officer'] },
  refuse: { from: ['submitted'], roles: ['officer'] },
  assign: { from: ['received', 'in_progress'], roles: ['officer', 'leader'] },
  transfer: { from: ['in_progress'], roles: ['specialist', 'leader'] },
  request_supplement: { from: ['submitted', 'received', 'in_progress'], roles: ['officer', 'specialist'] },
  supplement_received: { from: ['awaiting_supplement'], roles: ['officer', 'portal'] },
  submit_for_approval: { from: ['in_progress'], roles: ['specialist'] },
  approve: { from: ['pending_approval'], roles: ['leader'] },
  send_back: { from: ['pending_approval'], roles: ['leader'] },
  reject: { from: ['in_progress', 'pending_approval'], roles: ['specialist', 'leader'] },
  record_payment: { from: ['submitted', ...open, 'resolved'], roles: ['officer', 'portal'] },
  return_result: { from: ['resolved'], roles: ['officer'] },
  withdraw: { from: ['submitted', ...open], roles: ['officer', 'portal'] },
  stop: { from: open, roles: ['leader'] },
  apologize: { from: ['received', 'in_progress', 'pending_approval'], roles: ['officer', 'specialist', 'leader'] },
};

/**
 * What the workflow needs to know of a dossier to decide an action. It travels in the ETag, and the write is
 * conditioned on every field of it, so a status change needs no read and a stale or forged one cannot land.
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
  feeVnd: number;
  paymentMethod: string | null;
  paidAt: string | null;
  resumeStatus: DossierStatus | null;
  remainingMinutes: number | null;
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
    feeVnd: d.fee.amountVnd,
    paymentMethod: d.fee.method,
    paidAt: d.fee.paidAt ?? null,
    resumeStatus: d.supplement?.resumeStatus ?? null,
    remainingMinutes: d.supplement?.remainingMinutes ?? null,
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
  feeVnd: ['fee', 'amountVnd'],
  paymentMethod: ['fee', 'method'],
  paidAt: ['fee', 'paidAt'],
  resumeStatus: ['supplement', 'resumeStatus'],
  remainingMinutes: ['supplement', 'remainingMinutes'],
};

export function actorRole(actor: Actor): ActorRole | undefined {
  if (actor.kind === 'portal') return 'portal';
  if (actor.kind === 'staff') return actor.role;
  return undefined;
}

/** Actions this actor may take on the dossier now (named in every 409). */
export function allowedActions(state: WorkflowState, actors: readonly Actor[]): ActionName[] {
  return (Object.keys(actionRules) as ActionName[]).filter((name) => applies(state, name) && actors.some((actor) => mayAct(state, name, actor)));
}

function mayAct(state: WorkflowState, name: ActionName, actor: Actor): boolean {
  const rule = actionRules[name];
  const role = actorRole(actor);
  if (!role || !rule.roles.includes(role) || !rule.from.includes(state.status)) return false;
  // A portal acts only on the dossiers it filed.
  return role !== 'portal' || state.portalId === actor.id;
}

/** Actions that make sense only for some dossiers: a payment when a fee is due, an apology when there is a due date. */
function applies(state: WorkflowState, name: ActionName): boolean {
  if (name === 'record_payment') return state.feeVnd > 0 && state.paidAt === null;
  if (name === 'apologize') return state.dueAt !== null;
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
}

/**
 * Decides an action: refuses it (409 naming the status and what is allowed, 403 for a role that may never
 * take it, 422 when the dossier is incomplete or an apology comes too late), or returns what changes.
 * `actors` are the roles the caller holds; the first that may act is recorded on the control slip.
 */
export function decide(state: WorkflowState, command: ActionCommand, actors: readonly Actor[], ctx: DecisionContext): Decision {
  const rule = actionRules[command.action];
  const actor = actors.find((a) => mayAct(state, command.action, a));
  if (!actor) {
    const holdsRole = actors.some((a) => {
      const role = actorRole(a);
      return role !== undefined && rule.roles.includes(role) && (role !== 'portal' || state.portalId === a.id);
    });
    if (!holdsRole) throw new Forbidden('action_forbidden_role', { action: command.action, roles: rule.roles.join(', ') });
    throw new ActionNotAllowed(
      'action_not_allowed',
      { action: command.action, status: state.status },
      { currentStatus: state.status, allowedActions: allowedActions(state, actors) },
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
    case 'assign':
      toStatus = 'in_progress';
      if (command.assignee !== undefined) changes.assignee = command.assignee;
      if (command.department !== undefined) changes.department = command.department;
      next = { ...next, assignee: command.assignee ?? state.assignee };
      Object.assign(slipExtras, { assignee: command.assignee, department: command.department });
      break;
    case 'transfer':
      changes.transferredTo = command.agency;
      Object.assign(slipExtras, { department: command.agency });
      break;
    case 'request_supplement': {
      toStatus = 'awaiting_supplement';
      const remaining =
        state.dueAt !== null && ctx.supplementClock === 'pause' ? ctx.calendar.workingMinutesBetween(now, Date.parse(state.dueAt)) : null;
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
      toStatus = state.resumeStatus ?? 'received';
      const codes = [...new Set([...state.componentCodes, ...(command.components ?? [])])];
      changes.supplement = null;
      next = { ...next, resumeStatus: null, remainingMinutes: null, componentCodes: codes };
      const added = codes.filter((c) => !state.componentCodes.includes(c));
      if (added.length > 0) {
        changes.componentCodes = codes;
        changes.components = { append: componentsOf(ctx.procedure, added) };
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
      if (state.paidAt !== null) throw new Unprocessable('payment_already_recorded', {}, { paidAt: state.paidAt });
      Object.assign(changes, {
        'fee.method': command.method,
        'fee.paidAt': at,
        'fee.paidAmountVnd': command.amountVnd,
        ...(command.transactionRef ? { 'fee.transactionRef': command.transactionRef } : {}),
      });
      next = { ...next, paymentMethod: command.method, paidAt: at };
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
      const newDueAt = Date.parse(command.newDueAt);
      if (ctx.calendar.localDate(now) > ctx.calendar.localDate(Date.parse(dueAt))) {
        throw new Unprocessable('apology_too_late', { dueAt }, { dueAt });
      }
      if (newDueAt <= Date.parse(dueAt)) {
        throw new ValidationFailed([{ in: 'body', field: 'newDueAt', rule: 'after_current_due', message: 'apology_new_due_not_later', params: { dueAt } }]);
      }
      if (!ctx.calendar.isWorkingDay(ctx.calendar.localDate(newDueAt))) {
        throw new ValidationFailed([{ in: 'body', field: 'newDueAt', rule: 'working_day', message: 'apology_new_due_day_off', params: { date: ctx.calendar.localDate(newDueAt) } }]);
      }
      const apology = { at, reason: command.reason, previousDueAt: dueAt, newDueAt: iso(newDueAt) };
      Object.assign(changes, { dueAt: apology.newDueAt, apologies: { append: [apology] } });
      next = { ...next, dueAt: apology.newDueAt };
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
      withinDeadline: deadline === null ? null : classifyTiming(now, Date.parse(deadline), ctx.calendar.timeZone) !== 'late',
    },
  };
}

function componentsOf(procedure: Procedure | undefined, codes: readonly string[]) {
  return codes.map((code) => {
    const known = procedure?.components.find((c) => c.code === code);
    return { code, name: known?.name ?? code, mandatory: known?.mandatory ?? false };
  });
}

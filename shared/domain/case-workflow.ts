import type { WorkingCalendar } from './calendar.ts';
import type { Actor } from './dossier.ts';
import { ActionNotAllowed, Forbidden } from './errors.ts';
import { type Assignment, holdsAssignment, isAssigned, type StaffDirectory } from './staff.ts';
import { classifyTiming } from './timing.ts';

/**
 * The shape of a kind of case's workflow, apart from any one kind: a dossier (workflow.ts) and, next, a citizen's
 * feedback (phản ánh, kiến nghị), each with its own statuses, actions and deadlines. A kind is two tables, its
 * rules (which action may be taken from which statuses, by which roles) and its effects (what each action
 * changes); `decide` authorizes by the rules and keeps what every action shares: the version, the status, the
 * control-slip row and whether the step was within the deadline. Pure: time and people come in the context.
 */

export type ActorRole = 'officer' | 'specialist' | 'leader' | 'portal';

export function actorRole(actor: Actor): ActorRole | undefined {
  if (actor.kind === 'portal') return 'portal';
  if (actor.kind === 'staff') return actor.role;
  return undefined;
}

export interface ActionRule<Status extends string> {
  from: readonly Status[];
  roles: readonly ActorRole[];
  /** Statuses in which only some of the roles may act. */
  rolesIn?: Partial<Record<Status, readonly ActorRole[]>>;
  /**
   * Present for the handling specialist's actions: once the case is assigned they belong to whoever holds
   * it (its assignee or, assigned to a department only, that department's specialists) and to these roles.
   */
  onceAssigned?: readonly ActorRole[];
}

/** What the rules and the bookkeeping read of a case; each kind's state carries more. */
export interface CaseState<Status extends string = string> extends Assignment {
  version: number;
  status: Status;
  /** The portal a case came from: a portal acts only on its own. */
  portalId: string | null;
  dueAt: string | null;
}

/** An action and what it carries; a note or a reason, if it has one, goes on the slip. */
export interface CaseCommand {
  action: string;
  note?: string | undefined;
  reason?: string | undefined;
}

export interface CaseContext {
  now: number;
  calendar: WorkingCalendar;
  staff: StaffDirectory;
}

/** The types one kind of case is made of. */
export interface CaseKind {
  command: CaseCommand;
  state: CaseState;
  /** What the caller passes `decide` beyond the clock, the calendar and the staff. */
  context: CaseContext;
  /** What an action may add to its control-slip row (whom it went to, a payment…). */
  slipExtras: object;
}

type NameOf<K extends CaseKind> = K['command']['action'];
type StatusOf<K extends CaseKind> = K['state']['status'];

export type RulesTable<K extends CaseKind> = Record<NameOf<K>, ActionRule<StatusOf<K>>>;

/** What an effect is given besides the state and the command: the caller's context, the instant and who acts. */
export type EffectContext<K extends CaseKind> = K['context'] & { at: string; actor: Actor };

/** What one action changes; what every action changes (version, status, slip) is `decide`'s. */
export interface Effect<K extends CaseKind> {
  /** The status the case moves to; it stays where it is without one. */
  toStatus?: StatusOf<K>;
  /** Attributes to set on the case (dotted paths for nested ones); null removes one, `{ append: [...] }` appends. */
  changes?: Record<string, unknown>;
  /** What changes in the state the next action is decided on. */
  next?: Partial<K['state']>;
  slip?: K['slipExtras'];
}

/** One effect per action: from the state, the command and the context to what changes, or an error refusing it. */
export type EffectsTable<K extends CaseKind> = {
  [Name in NameOf<K>]: (
    state: K['state'],
    command: Extract<K['command'], { action: Name }>,
    ctx: EffectContext<K>,
  ) => Effect<K>;
};

export interface SlipRow<Status extends string> {
  action: string;
  actor: Actor;
  fromStatus: Status;
  toStatus: Status;
  at: string;
  note?: string | undefined;
  /** Whether the step was done within the deadline in force; null before the clock starts. */
  withinDeadline: boolean | null;
}

export interface CaseDecision<K extends CaseKind> {
  toStatus: StatusOf<K>;
  /** The effect's changes, with the new status and version. */
  changes: Record<string, unknown>;
  slip: SlipRow<StatusOf<K>> & Partial<K['slipExtras']>;
  next: K['state'];
}

export interface CaseWorkflowDefinition<K extends CaseKind> {
  rules: RulesTable<K>;
  effects: EffectsTable<K>;
  /** Actions that make sense only for some cases (a payment while a fee is due) are offered only then. */
  offered?: (state: K['state'], name: NameOf<K>) => boolean;
}

export interface CaseWorkflow<K extends CaseKind> {
  /** Actions these actors may take on the case now (named in every 409). */
  allowedActions(state: K['state'], actors: readonly Actor[], staff: StaffDirectory): NameOf<K>[];
  /**
   * Decides an action: refuses it (403 for a role that may never take it, or not in this status, or on a case
   * assigned to someone else; 409 naming the status and what is allowed; whatever its effect refuses), or returns
   * what changes. `actors` are the roles the caller holds; the first that may act, preferring one whose role the
   * rule names, is recorded on the slip.
   */
  decide(state: K['state'], command: K['command'], actors: readonly Actor[], ctx: K['context']): CaseDecision<K>;
}

/**
 * Why an actor may not take an action now, by the first rule it fails: `role` (its role never takes it; a portal,
 * on a case it did not file), `status` (not from this status), `role_in_status` (not in this status, as a
 * specialist rejecting what waits for the leader), or `assignment` (the case is assigned to someone else).
 */
type Refusal = 'role' | 'status' | 'role_in_status' | 'assignment';
const refusalOrder: readonly Refusal[] = ['role', 'status', 'role_in_status', 'assignment'];

function refusal<Status extends string>(
  rule: ActionRule<Status>,
  state: CaseState<Status>,
  actor: Actor,
  staff: StaffDirectory,
): Refusal | undefined {
  const role = actorRole(actor);
  if (role === undefined) return 'role';
  // Assigned, the handling actions are the holder's whatever role it signed in with (a leader may take a case on).
  const holds =
    rule.onceAssigned !== undefined &&
    actor.kind === 'staff' &&
    isAssigned(state) &&
    holdsAssignment(actor.username, actor.role, state, staff);
  if (!rule.roles.includes(role) && !holds) return 'role';
  if (role === 'portal' && state.portalId !== actor.id) return 'role';
  if (!rule.from.includes(state.status)) return 'status';
  const inStatus = rule.rolesIn?.[state.status];
  if (inStatus && !inStatus.includes(role)) return 'role_in_status';
  if (rule.onceAssigned && isAssigned(state) && !holds && !rule.onceAssigned.includes(role)) return 'assignment';
  return undefined;
}

export function caseWorkflow<K extends CaseKind>(definition: CaseWorkflowDefinition<K>): CaseWorkflow<K> {
  const { rules, effects, offered = () => true } = definition;
  const names = Object.keys(rules) as NameOf<K>[];

  function allowedActions(state: K['state'], actors: readonly Actor[], staff: StaffDirectory): NameOf<K>[] {
    return names.filter(
      (name) => offered(state, name) && actors.some((actor) => refusal(rules[name], state, actor, staff) === undefined),
    );
  }

  function decide(
    state: K['state'],
    command: K['command'],
    actors: readonly Actor[],
    ctx: K['context'],
  ): CaseDecision<K> {
    const name: NameOf<K> = command.action;
    const rule = rules[name];
    const refusals = actors.map((a) => refusal(rule, state, a, ctx.staff));
    const able = actors.filter((_, i) => refusals[i] === undefined);
    const actor = able.find((a) => rule.roles.includes(actorRole(a)!)) ?? able[0];
    if (!actor) {
      // The refusal of the actor that got furthest through the rules is the one to explain.
      const furthest = refusals.reduce<Refusal>(
        (best, r) => (refusalOrder.indexOf(r!) > refusalOrder.indexOf(best) ? r! : best),
        'role',
      );
      if (furthest === 'role')
        throw new Forbidden('action_forbidden_role', { action: name, roles: rule.roles.join(', ') });
      if (furthest === 'role_in_status') {
        throw new Forbidden('action_forbidden_role', {
          action: name,
          roles: rule.rolesIn![state.status as StatusOf<K>]!.join(', '),
        });
      }
      if (furthest === 'assignment') throw new Forbidden('action_assigned_to_other', { action: name });
      throw new ActionNotAllowed(
        'action_not_allowed',
        { action: name, status: state.status },
        { currentStatus: state.status, allowedActions: allowedActions(state, actors, ctx.staff) },
      );
    }

    const at = new Date(ctx.now).toISOString();
    // The table gives each action's effect its own command; the compiler cannot pair them through a union name.
    const effectOf = effects[name] as (state: K['state'], command: K['command'], ctx: EffectContext<K>) => Effect<K>;
    const effect = effectOf(state, command, { ...ctx, at, actor });
    const toStatus: StatusOf<K> = effect.toStatus ?? state.status;
    const next: K['state'] = { ...state, ...effect.next, status: toStatus, version: state.version + 1 };
    const changes = { ...effect.changes, status: toStatus, version: next.version };
    const deadline = state.dueAt ?? next.dueAt;
    const note = command.note ?? command.reason;
    return {
      toStatus,
      changes,
      next,
      slip: {
        action: name,
        actor,
        fromStatus: state.status,
        toStatus,
        at,
        ...(note ? { note } : {}),
        ...effect.slip,
        // The same rule as early / on time / late: by calendar date in the ward's time zone.
        withinDeadline:
          deadline === null ? null : classifyTiming(ctx.now, Date.parse(deadline), ctx.calendar.timeZone) !== 'late',
      },
    };
  }

  return { allowedActions, decide };
}

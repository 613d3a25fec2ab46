import type { WorkingCalendar } from './calendar.ts';
import {
  type CaseContext,
  type CaseKind,
  type CaseState,
  caseWorkflow,
  type EffectsTable,
  type RulesTable,
} from './case-workflow.ts';
import type { FeedbackActionName, FeedbackStatus, RatingLevel } from './citizen-terms.ts';
import type { Actor, Dossier } from './dossier.ts';
import { type CounterDelta, groupScope } from './report.ts';
import type { StaffRole } from './staff.ts';
import { type LocalDate, localDateOf } from './zoned-time.ts';

/**
 * What citizens send the ward beside their dossiers: a rating of a returned dossier (mức độ hài lòng) and feedback
 * (phản ánh, kiến nghị, PAKN) with its own workflow and deadline. Pure: the stores and routes are elsewhere.
 */

export {
  FEEDBACK_CODE_PATTERN,
  type FeedbackActionName,
  type FeedbackStatus,
  feedbackActions,
  feedbackStatuses,
  type RatingLevel,
  ratingLevels,
} from './citizen-terms.ts';

export const isSatisfied = (level: RatingLevel) => level !== 'dissatisfied';

/** One rating of one dossier, on an item of its own (pk RATING#<code>): written once, never changed. */
export interface Rating {
  code: string;
  level: RatingLevel;
  comment?: string | undefined;
  ratedAt: string;
  /** The dossier's procedure, for the report scopes (ward, field, procedure). */
  procedure: Pick<Dossier['procedure'], 'code' | 'fieldCode'>;
}

/** Only a dossier whose result was handed over can be rated. */
export const canBeRated = (dossier: Pick<Dossier, 'status' | 'returnedAt'>) =>
  dossier.status === 'returned' && dossier.returnedAt !== undefined;

const at = (instant: string, timeZone: string): LocalDate => localDateOf(Date.parse(instant), timeZone);

/** A rating counts on its own day (not the dossier's), once: it is written once. */
export function ratingDeltas(rating: Rating, timeZone: string): CounterDelta[] {
  return [
    {
      date: at(rating.ratedAt, timeZone),
      counters: { rated: 1, ...(isSatisfied(rating.level) ? { rated_satisfied: 1 } : {}) },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Feedback (PAKN)

/**
 * The statuses of a feedback item. Decree 20/2008/NĐ-CP (as amended by Decrees 48/2013 and 92/2017) has the receiving
 * body check and classify the feedback, refuse what is out of its scope or lacks what it needs, ask the sender for
 * what is missing, handle it and publish the answer.
 */

/** Statuses in which the ward owes an answer: the deadline runs. */
export const feedbackClockRuns = (status: FeedbackStatus) => status === 'received' || status === 'accepted';

export type FeedbackAction =
  | { action: 'accept'; note?: string | undefined }
  | { action: 'refuse'; reason: string }
  | { action: 'request_information'; question: string }
  | { action: 'information_received'; note: string }
  | { action: 'resolve'; answer: string }
  | { action: 'publish'; note?: string | undefined };

/**
 * Who may take each action from which statuses: the one-stop officer receives and classifies and records what the
 * sender adds; the specialist handling it may ask for more and drafts the answer, which a leader may also give; the
 * leader publishes it. On the machinery the dossiers' workflow runs on (case-workflow.ts).
 */
export const feedbackRules: RulesTable<FeedbackKind> = {
  accept: { from: ['received'], roles: ['officer'] },
  refuse: { from: ['received', 'accepted'], roles: ['officer', 'leader'] },
  request_information: { from: ['received', 'accepted'], roles: ['officer', 'specialist'] },
  information_received: { from: ['awaiting_information'], roles: ['officer'] },
  resolve: { from: ['accepted'], roles: ['specialist', 'leader'] },
  publish: { from: ['resolved'], roles: ['leader'] },
};

/** One step of a feedback's history, like a control-slip row: who did what, when, from which status to which. */
export interface FeedbackStep {
  seq: number;
  action: 'file' | FeedbackActionName;
  at: string;
  by: { kind: 'citizen' } | { kind: 'staff'; id: string; name: string; role: StaffRole };
  fromStatus: FeedbackStatus | null;
  toStatus: FeedbackStatus;
  note?: string | undefined;
  /** The due date after this step, when it moved. */
  dueAt?: string | undefined;
  /** Whether the step came within the deadline (by calendar date in the ward's time zone); absent on filing. */
  withinDeadline?: boolean | null | undefined;
}

export interface Feedback {
  code: string;
  version: number;
  status: FeedbackStatus;
  content: string;
  /** How to reach the sender (a phone number or an e-mail address): personal, never logged, never public. */
  contact: string;
  /** The dossier the feedback is about, if the sender named one. */
  dossierCode?: string | undefined;
  pinHash: string;
  filedAt: string;
  /** The deadline of the answer; paused while the ward waits for the sender's information. */
  dueAt: string;
  informationRequestedAt?: string | undefined;
  question?: string | undefined;
  refusalReason?: string | undefined;
  answer?: string | undefined;
  resolvedAt?: string | undefined;
  /** Resolved by the calendar date of its due date in the ward's time zone (DOMAIN.md's on time). */
  resolvedOnTime?: boolean | undefined;
  publishedAt?: string | undefined;
  steps: number;
}

/** The ward's feedback settings (its configuration): the legal time, in working days. */
export interface FeedbackDeadlines {
  resolveWorkingDays: number;
}

const MINUTES_PER_WORKING_DAY = 480;

export function feedbackDueAt(filedAt: number, deadlines: FeedbackDeadlines, calendar: WorkingCalendar): string {
  return new Date(
    calendar.addWorkingMinutes(
      calendar.nextWorkingInstant(filedAt),
      deadlines.resolveWorkingDays * MINUTES_PER_WORKING_DAY,
    ),
  ).toISOString();
}

/** A new feedback item and the first step of its history. */
export function fileFeedback(input: {
  code: string;
  content: string;
  contact: string;
  dossierCode?: string | undefined;
  pinHash: string;
  now: number;
  deadlines: FeedbackDeadlines;
  calendar: WorkingCalendar;
}): { feedback: Feedback; step: FeedbackStep } {
  const filedAt = new Date(input.now).toISOString();
  const dueAt = feedbackDueAt(input.now, input.deadlines, input.calendar);
  const feedback: Feedback = {
    code: input.code,
    version: 1,
    status: 'received',
    content: input.content,
    contact: input.contact,
    ...(input.dossierCode ? { dossierCode: input.dossierCode } : {}),
    pinHash: input.pinHash,
    filedAt,
    dueAt,
    steps: 1,
  };
  const step: FeedbackStep = {
    seq: 1,
    action: 'file',
    at: filedAt,
    by: { kind: 'citizen' },
    fromStatus: null,
    toStatus: 'received',
    dueAt,
  };
  return { feedback, step };
}

/** A feedback item as the case machinery sees it: no portal, no assignment (yet), its own due date. */
interface FeedbackState extends CaseState<FeedbackStatus> {
  feedback: Feedback;
}

interface FeedbackKind extends CaseKind {
  command: FeedbackAction & { reason?: string | undefined; note?: string | undefined };
  state: FeedbackState;
  context: CaseContext & { timeZone: string };
  slipExtras: { note?: string | undefined };
}

/** What each step changes of the item; the status and version are the machinery's. */
const feedbackEffects: EffectsTable<FeedbackKind> = {
  accept: () => ({ toStatus: 'accepted' }),
  refuse: (_state, command) => ({ toStatus: 'refused', changes: { refusalReason: command.reason } }),
  request_information: (_state, command, ctx) => ({
    toStatus: 'awaiting_information',
    changes: { question: command.question, informationRequestedAt: ctx.at },
    slip: { note: command.question },
  }),
  information_received: (state, _command, ctx) => {
    // The clock paused while the ward waited: the due date moves by the working time waited.
    const { feedback } = state;
    const waited = ctx.calendar.workingMinutesBetween(Date.parse(feedback.informationRequestedAt ?? ctx.at), ctx.now);
    const dueAt = new Date(ctx.calendar.addWorkingMinutes(Date.parse(feedback.dueAt), waited)).toISOString();
    return { toStatus: 'accepted', changes: { dueAt, informationRequestedAt: undefined }, next: { dueAt } };
  },
  resolve: (state, command, ctx) => ({
    toStatus: 'resolved',
    changes: {
      answer: command.answer,
      resolvedAt: ctx.at,
      resolvedOnTime: localDateOf(ctx.now, ctx.timeZone) <= localDateOf(Date.parse(state.feedback.dueAt), ctx.timeZone),
    },
    slip: { note: command.answer },
  }),
  publish: (_state, _command, ctx) => ({ toStatus: 'published', changes: { publishedAt: ctx.at } }),
};

const feedbackWorkflow = caseWorkflow<FeedbackKind>({ rules: feedbackRules, effects: feedbackEffects });

const stateOf = (feedback: Feedback): FeedbackState => ({
  version: feedback.version,
  status: feedback.status,
  portalId: null,
  dueAt: feedback.dueAt,
  assignee: null,
  department: null,
  feedback,
});

/**
 * One staff action on a feedback item: the new item and its history step, or an error naming why not (403 for the
 * role, 409 with the status and the actions allowed now).
 */
export function actOnFeedback(
  feedback: Feedback,
  request: FeedbackAction,
  actors: readonly Actor[],
  context: CaseContext & { timeZone: string },
): { feedback: Feedback; step: FeedbackStep } {
  const decision = feedbackWorkflow.decide(stateOf(feedback), request, actors, context);
  const next = { ...feedback, ...decision.changes, steps: feedback.steps + 1 } as Feedback;
  const { actor } = decision.slip;
  if (actor.kind !== 'staff') throw new Error('only staff take steps on feedback');
  const step: FeedbackStep = {
    seq: next.steps,
    action: request.action,
    at: decision.slip.at,
    by: { kind: 'staff', id: actor.username, name: actor.name, role: actor.role },
    fromStatus: feedback.status,
    toStatus: next.status,
    ...(decision.slip.note ? { note: decision.slip.note } : {}),
    ...(next.dueAt !== feedback.dueAt ? { dueAt: next.dueAt } : {}),
    withinDeadline: decision.slip.withinDeadline,
  };
  return { feedback: next, step };
}

/** The steps these actors may take now (named in every 409). */
export function allowedFeedbackActions(feedback: Feedback, actors: readonly Actor[]): FeedbackActionName[] {
  return feedbackWorkflow.allowedActions(stateOf(feedback), actors, []);
}

/** Feedback counts on the day it was filed (received) and on the day it was resolved (resolved, on time). */
export function feedbackDeltas(
  before: Feedback | undefined,
  after: Feedback | undefined,
  timeZone: string,
): CounterDelta[] {
  if (!after) return [];
  const deltas: CounterDelta[] = [];
  if (!before) deltas.push({ date: at(after.filedAt, timeZone), counters: { feedback_received: 1 } });
  if (after.resolvedAt && !before?.resolvedAt) {
    const date = at(after.resolvedAt, timeZone);
    const counters = { feedback_resolved: 1, ...(after.resolvedOnTime ? { feedback_resolved_on_time: 1 } : {}) };
    const same = deltas.find((d) => d.date === date);
    if (same) Object.assign(same.counters, counters);
    else deltas.push({ date, counters });
  }
  return deltas;
}

/**
 * A rating counts for the ward, the field and the procedure of its dossier. Not by channel or department: the rating
 * item keeps only the procedure, and a dossier's department can change after it was rated.
 */
export const ratingScopes = (rating: Pick<Rating, 'procedure'>) => [
  'ward',
  groupScope('field', rating.procedure.fieldCode),
  groupScope('procedure', rating.procedure.code),
];

/** Feedback is about the ward's service, not one procedure: it counts for the ward as a whole. */
export const FEEDBACK_SCOPES = ['ward'] as const;

import type { Dossier } from './dossier.ts';
import { clockEnd } from './timing.ts';
import { type LocalDate, localDateOf } from './zoned-time.ts';

/**
 * The report counters a dossier change adds to, by day. Counting happens on the day of the event in the
 * ward's time zone (received on the day of receipt, resolved on the day of resolution…), so the figures of
 * any period are sums of days. Pure: the aggregator applies the deltas once per stream record.
 */
export const counterNames = [
  'received',
  'received_online',
  'received_in_person',
  'received_postal',
  'received_online_capable',
  'received_online_capable_online',
  'received_full_online',
  'received_full_online_online',
  'not_accepted',
  'resolved',
  'resolved_early',
  'resolved_on_time',
  'resolved_late',
  /** Late, with an apology (form 04): counted in resolved_late as well. */
  'resolved_late_apologized',
  'returned',
  'rejected',
  'withdrawn',
  'stopped',
  'apologies',
  'digitised',
  'fee_bearing',
  'paid',
  'paid_online',
  'paid_online_vnd',
  /** Dossiers whose electronic result was verified, on the day it first was. */
  'e_results',
  /** Components taken from an earlier verified document of the same applicant, with the dossiers received. */
  'reused',
  // Counted by the citizens' ratings and feedback (issue 12); the figures read them, zero until they count.
  'rated',
  'rated_satisfied',
  'feedback_received',
  'feedback_resolved',
  'feedback_resolved_on_time',
  /** What paid dossiers paid, by any method: the fees total (VND). */
  'paid_vnd',
  /**
   * The open-dossier tally (docs/data-model.md, "Snapshot figures"): `closed` on the day a received dossier's clock
   * ended or it finished otherwise; `due` on the due day of a received dossier whose clock has a due date (not
   * while it waits for a supplement); of those, `closed_by_due` on the due day if it closed on or before it, and
   * `closed_after_due` on the day it closed if later. Open and overdue at the end of any day are sums of these.
   */
  'closed',
  'due',
  'closed_by_due',
  'closed_after_due',
] as const;
export type CounterName = (typeof counterNames)[number];

export interface CounterDelta {
  date: LocalDate;
  counters: Partial<Record<CounterName, number>>;
}

/** The ways a report can be split: each is a kind of counter scope. */
export const reportGroupings = ['field', 'procedure', 'channel', 'department'] as const;
export type ReportGrouping = (typeof reportGroupings)[number];

/** The scope of one group: `field#HOTICH`, `channel#online`, `department#` (not assigned to one)… */
export const groupScope = (grouping: ReportGrouping, key: string) => `${grouping}#${key}`;

/**
 * Scopes a dossier's counters are kept under: the ward, its field, its procedure, its channel and the department
 * that holds it now. A dossier moved to another department takes all its counters along (`scopedDeltas`), so a
 * department's figures are those of the dossiers it holds, and every scope is a function of the dossier as it now
 * is: a rebuild from the dossiers finds the same counters.
 */
export function reportScopes(dossier: Pick<Dossier, 'procedure' | 'channel' | 'department'>): string[] {
  return [
    'ward',
    groupScope('field', dossier.procedure.fieldCode),
    groupScope('procedure', dossier.procedure.code),
    groupScope('channel', dossier.channel),
    groupScope('department', dossier.department ?? ''),
  ];
}

/** What one dossier change adds to the counters of one scope. */
export interface ScopedDeltas {
  scope: string;
  deltas: CounterDelta[];
}

const negated = (deltas: readonly CounterDelta[]): CounterDelta[] =>
  deltas.map(({ date, counters }) => ({
    date,
    counters: Object.fromEntries(Object.entries(counters).map(([name, n]) => [name, -n!])),
  }));

/**
 * The deltas of a change under each scope. Scopes the dossier keeps get the change's deltas; a scope it leaves (a
 * new department) gives back everything the dossier had counted there, and a scope it joins gets all of it: the
 * counters of every scope stay those of the dossiers now in it.
 */
export function scopedDeltas(
  before: Dossier | undefined,
  after: Dossier | undefined,
  timeZone: string,
): ScopedDeltas[] {
  if (!after) return [];
  const now = reportScopes(after);
  const was = before ? reportScopes(before) : [];
  const change = counterDeltas(before, after, timeZone);
  const joined = now.some((s) => !was.includes(s)) ? counterDeltas(undefined, after, timeZone) : [];
  const left = was.some((s) => !now.includes(s)) ? negated(counterDeltas(undefined, before, timeZone)) : [];
  return [
    ...now.map((scope) => ({ scope, deltas: was.includes(scope) ? change : joined })),
    ...was.filter((scope) => !now.includes(scope)).map((scope) => ({ scope, deltas: left })),
  ].filter((s) => s.deltas.length > 0);
}

/** Digitised (số hóa): every mandatory component has a verified file of its own or reuses an earlier one. */
export function allMandatoryDigitised(dossier: Pick<Dossier, 'components'>): boolean {
  return dossier.components.filter((c) => c.mandatory).every((c) => c.document !== undefined || c.reused !== undefined);
}

const paidAndReceived = (d: Dossier | undefined) =>
  d !== undefined && d.receivedAt !== undefined && d.fee.paidAt !== undefined;
/** Fee-bearing (DOMAIN.md): a fee above zero and not exempt, whether the exemption came at intake or with an action later. */
const feeBearingAndReceived = (d: Dossier | undefined) =>
  d !== undefined && d.receivedAt !== undefined && d.fee.amountVnd > 0 && d.fee.method !== 'exempt';
/** By the dossier's own flag, which the document writes keep with the components (and a supplement takes back). */
const digitisedAndReceived = (d: Dossier | undefined) =>
  d !== undefined && d.receivedAt !== undefined && d.digitisedAt !== undefined;
const reusedIfReceived = (d: Dossier | undefined) =>
  d?.receivedAt === undefined ? 0 : d.components.filter((c) => c.reused !== undefined).length;

/**
 * What the dossier as it is counts in the open-dossier tally, by day (`closed`, `due`, `closed_by_due`,
 * `closed_after_due`). Only received dossiers are open. The clock closes when it ends (resolved) or the dossier
 * finishes otherwise (rejected, withdrawn, stopped). The due date counts only while the clock has one: a dossier
 * waiting for a supplement has none until it is handed in (pause or restart moves it then), so it is never overdue,
 * as the deadline watch never alerts on it. Days are the ward's calendar dates, as `isLate` compares them.
 */
function tallyOf(dossier: Dossier | undefined, day: (instant: string) => LocalDate): CounterDelta[] {
  if (dossier?.receivedAt === undefined) return [];
  const tally: CounterDelta[] = [];
  const closedAt = clockEnd(dossier) ?? dossier.finishedAt;
  const closedDay = closedAt === undefined ? undefined : day(closedAt);
  if (closedDay) tally.push({ date: closedDay, counters: { closed: 1 } });
  if (dossier.dueAt !== undefined && dossier.supplement == null) {
    const dueDay = day(dossier.dueAt);
    const inTime = closedDay !== undefined && closedDay <= dueDay;
    tally.push({ date: dueDay, counters: { due: 1, ...(inTime ? { closed_by_due: 1 } : {}) } });
    if (closedDay !== undefined && !inTime) tally.push({ date: closedDay, counters: { closed_after_due: 1 } });
  }
  return tally;
}

export function counterDeltas(
  before: Dossier | undefined,
  after: Dossier | undefined,
  timeZone: string,
): CounterDelta[] {
  if (!after) return [];
  const deltas: CounterDelta[] = [];
  const day = (instant: string) => localDateOf(Date.parse(instant), timeZone);
  const add = (instant: string | undefined, counters: Partial<Record<CounterName, number>>) => {
    if (instant) addOn(day(instant), counters);
  };
  const addOn = (date: LocalDate, counters: Partial<Record<CounterName, number>>) => {
    const existing = deltas.find((d) => d.date === date);
    if (!existing) deltas.push({ date, counters: { ...counters } });
    else
      for (const [k, v] of Object.entries(counters) as [CounterName, number][])
        existing.counters[k] = (existing.counters[k] ?? 0) + v;
  };
  const became = (field: 'receivedAt' | 'returnedAt' | 'finishedAt') =>
    after[field] !== undefined && before?.[field] === undefined;

  if (became('receivedAt')) {
    const online = after.channel === 'online';
    const capable = after.procedure.onlineLevel !== 'none';
    const full = after.procedure.onlineLevel === 'full';
    add(after.receivedAt, {
      received: 1,
      [`received_${after.channel}`]: 1,
      ...(capable ? { received_online_capable: 1, ...(online ? { received_online_capable_online: 1 } : {}) } : {}),
      ...(full ? { received_full_online: 1, ...(online ? { received_full_online_online: 1 } : {}) } : {}),
    });
  }
  // Counted with the dossiers received that day, like payments; an exemption recorded later takes it back.
  if (feeBearingAndReceived(after) !== feeBearingAndReceived(before))
    add(after.receivedAt, { fee_bearing: feeBearingAndReceived(after) ? 1 : -1 });
  // With the dossiers received that day, as the rate divides by them; a supplement adding a mandatory one takes it back.
  if (digitisedAndReceived(after) !== digitisedAndReceived(before))
    add(after.receivedAt, { digitised: digitisedAndReceived(after) ? 1 : -1 });
  // Reuses too: the figure is read against the dossiers received, and one reused before receipt counts at receipt.
  const reused = reusedIfReceived(after) - reusedIfReceived(before);
  if (reused !== 0) add(after.receivedAt, { reused });
  // On the day the clock ended, with the verdict given then; an apology does not make a late one on time.
  const ended = clockEnd(after);
  if (ended && !clockEnd(before) && after.timing) {
    const apologized = after.timing === 'late' && after.apologies.length > 0;
    add(ended, {
      resolved: 1,
      [`resolved_${after.timing}`]: 1,
      ...(apologized ? { resolved_late_apologized: 1 } : {}),
    });
  }
  if (became('returnedAt')) add(after.returnedAt, { returned: 1 });
  if (became('finishedAt') && before?.status !== after.status) {
    const finishing = {
      not_accepted: 'not_accepted',
      rejected: 'rejected',
      withdrawn: 'withdrawn',
      stopped: 'stopped',
    } as const;
    const counter = finishing[after.status as keyof typeof finishing];
    if (counter) add(after.finishedAt, { [counter]: 1 });
  }
  const newApologies = after.apologies.length - (before?.apologies.length ?? 0);
  if (newApologies > 0) add(after.apologies.at(-1)!.at, { apologies: newApologies });
  if (after.eResult && !before?.eResult) add(after.eResult.verifiedAt, { e_results: 1 });
  // Payments count with the dossiers received that day, so the online payment rate compares like with like.
  if (paidAndReceived(after) && !paidAndReceived(before)) {
    const online = after.fee.method === 'online';
    const amount = after.fee.paidAmountVnd ?? after.fee.amountVnd;
    add(after.receivedAt, {
      paid: 1,
      paid_vnd: amount,
      ...(online ? { paid_online: 1, paid_online_vnd: amount } : {}),
    });
  }
  // The tally is a function of the dossier as it is: a change adds what its new image counts, less what its old one did.
  for (const [sign, image] of [
    [1, after],
    [-1, before],
  ] as const)
    for (const { date, counters } of tallyOf(image, day))
      addOn(date, Object.fromEntries(Object.entries(counters).map(([name, n]) => [name, sign * n])));
  return deltas.filter((d) => {
    for (const [name, n] of Object.entries(d.counters)) if (n === 0) delete d.counters[name as CounterName];
    return Object.keys(d.counters).length > 0;
  });
}

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
  'rated',
  'rated_satisfied',
  'feedback_received',
  'feedback_resolved',
  'feedback_resolved_on_time',
] as const;
export type CounterName = (typeof counterNames)[number];

export interface CounterDelta {
  date: LocalDate;
  counters: Partial<Record<CounterName, number>>;
}

/** Scopes a dossier's counters are kept under: the ward, its field, its procedure. */
export function reportScopes(dossier: { procedure: Pick<Dossier['procedure'], 'code' | 'fieldCode'> }): string[] {
  return ['ward', `field#${dossier.procedure.fieldCode}`, `procedure#${dossier.procedure.code}`];
}

export function allMandatoryDigitised(dossier: Pick<Dossier, 'components'>): boolean {
  return dossier.components.filter((c) => c.mandatory).every((c) => c.document !== undefined);
}

const paidAndReceived = (d: Dossier | undefined) =>
  d !== undefined && d.receivedAt !== undefined && d.fee.paidAt !== undefined;
/** Fee-bearing (DOMAIN.md): a fee above zero and not exempt, whether the exemption came at intake or with an action later. */
const feeBearingAndReceived = (d: Dossier | undefined) =>
  d !== undefined && d.receivedAt !== undefined && d.fee.amountVnd > 0 && d.fee.method !== 'exempt';
const digitisedAndReceived = (d: Dossier | undefined) =>
  d !== undefined && d.receivedAt !== undefined && allMandatoryDigitised(d);

export function counterDeltas(
  before: Dossier | undefined,
  after: Dossier | undefined,
  timeZone: string,
): CounterDelta[] {
  if (!after) return [];
  const deltas: CounterDelta[] = [];
  const add = (instant: string | undefined, counters: Partial<Record<CounterName, number>>) => {
    if (!instant) return;
    const date = localDateOf(Date.parse(instant), timeZone);
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
  if (digitisedAndReceived(after) && !digitisedAndReceived(before)) add(after.receivedAt, { digitised: 1 });
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
  // Payments count with the dossiers received that day, so the online payment rate compares like with like.
  if (paidAndReceived(after) && !paidAndReceived(before)) {
    const online = after.fee.method === 'online';
    add(after.receivedAt, {
      paid: 1,
      ...(online ? { paid_online: 1, paid_online_vnd: after.fee.paidAmountVnd ?? after.fee.amountVnd } : {}),
    });
  }
  return deltas.filter((d) => Object.keys(d.counters).length > 0);
}

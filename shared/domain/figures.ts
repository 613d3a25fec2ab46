import { type CounterName, counterNames } from './report.ts';

/** A rate as leaders report it: the exact fraction, and the percentage rounded half up to two decimals. */
export interface Rate {
  numerator: number;
  denominator: number;
  /** e.g. "70.98%"; null when there is nothing to divide by. */
  percent: string | null;
}

export function rate(numerator: number, denominator: number): Rate {
  if (denominator === 0) return { numerator, denominator, percent: null };
  // Basis points, rounded half up in integers: 614/865 → 7098 → "70.98%".
  const basisPoints = Math.floor((2 * numerator * 10_000 + denominator) / (2 * denominator));
  return {
    numerator,
    denominator,
    percent: `${Math.floor(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, '0')}%`,
  };
}

export type Counters = Record<CounterName, number>;

export function sumCounters(days: readonly Partial<Record<string, unknown>>[]): Counters {
  const sums = Object.fromEntries(counterNames.map((name) => [name, 0])) as Counters;
  for (const day of days) {
    for (const name of counterNames) {
      const value = day[name];
      if (typeof value === 'number') sums[name] += value;
    }
  }
  return sums;
}

/**
 * The figures of a period from its day counters (DOMAIN.md, "The figures"): received by channel and refused,
 * online shares, resolutions by timing and the on-time rate, other outcomes, digitisation, fees.
 */
export function figuresOf(c: Counters) {
  const resolved = c.resolved_early + c.resolved_on_time + c.resolved_late;
  return {
    received: {
      total: c.received,
      online: c.received_online,
      inPerson: c.received_in_person,
      postal: c.received_postal,
      notAccepted: c.not_accepted,
    },
    online: {
      shareOfReceived: rate(c.received_online, c.received),
      rateWhereOffered: rate(c.received_online_capable_online, c.received_online_capable),
      rateForFullOnline: rate(c.received_full_online_online, c.received_full_online),
    },
    resolved: {
      total: resolved,
      early: c.resolved_early,
      onTime: c.resolved_on_time,
      late: c.resolved_late,
      lateWithApology: c.resolved_late_apologized,
      onTimeRate: rate(c.resolved_early + c.resolved_on_time, resolved),
    },
    outcomes: {
      returned: c.returned,
      rejected: c.rejected,
      withdrawn: c.withdrawn,
      stopped: c.stopped,
      apologies: c.apologies,
    },
    digitisation: rate(c.digitised, c.received),
    fees: {
      feeBearing: c.fee_bearing,
      paid: c.paid,
      paidOnline: c.paid_online,
      onlinePaymentRate: rate(c.paid_online, c.fee_bearing),
      paidOnlineVnd: c.paid_online_vnd,
    },
  };
}

import { describe, expect, it } from 'vitest';
import { figuresOf, rate, sumCounters } from '../../../shared/domain/figures.ts';

describe('rates', () => {
  it.each([
    [614, 865, '70.98%'], // Phước Hòa: online among dossiers whose procedure is offered online
    [1585, 1911, '82.94%'], // Phước Hòa: paid online
    [2255, 3718, '60.65%'], // Phù Liễn: online share (reported rounded as 61%)
    [2007, 2007, '100.00%'],
    [1, 8, '12.50%'],
    [1, 3, '33.33%'],
    [2, 3, '66.67%'],
  ])('%i / %i is %s', (n, d, percent) => {
    expect(rate(n, d)).toEqual({ numerator: n, denominator: d, percent });
  });

  it('has no percentage for an empty denominator', () => {
    expect(rate(0, 0).percent).toBeNull();
  });
});

describe('the figures of a period', () => {
  it('are the differences of the sums through its last day and before its first, with the rates derived', () => {
    const days = [
      {
        received: 2,
        received_online: 1,
        received_in_person: 1,
        received_online_capable: 2,
        received_online_capable_online: 1,
        resolved_early: 1,
        fee_bearing: 2,
        paid: 2,
        paid_vnd: 45000,
        paid_online: 1,
        paid_online_vnd: 15000,
        digitised: 2,
      },
      { received: 1, received_postal: 1, resolved_on_time: 1, resolved_late: 1, apologies: 1, pk: 'REPORT#ward' },
    ];
    // Before the period: 5 received, 4 closed (one carried over); none of it counts in the period's flows.
    const before = sumCounters([{ received: 5, received_online: 5, resolved_early: 4, closed: 4, rated: 3 }]);
    const through = sumCounters([before, ...days]);
    const figures = figuresOf({ before, through, lastDay: sumCounters([]) });
    expect(figures).toMatchObject({
      carriedOver: 1,
      received: 3,
      receivedOnline: 1,
      receivedInPerson: 1,
      receivedPostal: 1,
      notAccepted: 0,
      resolved: 3,
      early: 1,
      onTimeRate: { numerator: 2, denominator: 3, percent: '66.67%' },
      apologies: 1,
      feeBearing: 2,
      paidOnline: 1,
      feesPaidOnlineVnd: 15000,
      feesTotalVnd: 45000,
      onlinePaymentRate: { percent: '50.00%' },
      satisfactionRate: { numerator: 0, denominator: 0, percent: null },
    });
    expect(figures.onlineShare.percent).toBe('33.33%');
    expect(figures.digitisationRate.percent).toBe('66.67%');
    // Every figure is an integer count or a rate: the JSON is plain.
    for (const value of Object.values(figures))
      if (typeof value === 'number') expect(Number.isInteger(value)).toBe(true);
      else expect(Object.keys(value)).toEqual(['numerator', 'denominator', 'percent']);
  });

  it('counts in progress at the end of the last day: overdue when due on an earlier day and not closed by then', () => {
    const none = sumCounters([]);
    // Three received; one due on the last day (within its deadline), two due earlier: one closed in time on its due
    // day, one still open (overdue); another was closed late, after its due day, on the last day.
    const through = sumCounters([{ received: 4, closed: 2, due: 4, closed_by_due: 1, closed_after_due: 1 }]);
    const lastDay = sumCounters([{ due: 1 }]);
    expect(figuresOf({ before: none, through, lastDay })).toMatchObject({
      inProgressWithinDeadline: 1,
      inProgressOverdue: 1,
    });
  });
});

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
  it('sums day counters and derives the reported rates', () => {
    const days = [
      {
        received: 2,
        received_online: 1,
        received_in_person: 1,
        received_online_capable: 2,
        received_online_capable_online: 1,
        resolved_early: 1,
        fee_bearing: 2,
        paid_online: 1,
        paid_online_vnd: 15000,
        digitised: 2,
      },
      { received: 1, received_postal: 1, resolved_on_time: 1, resolved_late: 1, apologies: 1, pk: 'REPORT#ward' },
    ];
    const figures = figuresOf(sumCounters(days));
    expect(figures.received).toEqual({ total: 3, online: 1, inPerson: 1, postal: 1, notAccepted: 0 });
    expect(figures.online.shareOfReceived.percent).toBe('33.33%');
    expect(figures.resolved).toMatchObject({
      total: 3,
      onTimeRate: { numerator: 2, denominator: 3, percent: '66.67%' },
    });
    expect(figures.digitisation.percent).toBe('66.67%');
    expect(figures.fees).toMatchObject({
      feeBearing: 2,
      paidOnline: 1,
      paidOnlineVnd: 15000,
      onlinePaymentRate: { percent: '50.00%' },
    });
    expect(figures.outcomes.apologies).toBe(1);
  });
});

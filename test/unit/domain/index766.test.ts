import { describe, expect, it } from 'vitest';
import { type Counters, rate, sumCounters } from '../../../shared/domain/figures.ts';
import { index766, pointsFor } from '../../../shared/domain/index766.ts';

const counters = (values: Partial<Counters>): Counters => sumCounters([values]);
/** Phước Hòa's figures (DOMAIN.md): 2,007/2,007 early or on time, 614/865 online, 1,585/1,911 paid online. */
const phuocHoa = counters({
  received: 2024,
  received_online_capable: 865,
  received_online_capable_online: 614,
  resolved_early: 1500,
  resolved_on_time: 507,
  fee_bearing: 1911,
  paid_online: 1585,
  digitised: 2024,
});

describe('points against a target (Decision 766/QĐ-TTg, as DOMAIN.md reads its scoring)', () => {
  it('gives full points at the target and above it, and in proportion below it', () => {
    expect(pointsFor(rate(95, 100), 95, 20)).toBe(20);
    expect(pointsFor(rate(100, 100), 95, 20)).toBe(20);
    // 94/100 of a 95% target: 20 × 94 ÷ 95 = 19.789… → 19.79.
    expect(pointsFor(rate(94, 100), 95, 20)).toBe(19.79);
    // One dossier short of the target out of 2,000: just under full points.
    expect(pointsFor(rate(1899, 2000), 95, 20)).toBe(19.99);
    expect(pointsFor(rate(0, 10), 95, 20)).toBe(0);
  });

  it('has nothing to score without a denominator, and refuses a target of 0', () => {
    expect(pointsFor(rate(0, 0), 95, 20)).toBeNull();
    expect(() => pointsFor(rate(1, 2), 0, 20)).toThrow(RangeError);
  });
});

describe('the index groups of a period', () => {
  it('gives each supported group its rate from the counters, and no points while targets are not confirmed', () => {
    const index = index766(phuocHoa);
    const byGroup = Object.fromEntries(index.groups.map((g) => [g.group, g]));
    expect(byGroup.progress).toMatchObject({
      rate: { numerator: 2007, denominator: 2007, percent: '100.00%' },
      maxPoints: 20,
      groupMaxPoints: 20,
      target: null,
      points: null,
    });
    expect(byGroup.onlineService!.rate).toEqual({ numerator: 614, denominator: 865, percent: '70.98%' });
    expect(byGroup.onlinePayment!.rate).toEqual({ numerator: 1585, denominator: 1911, percent: '82.94%' });
    expect(byGroup.digitisation!.rate?.percent).toBe('100.00%');
    // No rating in the period: a rate with nothing to divide by, and no points.
    expect(byGroup.satisfaction).toMatchObject({
      rate: { numerator: 0, denominator: 0, percent: null },
      maxPoints: 6,
      groupMaxPoints: 18,
      points: null,
    });
  });

  it('rates satisfaction from the ratings and feedback on time from the feedback resolved', () => {
    const index = index766(
      counters({ rated: 40, rated_satisfied: 37, feedback_resolved: 8, feedback_resolved_on_time: 7 }),
    );
    const byGroup = Object.fromEntries(index.groups.map((g) => [g.group, g]));
    expect(byGroup.satisfaction!.rate).toEqual({ numerator: 37, denominator: 40, percent: '92.50%' });
    expect(byGroup.feedbackOnTime!.rate).toEqual({ numerator: 7, denominator: 8, percent: '87.50%' });
    expect(index.outsideData.flatMap((o) => o.criteria)).not.toContain('Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn');
  });

  it('scores a group once the ward gives its target (and points, where the decision’s are not confirmed)', () => {
    const index = index766(phuocHoa, {
      progress: { target: 95 },
      onlinePayment: { target: 90, maxPoints: 10 },
      satisfaction: { target: 90 },
    });
    const byGroup = Object.fromEntries(index.groups.map((g) => [g.group, g]));
    expect(byGroup.progress!.points).toBe(20);
    // 82.94% of a 90% target: 10 × (1585/1911) ÷ 0.90 = 9.215… → 9.22.
    expect(byGroup.onlinePayment!.points).toBe(9.22);
    expect(byGroup.onlineService!.points).toBeNull();
    // A target, but no rating in the period: nothing to score.
    expect(byGroup.satisfaction!.points).toBeNull();
  });

  it('names what needs data from outside, and the decision’s groups come to 100 points', () => {
    const index = index766(phuocHoa);
    expect(index.outsideData.find((o) => o.decisionGroup === 'Công khai, minh bạch')).toMatchObject({ maxPoints: 18 });
    const groups = new Map<string, number>();
    for (const g of index.groups) groups.set(g.decisionGroup, g.groupMaxPoints);
    for (const o of index.outsideData) if (o.maxPoints !== null) groups.set(o.decisionGroup, o.maxPoints);
    expect([...groups.values()].reduce((a, b) => a + b, 0)).toBe(100);
  });
});

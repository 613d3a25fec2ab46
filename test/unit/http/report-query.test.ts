import { describe, expect, it } from 'vitest';
import { namedPeriod, reportPeriod, reportQuery } from '../../../shared/api/reports.ts';

const rules = (query: Record<string, string>) => {
  const parsed = reportQuery.safeParse(query);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}:${i.message}`);
};

describe('the period of a report', () => {
  it.each([
    ['2025-Q3', '2025-07-01', '2025-09-30'],
    ['2025-Q4', '2025-10-01', '2025-12-31'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2025-02', '2025-02-01', '2025-02-28'],
    ['2025-12', '2025-12-01', '2025-12-31'],
    ['2025', '2025-01-01', '2025-12-31'],
  ])('%s runs from %s to %s, inclusive', (period, from, to) => {
    expect(namedPeriod(period)).toEqual({ from, to });
    expect(reportPeriod(reportQuery.parse({ period }))).toEqual({ from, to });
  });

  it('takes from and to as given', () => {
    expect(reportPeriod(reportQuery.parse({ from: '2025-07-15', to: '2025-08-14' }))).toEqual({
      from: '2025-07-15',
      to: '2025-08-14',
    });
  });

  it('wants exactly one of the two forms, each whole, and names the field and the rule', () => {
    expect(rules({ period: '2025-Q3', from: '2025-07-01' })).toEqual(['period:report_period_one_form']);
    expect(rules({})).toEqual(['from:report_period_required', 'to:report_period_required']);
    expect(rules({ from: '2025-07-01' })).toEqual(['to:report_period_required']);
    expect(rules({ period: '2025-Q5' })).toEqual(['period:report_period_name']);
    expect(rules({ period: '2025-13' })).toEqual(['period:report_period_name']);
    expect(rules({ period: '1999' })).toEqual(['period:date_in_calendar_range']);
    expect(rules({ from: '2025-07-02', to: '2025-07-01' })).toEqual(['to:report_period_order']);
  });

  it('groups a field’s report by procedure only, and a procedure’s not at all', () => {
    expect(rules({ period: '2025', groupBy: 'department' })).toEqual([]);
    expect(rules({ period: '2025', field: 'HOTICH', groupBy: 'procedure' })).toEqual([]);
    expect(rules({ period: '2025', field: 'HOTICH', groupBy: 'channel' })).toEqual(['groupBy:report_group_in_scope']);
    expect(rules({ period: '2025', procedure: '1.004873', groupBy: 'procedure' })).toEqual([
      'groupBy:report_group_in_scope',
    ]);
    expect(rules({ period: '2025', groupBy: 'assignee' })[0]).toMatch(/^groupBy:/);
  });
});

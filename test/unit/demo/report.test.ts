import { describe, expect, it } from 'vitest';
import { reportRows, table } from '../../../scripts/demo/report.ts';

describe('the demo’s report table', () => {
  it('prints any report’s figures by their path, a rate as one row, whatever the figures are called', () => {
    const rows = reportRows({
      ward: { name: 'Phường Mẫu' },
      received: { total: 7399, online: 5753 },
      onlineRate: { numerator: 614, denominator: 865, percent: '70.98%' },
      satisfactionRate: { numerator: 0, denominator: 0, percent: null },
      feesPaidOnlineVnd: 27367024,
    });
    expect(rows).toEqual([
      { figure: 'ward.name', value: 'Phường Mẫu' },
      { figure: 'received.total', value: '7,399' },
      { figure: 'received.online', value: '5,753' },
      { figure: 'onlineRate', value: '70.98% (614 / 865)' },
      { figure: 'satisfactionRate', value: '— (0 / 0)' },
      { figure: 'feesPaidOnlineVnd', value: '27,367,024' },
    ]);
  });

  it('gives a grouped report one row per group and figure, named by the group', () => {
    const rows = reportRows({
      groups: [
        { field: 'HOTICH', received: 3 },
        { field: 'CUTRU', received: 1 },
      ],
    });
    expect(rows).toEqual([
      { figure: 'groups[HOTICH].field', value: 'HOTICH' },
      { figure: 'groups[HOTICH].received', value: '3' },
      { figure: 'groups[CUTRU].field', value: 'CUTRU' },
      { figure: 'groups[CUTRU].received', value: '1' },
    ]);
  });

  it('aligns the two columns', () => {
    const lines = table([
      { figure: 'received', value: '1' },
      { figure: 'onTimeRate', value: '100.00% (1 / 1)' },
    ]).split('\n');
    expect(lines.map((line) => line.indexOf('│')).filter((i) => i >= 0)).toEqual([12, 12, 12]);
  });
});

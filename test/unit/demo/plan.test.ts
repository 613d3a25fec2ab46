import { describe, expect, it } from 'vitest';
import {
  defaultMix,
  GRID_MS,
  LEAD_IN_DAYS,
  lastQuarterBefore,
  type Mix,
  parseMix,
  planQuarter,
  quarterOf,
} from '../../../scripts/demo/plan.ts';
import { calendarSpecOf } from '../../../shared/config/calendar.ts';
import { parseWardConfig } from '../../../shared/config/ward.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../../shared/domain/calendar.ts';
import { addDays, instantAt } from '../../../shared/domain/zoned-time.ts';

const ward = parseWardConfig(readWardFile('sample'));
const calendar = new WorkingCalendar(calendarSpecOf(ward));
const plan = (seed: number, size = 400, mix: Mix = { ...defaultMix }) =>
  planQuarter(ward, calendar, { size, mix, seed, quarter: '2025-Q3' });

describe('the demo’s quarter plan', () => {
  it('is the same for the same seed, and another for another seed', () => {
    expect(plan(7)).toEqual(plan(7));
    expect(plan(8).dossiers.map((d) => d.procedureCode)).not.toEqual(plan(7).dossiers.map((d) => d.procedureCode));
  });

  it('files over the quarter and the days before it, on the grid, at the counter only while it receives', () => {
    const { dossiers, from, until } = plan(3);
    expect(from).toBe(instantAt(addDays('2025-07-01', -LEAD_IN_DAYS), 0, ward.timeZone));
    expect(until).toBe(instantAt('2025-10-01', 0, ward.timeZone) - 1);
    for (const d of dossiers) {
      expect(d.filedAt % GRID_MS).toBe(0);
      expect(d.filedAt).toBeGreaterThanOrEqual(from);
      expect(d.filedAt).toBeLessThanOrEqual(until);
      if (d.channel !== 'online')
        expect(calendar.isReceptionOpen(d.filedAt), new Date(d.filedAt).toISOString()).toBe(true);
    }
    expect(dossiers.some((d) => d.filedAt < instantAt('2025-07-01', 0, ward.timeZone))).toBe(true);
  });

  it('follows the mix: every channel and fate at the default, none online at online=0, a counter never refuses', () => {
    const { dossiers } = plan(5, 2000);
    for (const channel of ['online', 'in_person', 'postal'])
      expect(dossiers.some((d) => d.channel === channel)).toBe(true);
    for (const fate of ['refused', 'withdrawn', 'stopped', 'rejected', 'early', 'on_time', 'late'])
      expect(
        dossiers.some((d) => d.fate === fate),
        fate,
      ).toBe(true);
    for (const payment of ['none', 'cash', 'online', 'online_later', 'exempt', 'unpaid'])
      expect(
        dossiers.some((d) => d.payment === payment),
        payment,
      ).toBe(true);
    expect(dossiers.filter((d) => d.fate === 'refused').every((d) => d.channel === 'online')).toBe(true);
    const offline = plan(5, 300, parseMix('online=0'));
    expect(offline.dossiers.filter((d) => d.channel === 'online')).toEqual([]);
    // Online only where the catalog offers it.
    const noOnline = new Set(ward.catalog.procedures.filter((p) => p.onlineLevel === 'none').map((p) => p.code));
    expect(dossiers.filter((d) => d.channel === 'online' && noOnline.has(d.procedureCode))).toEqual([]);
  });

  it('reads --mix and refuses an unknown share or one outside 0–1', () => {
    expect(parseMix('online=0.7,late=0.1')).toEqual({ ...defaultMix, online: 0.7, late: 0.1 });
    expect(parseMix('')).toEqual(defaultMix);
    expect(() => parseMix('lateness=0.1')).toThrow(/unknown share "lateness"/);
    expect(() => parseMix('late=1.5')).toThrow(/late must be a number from 0 to 1/);
    expect(() => parseMix('late=')).toThrow(/late must be a number/);
  });

  it('names quarters, and the last one ended', () => {
    expect(quarterOf('2025-Q3')).toEqual({ label: '2025-Q3', first: '2025-07-01', last: '2025-09-30' });
    expect(quarterOf('2025-Q4').last).toBe('2025-12-31');
    expect(quarterOf('2024-Q1').last).toBe('2024-03-31');
    expect(() => quarterOf('2025-Q5')).toThrow(/not a quarter/);
    expect(lastQuarterBefore('2026-12-02')).toBe('2026-Q3');
    expect(lastQuarterBefore('2026-01-15')).toBe('2025-Q4');
    expect(lastQuarterBefore('2026-04-01')).toBe('2026-Q1');
  });
});

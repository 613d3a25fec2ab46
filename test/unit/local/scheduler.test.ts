import { describe, expect, it } from 'vitest';
import { dailyFireTimes, LocalScheduler } from '../../../local/scheduler.ts';
import { instantAt } from '../../../shared/domain/zoned-time.ts';

const ZONE = 'Asia/Ho_Chi_Minh';
const at = (date: string, clock: string) => {
  const [h, m, s = 0] = clock.split(':').map(Number);
  return instantAt(date, h! * 60 + m!, ZONE) + s * 1000;
};

describe('the local scheduler’s daily schedules', () => {
  it('fires the digest at 7:00 ward time, not at 6:59, once, with the instant it was due', async () => {
    let now = at('2026-12-03', '06:58');
    const invoked: { name: string; event: unknown }[] = [];
    const scheduler = new LocalScheduler(
      { invoke: async (name, event) => invoked.push({ name, event }) },
      'ap-southeast-1',
      () => undefined,
      { timeZone: ZONE, clock: () => now },
    );
    now = at('2026-12-03', '06:59:59');
    expect(await scheduler.runDue()).toEqual([]);
    now = at('2026-12-03', '07:00');
    expect(await scheduler.runDue()).toEqual([{ name: 'deadline-digest', at: '2026-12-03T00:00:00.000Z' }]);
    now = at('2026-12-03', '07:00:40');
    expect(await scheduler.runDue()).toEqual([]);
    expect(invoked).toEqual([{ name: 'deadline-digest', event: { time: '2026-12-03T00:00:00Z' } }]);
  });

  it('fires once for each day whose time passed while it was not looking', () => {
    expect(dailyFireTimes('07:00', ZONE, at('2026-12-03', '07:00'), at('2026-12-05', '06:59'))).toEqual([
      at('2026-12-04', '07:00'),
    ]);
    expect(dailyFireTimes('07:00', ZONE, at('2026-12-03', '06:00'), at('2026-12-05', '07:00'))).toHaveLength(3);
  });
});

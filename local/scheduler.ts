import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { type FunctionName, schedules } from '../shared/blueprint/resources.ts';
import type { ScheduleSpec } from '../shared/blueprint/types.ts';
import { addDays, instantAt, localDateOf, minuteOfDay } from '../shared/domain/zoned-time.ts';
import type { LocalLambdas } from './lambda.ts';

export type ScheduleName = (typeof schedules)[number]['name'];

const declared: readonly ScheduleSpec<FunctionName>[] = schedules;

/** How often the scheduler looks at the clock for daily schedules. */
const DAILY_CHECK_MS = 20_000;

/** The instants in (from, to] at which a daily schedule fires: its wall-clock time in the zone, each day. */
export function dailyFireTimes(dailyAt: string, timeZone: string, from: number, to: number): number[] {
  const fires: number[] = [];
  for (let date = localDateOf(from, timeZone); date <= localDateOf(to, timeZone); date = addDays(date, 1)) {
    const at = instantAt(date, minuteOfDay(dailyAt), timeZone);
    if (at > from && at <= to) fires.push(at);
  }
  return fires;
}

/**
 * Invokes scheduled functions as the stack's EventBridge rules and schedules do: on their rate, or each day at their
 * time in the ward's zone, read from a clock the caller may inject (tests); and on demand.
 */
export class LocalScheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly lambdas: Pick<LocalLambdas, 'invoke'>;
  private readonly region: string;
  private readonly log: (line: string) => void;
  private readonly timeZone: string;
  private readonly clock: () => number;
  /** The clock when the daily schedules were last looked at: what fired since then fires now. */
  private lastLook: number;

  constructor(
    lambdas: Pick<LocalLambdas, 'invoke'>,
    region: string,
    log: (line: string) => void,
    options: { timeZone: string; clock?: () => number },
  ) {
    this.lambdas = lambdas;
    this.region = region;
    this.log = log;
    this.timeZone = options.timeZone;
    this.clock = options.clock ?? Date.now;
    this.lastLook = this.clock();
  }

  start(): void {
    for (const schedule of declared) {
      if (schedule.everyMinutes === undefined) continue;
      const timer = setInterval(() => {
        this.trigger(schedule.name as ScheduleName).catch((e: unknown) =>
          this.log(`schedule ${schedule.name}: ${(e as Error).message}`),
        );
      }, schedule.everyMinutes * 60_000);
      timer.unref();
      this.timers.push(timer);
    }
    const daily = setInterval(() => {
      this.runDue().catch((e: unknown) => this.log(`daily schedules: ${(e as Error).message}`));
    }, DAILY_CHECK_MS);
    daily.unref();
    this.timers.push(daily);
  }

  /**
   * Runs each daily schedule whose time came since the clock was last looked at, as if its rule fired at that time;
   * returns which ran.
   */
  async runDue(): Promise<{ name: ScheduleName; at: string }[]> {
    const now = this.clock();
    const from = this.lastLook;
    this.lastLook = Math.max(now, from);
    const ran: { name: ScheduleName; at: string }[] = [];
    for (const schedule of declared) {
      if (schedule.dailyAt === undefined) continue;
      for (const at of dailyFireTimes(schedule.dailyAt, this.timeZone, from, now)) {
        await this.trigger(schedule.name as ScheduleName, new Date(at));
        ran.push({ name: schedule.name as ScheduleName, at: new Date(at).toISOString() });
      }
    }
    return ran;
  }

  /** Runs a schedule now, as if its rule fired at `at`, and returns what the function returned. */
  async trigger(name: ScheduleName, at: Date = new Date(this.clock())): Promise<unknown> {
    const schedule = declared.find((s) => s.name === name);
    if (!schedule) throw new Error(`no schedule ${name}`);
    const time = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    // A daily schedule is EventBridge Scheduler's, whose target gets the input the stack gives it: the scheduled time.
    if (schedule.dailyAt !== undefined) return this.lambdas.invoke(schedule.function, { time });
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time,
      region: this.region,
      resources: [`arn:aws:events:${this.region}:000000000000:rule/${name}`],
      detail: {},
    };
    return this.lambdas.invoke(schedule.function, event);
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }
}

import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { schedules } from '../shared/blueprint/resources.ts';
import type { LocalLambdas } from './lambda.ts';

export type ScheduleName = (typeof schedules)[number]['name'];

/** Invokes scheduled functions on their rate, as the stack's EventBridge rules do, and on demand. */
export class LocalScheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly lambdas: LocalLambdas;
  private readonly region: string;
  private readonly log: (line: string) => void;

  constructor(lambdas: LocalLambdas, region: string, log: (line: string) => void) {
    this.lambdas = lambdas;
    this.region = region;
    this.log = log;
  }

  start(): void {
    for (const schedule of schedules) {
      const timer = setInterval(() => {
        this.trigger(schedule.name).catch((e: unknown) =>
          this.log(`schedule ${schedule.name}: ${(e as Error).message}`),
        );
      }, schedule.everyMinutes * 60_000);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Runs a schedule now, as if its rule fired at `at`, and returns what the function returned. */
  async trigger(name: ScheduleName, at: Date = new Date()): Promise<unknown> {
    const schedule = schedules.find((s) => s.name === name);
    if (!schedule) throw new Error(`no schedule ${name}`);
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
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

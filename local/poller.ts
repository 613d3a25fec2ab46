/** Something the local runner polls: a stream, a queue, the S3 notification bridge. */
export interface Poller {
  readonly name: string;
  /** One pass; returns how many items it handed on (0 when there was nothing to do). */
  pollOnce(): Promise<number>;
}

/**
 * Runs pollers in the background, one pass at a time each, and can settle: poll everything until a whole
 * round hands nothing on, so a test can wait for a stream record to reach a queue and its consumer.
 */
export class PollingLoop {
  private readonly running = new Map<Poller, Promise<number>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private paused = false;
  private readonly pollers: Poller[];
  private readonly intervalMs: number;
  private readonly log: (line: string) => void;

  constructor(pollers: Poller[], intervalMs: number, log: (line: string) => void) {
    this.pollers = pollers;
    this.intervalMs = intervalMs;
    this.log = log;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      if (!this.paused) {
        await Promise.all(
          this.pollers.map((p) => this.pass(p).catch((e: unknown) => this.log(`${p.name}: ${(e as Error).message}`))),
        );
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  /** One pass of a poller; a pass already under way is joined rather than run twice at once. */
  private pass(poller: Poller): Promise<number> {
    const current = this.running.get(poller);
    if (current) return current.then(() => this.pass(poller));
    const run = poller.pollOnce().finally(() => this.running.delete(poller));
    this.running.set(poller, run);
    return run;
  }

  /** Polls until two rounds in a row hand nothing on (or the deadline passes). */
  async settle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietRounds = 0;
    while (quietRounds < 2) {
      if (Date.now() > deadline) throw new Error('local services did not settle in time');
      let handled = 0;
      for (const poller of this.pollers) handled += await this.pass(poller);
      quietRounds = handled === 0 ? quietRounds + 1 : 0;
    }
  }

  /** Runs `work` with no pass under way or starting, so nothing else touches the services meanwhile. */
  async whilePaused<T>(work: () => Promise<T>): Promise<T> {
    this.paused = true;
    try {
      await Promise.allSettled([...this.running.values()]);
      return await work();
    } finally {
      this.paused = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }
}

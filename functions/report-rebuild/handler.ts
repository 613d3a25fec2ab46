import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { correctDay, countTable, RunOutOfTime } from '../../shared/adapters/report-rebuild.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { type CounterDifference, counterDifferences } from '../../shared/domain/recount.ts';
import { logger, metrics } from '../../shared/observability.ts';

/** What `aws lambda invoke` hands the rebuild: `{}` compares; `{"write": true}` corrects what a second pass confirms. */
export interface RebuildEvent {
  write?: boolean;
  /** Seconds between the two passes of a write (default 30): longer than the aggregator's lag behind the table. */
  settleSeconds?: number;
}

export interface RebuildResult {
  dossiers: number;
  /** Stored day items read (scope × day). */
  days: number;
  pages: number;
  /** Dossier items that could not be recounted (the first few keys): a difference of their own. */
  unreadable: string[];
  differenceCount: number;
  /** The first differences, in order of scope, day and counter (all of them are counted above). */
  differences: CounterDifference[];
  /** With `write`: counters brought to their recounted value, and those left (changed meanwhile). */
  written?: { counters: number; days: number };
  leftAlone?: number;
}

/** Differences an answer lists: an answer stays far below Lambda's 6 MB, and the log line is readable. */
const MAX_LISTED = 500;
const DEFAULT_SETTLE_SECONDS = 30;
const MAX_SETTLE_SECONDS = 300;
/** Time kept in hand at the end of a run: a page or a write that starts after it might not finish. */
const MARGIN_MS = 20_000;

export class InvalidRebuildEvent extends Error {
  constructor(detail: string) {
    super(`report-rebuild takes {"write"?: boolean, "settleSeconds"?: 0–${MAX_SETTLE_SECONDS}}: ${detail}`);
    this.name = 'InvalidRebuildEvent';
  }
}

function rebuildOptions(event: unknown): { write: boolean; settleSeconds: number } {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    throw new InvalidRebuildEvent('not an object');
  const { write = false, settleSeconds = DEFAULT_SETTLE_SECONDS, ...rest } = event as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new InvalidRebuildEvent(`unknown ${unknown.join(', ')}`);
  if (typeof write !== 'boolean') throw new InvalidRebuildEvent('write is not a boolean');
  if (
    !Number.isInteger(settleSeconds) ||
    (settleSeconds as number) < 0 ||
    (settleSeconds as number) > MAX_SETTLE_SECONDS
  )
    throw new InvalidRebuildEvent(`settleSeconds is not an integer from 0 to ${MAX_SETTLE_SECONDS}`);
  return { write, settleSeconds: settleSeconds as number };
}

const differenceKey = (d: CounterDifference) => [d.scope, d.date, d.counter, d.stored, d.recounted].join('\u0000');

/**
 * Recounts every day counter from the dossiers and compares it with the stored one. With `write`, it corrects only
 * what two passes `settleSeconds` apart agree on, each counter on condition it still holds what was read: a change
 * the aggregator had not counted yet during the first pass (seen by the scan, not yet in the counters, or the
 * other way round) shows as a difference that moves or goes by the second, and is left alone; a counter the
 * aggregator adds to between the second pass and the write fails its condition and is left alone too. What is
 * written is a lasting drift. Safe while the aggregator runs, as long as it lags the table by less than the
 * settle time (its iterator-age alarm says when it does not).
 */
export async function rebuild(
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<RebuildResult> {
  const { write, settleSeconds } = rebuildOptions(event);
  const { timeZone } = wardConfig();
  const outOfTime = () => context.getRemainingTimeInMillis() < MARGIN_MS;
  const first = await countTable(timeZone, outOfTime);
  const found = counterDifferences(first.recount.days.values(), first.stored);
  const result: RebuildResult = {
    dossiers: first.recount.dossiers,
    days: first.stored.length,
    pages: first.pages,
    unreadable: first.recount.unreadable,
    differenceCount: found.length,
    differences: found.slice(0, MAX_LISTED),
  };
  metrics.addMetric('reportCountersDiffering', MetricUnit.Count, found.length);
  if (found.length > 0)
    logger.warn('report counters differ from the dossiers', {
      count: found.length,
      first: found.slice(0, 20),
    });
  if (!write || found.length === 0) return result;

  await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
  if (outOfTime()) throw new RunOutOfTime('The wait between the passes');
  const second = await countTable(timeZone, outOfTime);
  const again = counterDifferences(second.recount.days.values(), second.stored);
  const firstSeen = new Set(found.map(differenceKey));
  const confirmed = again.filter((d) => firstSeen.has(differenceKey(d)));
  const byDay = new Map<string, CounterDifference[]>();
  for (const d of confirmed) {
    const key = `${d.scope}\u0000${d.date}`;
    byDay.set(key, [...(byDay.get(key) ?? []), d]);
  }
  const written = { counters: 0, days: 0 };
  for (const day of byDay.values()) {
    if (outOfTime()) break;
    if ((await correctDay(day)) === 'written') {
      written.days++;
      written.counters += day.length;
    }
  }
  result.written = written;
  result.leftAlone = found.length - written.counters;
  logger.info('report counters corrected', { ...written, leftAlone: result.leftAlone });
  return result;
}

export const handler = middy(rebuild)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

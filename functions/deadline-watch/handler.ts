import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { dispatchAlerts } from '../../shared/adapters/alert-dispatch.ts';
import { type AlertLevel, advanceAlertSchedule } from '../../shared/adapters/alert-schedule.ts';
import { dueFeedback } from '../../shared/adapters/citizen-store.ts';
import { dueDossiers, type PendingAlert, pendingAlerts } from '../../shared/adapters/due-dossiers.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { FEEDBACK_CODE_PATTERN, feedbackClockRuns } from '../../shared/domain/citizens.ts';
import { clockRunningStatuses, type DossierStatus } from '../../shared/domain/dossier.ts';
import { clockEnd, isLate, lateIfDueBefore } from '../../shared/domain/timing.ts';
import { ALERTS_PER_INVOCATION, type AlertMessage } from '../../shared/events.ts';
import { logger, metrics } from '../../shared/observability.ts';

/** Schedules moved on at once after their alerts were handed over. */
const ADVANCES_AT_ONCE = 10;

/**
 * Every quarter hour: the alerts whose instant has come (due within the ward's alert window, or overdue), each
 * raised once per dossier, level and due date. The sparse index of alert schedules holds only alerts still to
 * come, and once raised a schedule moves to its next level, so a run reads what is due now, not every open
 * dossier. The alerts go to alert-dispatch by asynchronous invocations, a bounded batch each, and a batch's
 * schedules move on only once Lambda accepted its invocation: a run that fails in between (or overlaps another)
 * raises them again, and delivery keeps one (alert markers). The clock is the schedule's own time.
 */
export async function watchDeadlines(now: number): Promise<{ dueSoon: number; overdue: number }> {
  const nowIso = new Date(now).toISOString();
  const { alerts: alertWindow, timeZone } = wardConfig();
  const horizon = new Date(now + alertWindow.dueSoonHours * 3_600_000).toISOString();
  // Overdue is what the verdict would call late were the result ready now: past the due date's day in the ward.
  const pending = await pendingAlerts(new Date(lateIfDueBefore(now, timeZone)).toISOString(), horizon);
  // Feedback items (PAKN) keep schedules of their own on the same index: their codes tell them apart.
  const isFeedback = (code: string) => FEEDBACK_CODE_PATTERN.test(code);
  const [dossiers, feedback] = await Promise.all([
    dueDossiers(pending.filter((p) => !isFeedback(p.code)).map((p) => p.code)),
    dueFeedback(pending.filter((p) => isFeedback(p.code)).map((p) => p.code)),
  ]);
  const alerts: { message: AlertMessage; schedule: PendingAlert }[] = [];
  const stale: PendingAlert[] = [];
  for (const schedule of pending) {
    if (isFeedback(schedule.code)) {
      const item = feedback.get(schedule.code);
      if (!item || item.dueAt !== schedule.dueAt || !feedbackClockRuns(item.status)) stale.push(schedule);
      else {
        const kind: AlertLevel = isLate(now, Date.parse(item.dueAt), timeZone) ? 'overdue' : 'due_soon';
        const message: AlertMessage = {
          kind,
          subject: 'feedback',
          code: item.code,
          status: item.status,
          dueAt: item.dueAt,
          procedureName: 'Phản ánh, kiến nghị',
          detectedAt: nowIso,
        };
        alerts.push({ message, schedule });
      }
      continue;
    }
    const dossier = dossiers.get(schedule.code);
    // Written with its dossier, a schedule agrees with it, or was replaced since it was read (its condition then
    // fails when it is dropped here). One that does not is not alerted on, and leaves the index.
    if (
      !dossier ||
      dossier.dueAt !== schedule.dueAt ||
      clockEnd(dossier) !== undefined ||
      !(clockRunningStatuses as readonly DossierStatus[]).includes(dossier.status)
    ) {
      stale.push(schedule);
      continue;
    }
    const kind: AlertLevel = isLate(now, Date.parse(dossier.dueAt), timeZone) ? 'overdue' : 'due_soon';
    // A dossier whose clock ended was left out above, so no resolvedAt goes with the alert.
    alerts.push({ message: { kind, ...dossier, detectedAt: nowIso }, schedule });
  }
  const advance = async (advances: (readonly [PendingAlert, AlertLevel])[]) => {
    for (let i = 0; i < advances.length; i += ADVANCES_AT_ONCE)
      await Promise.all(
        advances
          .slice(i, i + ADVANCES_AT_ONCE)
          .map(([schedule, raised]) => advanceAlertSchedule(schedule, raised, now)),
      );
  };
  for (let i = 0; i < alerts.length; i += ALERTS_PER_INVOCATION) {
    const batch = alerts.slice(i, i + ALERTS_PER_INVOCATION);
    await dispatchAlerts(batch.map((a) => a.message));
    await advance(batch.map((a) => [a.schedule, a.message.kind] as const));
  }
  await advance(stale.map((schedule) => [schedule, 'overdue'] as const));
  if (stale.length > 0)
    logger.warn('alert schedules that did not match their dossiers, dropped', { count: stale.length });
  const overdue = alerts.filter((a) => a.message.kind === 'overdue').length;
  metrics.addMetric('dossiersOverdue', MetricUnit.Count, overdue);
  metrics.addMetric('dossiersDueSoon', MetricUnit.Count, alerts.length - overdue);
  return { dueSoon: alerts.length - overdue, overdue };
}

export const handler = middy((event: ScheduledEvent) => watchDeadlines(Date.parse(event.time)))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

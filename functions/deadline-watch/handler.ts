import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { queueAlerts } from '../../shared/adapters/alert-queue.ts';
import { dossiersDueBefore } from '../../shared/adapters/due-dossiers.ts';
import { wardConfig } from '../../shared/config/ward.ts';
import { clockRunningStatuses } from '../../shared/domain/dossier.ts';
import type { AlertMessage } from '../../shared/events.ts';
import { logger, metrics } from '../../shared/observability.ts';

/**
 * Every quarter hour: the dossiers whose clock runs and that are due within the ward's alert window, or
 * already overdue, each become an alert on the alerts queue. Alerts repeat every run; delivery keeps one per
 * dossier, kind and due date. The clock is the schedule's own time.
 */
async function watch(event: ScheduledEvent): Promise<{ dueSoon: number; overdue: number }> {
  const now = Date.parse(event.time);
  const horizon = new Date(now + wardConfig().alerts.dueSoonHours * 3_600_000).toISOString();
  const alerts: AlertMessage[] = [];
  for (const status of clockRunningStatuses) {
    for (const dossier of await dossiersDueBefore(status, horizon)) {
      const kind = Date.parse(dossier.dueAt) < now ? 'overdue' : 'due_soon';
      alerts.push({ kind, ...dossier, detectedAt: new Date(now).toISOString() });
    }
  }
  await queueAlerts(alerts);
  const overdue = alerts.filter((a) => a.kind === 'overdue').length;
  metrics.addMetric('dossiersOverdue', MetricUnit.Count, overdue);
  metrics.addMetric('dossiersDueSoon', MetricUnit.Count, alerts.length - overdue);
  return { dueSoon: alerts.length - overdue, overdue };
}

export const handler = middy(watch)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { queueUrl, sqs } from '../../shared/adapters/aws.ts';
import { queryAll } from '../../shared/adapters/query.ts';
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
    const due = await queryAll({
      IndexName: 'byStatusDue',
      KeyConditionExpression: 'listStatus = :status AND dueSort < :horizon',
      ExpressionAttributeValues: { ':status': status, ':horizon': horizon },
      ProjectionExpression: 'code, #status, dueAt, #procedure.#name, assignee, department',
      ExpressionAttributeNames: { '#status': 'status', '#procedure': 'procedure', '#name': 'name' },
    });
    for (const item of due) {
      alerts.push({
        kind: Date.parse(item.dueAt as string) < now ? 'overdue' : 'due_soon',
        code: item.code as string,
        status,
        dueAt: item.dueAt as string,
        procedureName: (item.procedure as { name: string }).name,
        ...(item.assignee ? { assignee: item.assignee as string } : {}),
        ...(item.department ? { department: item.department as string } : {}),
        detectedAt: new Date(now).toISOString(),
      });
    }
  }
  for (let i = 0; i < alerts.length; i += 10) {
    const batch = alerts.slice(i, i + 10);
    const result = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl('alerts'),
        Entries: batch.map((alert, j) => ({ Id: String(j), MessageBody: JSON.stringify(alert) })),
      }),
    );
    if (result.Failed?.length) throw new Error(`${result.Failed.length} alert(s) could not be queued`);
  }
  const overdue = alerts.filter((a) => a.kind === 'overdue').length;
  metrics.addMetric('dossiersOverdue', MetricUnit.Count, overdue);
  metrics.addMetric('dossiersDueSoon', MetricUnit.Count, alerts.length - overdue);
  return { dueSoon: alerts.length - overdue, overdue };
}

export const handler = middy(watch)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

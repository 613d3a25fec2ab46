import { CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import {
  ContextAttribute,
  Schedule as DailySchedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  bucketNotifications,
  type FunctionName,
  functions,
  PORTAL_DELIVERY_METRIC,
  type QueueName,
  queueConsumers,
  queues,
  schedules,
  streamConsumers,
} from '../shared/blueprint/resources.ts';
import type { ScheduleSpec } from '../shared/blueprint/types.ts';
import {
  asyncTargetSettings,
  type FunctionRefs,
  invocationEnvironment,
  invocationGrants,
  type StreamSource,
  streamSources,
  tokenCheckEnvironment,
} from '../shared/blueprint/wiring.ts';
import { alertSubscriptions } from '../shared/config/alert-recipients.ts';
import type { WardConfig } from '../shared/config/ward.ts';
import { portalTokenAudience } from '../shared/http/auth.ts';
import { ALARM_PERIOD, ITERATOR_AGE_ALARM_MS, WardAlarms } from './constructs/alarms.ts';
import { WardApi } from './constructs/api.ts';
import { pascal, Storage } from './constructs/storage.ts';
import { logicalId, WardFunction } from './constructs/ward-function.ts';

/**
 * A stream consumer's event source mapping, from the settings the local stream poller follows too
 * (shared/blueprint/wiring.ts `streamSources`).
 */
export function dynamoEventSource(table: ITable, source: StreamSource, onFailure: IQueue): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: source.batchSize,
    retryAttempts: source.maxRetries,
    bisectBatchOnError: source.bisectBatchOnError,
    reportBatchItemFailures: source.reportBatchItemFailures,
    maxRecordAge: Duration.seconds(source.maxRecordAgeSeconds),
    onFailure: new SqsDlq(onFailure),
    ...(source.filters.length > 0 ? { filters: source.filters.map((pattern) => FilterCriteria.filter(pattern)) } : {}),
    ...(source.tumblingWindowSeconds ? { tumblingWindow: Duration.seconds(source.tumblingWindowSeconds) } : {}),
  });
}

export interface WardStackProps extends StackProps {
  ward: WardConfig;
}

/**
 * One ward's instance: its storage, its functions wired to the API, the table stream, the queues and the
 * deadline schedule, all as the blueprint declares them.
 */
export class WardStack extends Stack {
  readonly storage: Storage;
  readonly api: WardApi;
  readonly functions: Record<FunctionName, WardFunction>;
  readonly alarms: WardAlarms;

  constructor(scope: Construct, id: string, props: WardStackProps) {
    super(scope, id, {
      ...props,
      description: `motcua: one-stop shop backend of ${props.ward.name} (${props.ward.unitCode})`,
    });
    const { ward } = props;
    // An alarm nobody hears is no alarm: a deployed ward names who gets them.
    if (!ward.operations)
      throw new Error(`ward ${ward.id}: set operations.alarmEmails in its configuration before deploying it`);
    // A portal without a registered key could never call.
    for (const portal of ward.portals.filter((p) => !p.keys))
      throw new Error(
        `ward ${ward.id}: register the public keys of portal ${portal.id} (portals[].keys) before deploying`,
      );

    this.storage = new Storage(this, 'Storage', { ward, alertSubscriptions: alertSubscriptions(ward) });
    this.api = new WardApi(this, 'Api', { ward });

    this.functions = {} as Record<FunctionName, WardFunction>;
    for (const [name, spec] of Object.entries(functions) as [FunctionName, (typeof functions)[FunctionName]][]) {
      this.functions[name] = new WardFunction(this, pascal(name), {
        name,
        spec,
        ward,
        storage: this.storage,
        environment: tokenCheckEnvironment(name, this.api.staffTokens()),
      });
    }
    const fn = (name: FunctionName): IFunction => this.functions[name].fn;
    this.api.addRoutes(
      Object.fromEntries(Object.keys(functions).map((name) => [name, fn(name as FunctionName)])) as Record<
        FunctionName,
        IFunction
      >,
    );

    // Functions invoking others asynchronously: the target's name in the environment, the right to invoke it alone.
    const functionRefs = Object.fromEntries(
      Object.entries(this.functions).map(([name, f]) => [name, { name: f.fn.functionName, arn: f.fn.functionArn }]),
    ) as FunctionRefs;
    for (const name of Object.keys(functions) as FunctionName[]) {
      for (const [variable, value] of Object.entries(invocationEnvironment(name, functionRefs)))
        this.functions[name].fn.addEnvironment(variable, value);
      for (const grant of invocationGrants(name, functionRefs))
        this.functions[name].role.addToPolicy(new PolicyStatement(grant));
    }
    for (const target of asyncTargetSettings) {
      fn(target.function).configureAsyncInvoke({
        retryAttempts: target.retryAttempts,
        maxEventAge: Duration.seconds(target.maxEventAgeSeconds),
        onFailure: new SqsDestination(this.storage.queues[target.onFailure]),
      });
    }
    for (const notification of bucketNotifications) {
      this.storage.bucket.addEventNotification(
        EventType.OBJECT_CREATED,
        new LambdaDestination(fn(notification.function)),
        {
          prefix: notification.prefix,
        },
      );
    }
    // CDK configures bucket notifications through its own custom-resource function.
    const notificationsHandler = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications custom resource (runs only at deploy time) uses the basic Lambda execution policy for its logs.",
      });
    }

    for (const source of streamSources) {
      fn(source.function).addEventSource(
        dynamoEventSource(this.storage.table, source, this.storage.queues[source.onFailure]),
      );
    }
    for (const consumer of queueConsumers) {
      fn(consumer.function).addEventSource(
        new SqsEventSource(this.storage.queues[consumer.queue], {
          batchSize: consumer.batchSize,
          reportBatchItemFailures: true,
        }),
      );
    }
    this.alarms = new WardAlarms(this, 'Alarms', { wardId: ward.id, emails: ward.operations.alarmEmails });
    const alarm = this.alarms.add.bind(this.alarms);

    const declaredSchedules: readonly ScheduleSpec<FunctionName>[] = schedules;
    for (const schedule of declaredSchedules) {
      if (schedule.dailyAt !== undefined) {
        // EventBridge Scheduler runs a cron in the ward's own time zone (rules run theirs in UTC). Its failures are
        // retried twice; no alarm of its own: the account's ten free alarms are spent, and the function's errors
        // alarm still fires when the digest fails.
        const [hour, minute] = schedule.dailyAt.split(':').map(Number);
        // The schedule's own role, for this account's schedules only: it may invoke this one function.
        const role = new Role(this, `${pascal(schedule.name)}ScheduleRole`, {
          assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
            conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
          }),
          description: `EventBridge Scheduler: invokes ${schedule.function} (${schedule.name})`,
        });
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalId(this.functions[schedule.function].fn)}.Arn>:*]`,
          reason: `CDK grants invoking ${schedule.function} and its versions (<arn>:*); nothing else is granted.`,
        });
        new DailySchedule(this, `${pascal(schedule.name)}Schedule`, {
          description: schedule.description,
          schedule: ScheduleExpression.cron({
            minute: String(minute),
            hour: String(hour),
            timeZone: TimeZone.of(ward.timeZone),
          }),
          // The function gets the instant it was scheduled for, as a rule's event carries it in `time`.
          target: new LambdaInvoke(fn(schedule.function), {
            role,
            retryAttempts: 2,
            input: ScheduleTargetInput.fromObject({ time: ContextAttribute.scheduledTime }),
          }),
        });
        continue;
      }
      const rule = new Rule(this, `${pascal(schedule.name)}Schedule`, {
        description: schedule.description,
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        targets: [new LambdaFunction(fn(schedule.function), { retryAttempts: 2 })],
      });
      const failedRuns = new Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: 'Sum',
        period: ALARM_PERIOD,
      });
      if (schedule.function === 'portal-sync') {
        // One alarm for the status sync, within the ten free ones: its schedule not running, or a status change
        // failed past the ward's horizon (kept: GET /deliveries?status=failed). portal-sync counts the latter in its
        // own metric (Powertools' EMF, namespace motcua, dimension service), so no log filter is needed.
        alarm('PortalSyncAlarm', {
          alarmDescription:
            'The status sync needs a person: its schedule could not invoke portal-sync, or a status change could not ' +
            'be delivered within the ward’s horizon (kept: GET /deliveries?status=failed; repair the portal, then ' +
            'POST /portals/{portal}/deliveries/retry)',
          metric: new MathExpression({
            expression: 'FILL(failedRuns, 0) + FILL(failedDeliveries, 0)',
            usingMetrics: {
              failedRuns,
              failedDeliveries: new Metric({
                namespace: PORTAL_DELIVERY_METRIC.namespace,
                metricName: PORTAL_DELIVERY_METRIC.failed,
                dimensionsMap: { service: PORTAL_DELIVERY_METRIC.service },
                statistic: 'Sum',
                period: ALARM_PERIOD,
              }),
            },
            period: ALARM_PERIOD,
          }),
          threshold: 0,
        });
        continue;
      }
      alarm(`${pascal(schedule.name)}ScheduleFailuresAlarm`, {
        alarmDescription: `The schedule ${schedule.name} could not invoke ${schedule.function}, even after its retries`,
        metric: failedRuns,
        threshold: 0,
      });
    }

    // At most ten alarms, CloudWatch's free allowance per account (a ward has an account of its own: README,
    // deploying), each further one US$0.10 a month. One alarm per function's errors and throttles made 34 of the 42;
    // Lambda also publishes Errors and Throttles with no dimension, summed over every function of the account and
    // region (aws-cdk-lib's LambdaMetrics, generated from CloudWatch's metric specifications, offers errorsSum({}) and
    // throttlesSum({}): aws-lambda/lib/lambda-canned-metrics.generated.d.ts). Errors counts what the per-function
    // metric counts: exceptions of the code and of the runtime, timeouts and configuration errors (Lambda guide,
    // "Types of metrics for Lambda functions"). Free, and no log pattern to keep right: a throttled invocation never
    // runs, so no metric filter on the functions' logs could count it anyway. The alarm says that some function
    // failed; the Lambda console or Logs Insights over the ward's log groups says which.
    alarm('FunctionErrorsAlarm', {
      alarmDescription:
        "A function of the ward's account failed (an error, a timeout, a crash at start; not a refusal answered to " +
        'a client): find which in the Lambda console, sorted by errors',
      metric: new Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', period: ALARM_PERIOD }),
      threshold: 0,
    });
    alarm('FunctionThrottlesAlarm', {
      alarmDescription:
        "A function of the ward's account was throttled: the account's concurrency or a function's reserved " +
        'concurrency (the public lookup) ran out',
      metric: new Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum', period: ALARM_PERIOD }),
      threshold: 0,
    });
    for (const consumer of streamConsumers) {
      alarm(`${pascal(consumer.function)}IteratorAgeAlarm`, {
        alarmDescription: `${consumer.function} lags on the table stream by more than ${ITERATOR_AGE_ALARM_MS / 60_000} minutes`,
        metric: fn(consumer.function).metric('IteratorAge', { period: ALARM_PERIOD, statistic: 'Maximum' }),
        threshold: ITERATOR_AGE_ALARM_MS,
        evaluationPeriods: 2,
      });
    }
    alarm('ApiServerErrorsAlarm', {
      alarmDescription: 'The API answered 5xx: a function failed, timed out or was overloaded',
      metric: this.api.httpApi.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 0,
    });
    // Anything in a dead-letter queue needs a person. The stream-failures and invoke-failures queues are themselves
    // where given-up batches and invocations go, and nothing receives from them, so their messages never reach their
    // dead-letter queues: the alarm watches the queue.
    for (const name of Object.keys(queues) as QueueName[]) {
      const consumed = queueConsumers.some((c) => c.queue === name);
      const queue = consumed ? this.storage.deadLetterQueues[name] : this.storage.queues[name];
      alarm(`${pascal(name)}${consumed ? 'DeadLetters' : 'Waiting'}Alarm`, {
        alarmDescription: consumed
          ? `Messages of ${name} could not be processed and wait in its dead-letter queue`
          : `Messages wait in ${name}, which nothing processes: ${queues[name].description}`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD }),
        threshold: 0,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint, description: 'Base URL of the ward API' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'StaffClientId', { value: this.api.staffClient.userPoolClientId });
    new CfnOutput(this, 'PortalTokenAudience', {
      value: portalTokenAudience(ward.id),
      description: 'The aud claim of the tokens portals sign with their own keys',
    });
    new CfnOutput(this, 'DocumentBucket', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'ReportRebuildFunction', {
      value: this.functions['report-rebuild'].fn.functionName,
      description: 'Invoke by hand to recount the report counters from the dossiers (README.md)',
    });
    new CfnOutput(this, 'AlarmTopic', {
      value: this.alarms.topic.topicArn,
      description: 'Every alarm notifies it; each address must confirm its subscription once',
    });
  }
}

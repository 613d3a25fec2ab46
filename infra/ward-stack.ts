import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { functions, queueConsumers, schedules, streamConsumers, type FunctionName, type QueueName } from '../shared/blueprint.ts';
import type { WardConfig } from '../shared/config/ward.ts';
import { PORTAL_CLIENTS_ENV } from '../shared/http/auth.ts';
import { WardApi } from './constructs/api.ts';
import { pascal, Storage } from './constructs/storage.ts';
import { WardFunction } from './constructs/ward-function.ts';

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

  constructor(scope: Construct, id: string, props: WardStackProps) {
    super(scope, id, { ...props, description: `motcua: one-stop shop backend of ${props.ward.name} (${props.ward.unitCode})` });
    const { ward } = props;

    this.storage = new Storage(this, 'Storage');
    this.api = new WardApi(this, 'Api', { ward });
    const portalClients = this.api.portalClientMap();

    this.functions = {} as Record<FunctionName, WardFunction>;
    for (const [name, spec] of Object.entries(functions) as [FunctionName, (typeof functions)[FunctionName]][]) {
      this.functions[name] = new WardFunction(this, pascal(name), {
        name,
        spec,
        ward,
        storage: this.storage,
        environment: { [PORTAL_CLIENTS_ENV]: portalClients },
      });
    }
    const fn = (name: FunctionName): IFunction => this.functions[name].fn;
    this.api.addRoutes(Object.fromEntries(Object.keys(functions).map((name) => [name, fn(name as FunctionName)])) as Record<FunctionName, IFunction>);

    for (const consumer of streamConsumers) {
      fn(consumer.function).addEventSource(
        new DynamoEventSource(this.storage.table, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: consumer.batchSize,
          retryAttempts: consumer.maxRetries,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          maxRecordAge: Duration.hours(24),
          onFailure: new SqsDlq(this.storage.queues.streamFailures),
        }),
      );
    }
    for (const consumer of queueConsumers) {
      fn(consumer.function).addEventSource(
        new SqsEventSource(this.storage.queues[consumer.queue], { batchSize: consumer.batchSize, reportBatchItemFailures: true }),
      );
    }
    for (const schedule of schedules) {
      new Rule(this, `${pascal(schedule.name)}Schedule`, {
        description: schedule.description,
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        targets: [new LambdaFunction(fn(schedule.function), { retryAttempts: 2 })],
      });
    }

    // Anything in a dead-letter queue needs a person: alarm on it.
    for (const [name, queue] of Object.entries(this.storage.deadLetterQueues) as [QueueName, (typeof this.storage.deadLetterQueues)[QueueName]][]) {
      new Alarm(this, `${pascal(name)}DeadLettersAlarm`, {
        alarmDescription: `Messages of ${name} could not be processed and wait in its dead-letter queue`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint, description: 'Base URL of the ward API' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'StaffClientId', { value: this.api.staffClient.userPoolClientId });
    new CfnOutput(this, 'TokenEndpoint', {
      value: `https://${ward.deploy.authDomainPrefix}.auth.${this.region}.amazoncognito.com/oauth2/token`,
      description: 'Where portals get client-credentials tokens',
    });
    new CfnOutput(this, 'DocumentBucket', { value: this.storage.bucket.bucketName });

  }
}

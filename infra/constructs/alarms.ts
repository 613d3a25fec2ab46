import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, type AlarmProps, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** How long a batch may wait on the table stream before someone should look: well past any normal burst. */
export const ITERATOR_AGE_ALARM_MS = 10 * 60 * 1000;

/**
 * The ward's alarms and who hears them: one SNS topic, an e-mail subscription per address of the ward
 * configuration, and every alarm made here notifying the topic when it goes into alarm and when it recovers.
 *
 * The topic is not encrypted at rest. CloudWatch cannot publish to a topic under the AWS-managed SNS key, so
 * encryption would need a customer-managed KMS key (about US$1 a month per ward, and a key policy for
 * CloudWatch); alarm notifications carry only alarm names, metrics and thresholds (no personal data), and are
 * delivered as plain e-mail anyway. Publishing and subscribing require TLS.
 */
export class WardAlarms extends Construct {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: { wardId: string; emails: readonly string[] }) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: `motcua ${props.wardId} alarms`, enforceSSL: true });
    // The TLS policy replaces SNS's default topic policy, and CloudWatch publishes as a service principal: it
    // needs its own grant, for this account's alarms only.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry no personal data (alarm name, metric, threshold) and go out as e-mail; CloudWatch cannot publish to a topic under the AWS-managed key, and a customer-managed key would cost each ward about US$1 a month for nothing to protect.',
    });
    this.action = new SnsAction(this.topic);
  }

  /** An alarm that fires when the metric goes above the threshold, notifying the topic both ways. */
  add(
    id: string,
    props: Omit<AlarmProps, 'comparisonOperator' | 'treatMissingData' | 'evaluationPeriods'> & {
      evaluationPeriods?: number;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      evaluationPeriods: 1,
      ...props,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}

/** The period every alarm looks at. */
export const ALARM_PERIOD = Duration.minutes(5);

import { Alias } from 'aws-cdk-lib/aws-kms';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { type TopicName, topics } from '../../shared/blueprint/resources.ts';
import type { AlertSubscription } from '../../shared/config/alert-recipients.ts';
import { pascal } from './storage.ts';

/**
 * The ward's notification topics (the blueprint's `topics`): encrypted at rest under the AWS-managed SNS key, since
 * alerts name applicants, and TLS only. Only the ward's own functions publish (their roles' sns:Publish on the topic),
 * so the AWS-managed key serves: no service principal publishes here, and a customer key would cost US$1 a month.
 * Each e-mail address of the configuration is a subscription its owner confirms once; a staff member's lets only
 * the alerts of dossiers assigned to them through (a filter policy on the assignee attribute, free of charge).
 */
export class AlertTopics extends Construct {
  readonly topics: Record<TopicName, Topic>;

  constructor(scope: Construct, id: string, props: { wardId: string; subscriptions: readonly AlertSubscription[] }) {
    super(scope, id);
    const key = Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns');
    this.topics = {} as Record<TopicName, Topic>;
    for (const [name, spec] of Object.entries(topics) as [TopicName, (typeof topics)[TopicName]][]) {
      const topic = new Topic(this, pascal(name), {
        displayName: `motcua ${props.wardId}`,
        masterKey: key,
        enforceSSL: true,
      });
      topic.node.addMetadata('description', spec.description);
      for (const subscription of props.subscriptions) {
        topic.addSubscription(
          new EmailSubscription(subscription.email, {
            ...(subscription.filterPolicy
              ? {
                  filterPolicy: Object.fromEntries(
                    Object.entries(subscription.filterPolicy).map(([attribute, values]) => [
                      attribute,
                      SubscriptionFilter.stringFilter({ allowlist: values }),
                    ]),
                  ),
                }
              : {}),
          }),
        );
      }
      this.topics[name] = topic;
    }
  }
}

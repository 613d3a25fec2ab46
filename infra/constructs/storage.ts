import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  portalWebhookSecret,
  type QueueName,
  queues,
  type SecretName,
  secrets,
  table as tableSpec,
} from '../../shared/blueprint/resources.ts';
import { DOCUMENT_OBJECTS, indexProjection, type ResourceRefs } from '../../shared/blueprint/wiring.ts';
import type { AlertSubscription } from '../../shared/config/alert-recipients.ts';
import { retentionDays, type WardConfig } from '../../shared/config/ward.ts';
import { AlertTopics } from './alert-topics.ts';
import { WardKey } from './ward-key.ts';

/**
 * Where a ward's data lives: the single table (stream on, point-in-time recovery, deletion protection), the
 * document bucket (private, TLS only, versioned, access-logged, documents moved to Standard-IA after the days the
 * ward configures and kept for its retention, CORS for its staff web origins) and the queues, each with its
 * dead-letter queue. Data is retained when the stack is deleted.
 */
export class Storage extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;
  readonly queues: Record<QueueName, Queue>;
  readonly deadLetterQueues: Record<QueueName, Queue>;
  /** Where each key comes from: the one ward key parameter, for every key. */
  readonly secrets: Record<SecretName, WardKey>;
  readonly portalSecrets: Record<string, { reference: string; arn: string }>;
  readonly alertTopics: AlertTopics;

  constructor(
    scope: Construct,
    id: string,
    props: { ward: WardConfig; alertSubscriptions: readonly AlertSubscription[] },
  ) {
    super(scope, id);
    this.alertTopics = new AlertTopics(this, 'Topics', {
      wardId: props.ward.id,
      subscriptions: props.alertSubscriptions,
    });

    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableSpec.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSpec.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: tableSpec.timeToLive,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableSpec.indexes) {
      const projection = indexProjection(index);
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[projection.ProjectionType],
        ...(projection.NonKeyAttributes ? { nonKeyAttributes: projection.NonKeyAttributes } : {}),
      });
    }

    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, 'Documents', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        // Nothing the API does leaves an old version (uploads are new keys; a rejected upload's version is deleted
        // outright), so a noncurrent version is what an operator's overwrite or delete left: recoverable for 90
        // days, then no longer paid for. The delete marker an expiry leaves goes once nothing is under it.
        {
          id: 'OldVersions',
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
        // A dossier's scans are read while it is worked on, then seldom: they keep for less in Standard-IA, and
        // for the ward's retention.
        {
          id: 'DocumentsToInfrequentAccess',
          prefix: DOCUMENT_OBJECTS.replace(/\*$/, ''),
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(props.ward.documents.infrequentAccessAfterDays),
            },
          ],
          expiration: Duration.days(retentionDays(props.ward.documents.retentionYears)),
        },
      ],
      // The staff web applications upload with the presigned PUT and download with the presigned GET: those two
      // methods, and the headers the upload's signature covers that a browser may set (it sets Content-Length).
      cors:
        props.ward.documents.corsOrigins.length === 0
          ? undefined
          : [
              {
                allowedOrigins: [...props.ward.documents.corsOrigins],
                allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
                allowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
                exposedHeaders: ['etag'],
                maxAge: 3600,
              },
            ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The ward's keys, held outside the table in one SSM SecureString parameter generated at deploy time and never
    // seen by anyone (shared/security/secrets.ts derives both keys from it; DEVELOPERS.md says why one parameter).
    // Retained, as the table is: a new key would void the PIN on every receipt already handed out.
    const wardKey = new WardKey(this, 'WardKey', { ward: props.ward });
    this.secrets = Object.fromEntries(Object.keys(secrets).map((name) => [name, wardKey])) as Record<
      SecretName,
      WardKey
    >;

    // Each portal's webhook secret: the parameter its configuration names, or one the ward key's generator makes.
    this.portalSecrets = Object.fromEntries(
      props.ward.portals
        .filter((portal) => portal.statusWebhookUrl)
        .map((portal) => [
          portal.id,
          portal.statusWebhookSecret
            ? {
                reference: portal.statusWebhookSecret,
                arn: Stack.of(this).formatArn({
                  service: 'ssm',
                  resource: 'parameter',
                  resourceName: portal.statusWebhookSecret.slice(1),
                }),
              }
            : wardKey.portalSecret(portalWebhookSecret.parameterName(props.ward.id, portal.id), portal.id),
        ]),
    );

    this.queues = {} as Record<QueueName, Queue>;
    this.deadLetterQueues = {} as Record<QueueName, Queue>;
    for (const [name, spec] of Object.entries(queues) as [QueueName, (typeof queues)[QueueName]][]) {
      const deadLetterQueue = new Queue(this, `${pascal(name)}DeadLetters`, {
        fifo: spec.fifo || undefined,
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      this.deadLetterQueues[name] = deadLetterQueue;
      this.queues[name] = new Queue(this, pascal(name), {
        fifo: spec.fifo || undefined,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      });
    }
  }

  /** The resources as the shared wiring (shared/blueprint/wiring.ts) names them: tokens, resolved at deploy time. */
  refs(): ResourceRefs {
    const entries = <K extends string, V, R>(record: Record<K, V>, map: (value: V) => R) =>
      Object.fromEntries(Object.entries(record).map(([k, v]) => [k, map(v as V)])) as Record<K, R>;
    return {
      table: { name: this.table.tableName, arn: this.table.tableArn, streamArn: this.table.tableStreamArn! },
      bucket: { name: this.bucket.bucketName, arn: this.bucket.bucketArn },
      queues: entries(this.queues, (queue) => ({ url: queue.queueUrl, arn: queue.queueArn })),
      secrets: entries(this.secrets, (key) => ({ reference: key.parameterName, arn: key.parameterArn })),
      topics: entries(this.alertTopics.topics, (topic) => ({ arn: topic.topicArn })),
      portalSecrets: this.portalSecrets,
    };
  }
}

export function pascal(name: string): string {
  return name.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());
}

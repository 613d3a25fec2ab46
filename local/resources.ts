import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type QueueName, queues, table } from '../shared/blueprint/resources.ts';
import { indexProjection } from '../shared/blueprint/wiring.ts';

export interface LocalResources {
  tableName: string;
  tableArn: string;
  streamArn: string;
  bucketName: string;
  bucketArn: string;
  queueUrls: Record<QueueName, string>;
  queueArns: Record<QueueName, string>;
  deadLetterQueueUrls: Record<QueueName, string>;
}

/** Local names mirror the stack's: one prefix, then the blueprint's names. */
export function queueResourceName(prefix: string, queue: QueueName, deadLetter = false): string {
  const kebab = queue.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return `${prefix}-${kebab}${deadLetter ? '-dlq' : ''}${queues[queue].fifo ? '.fifo' : ''}`;
}

/** The table as the local runner creates it, from the blueprint: keys, indexes with their projections, stream. */
export function localTableDefinition(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([
    table.partitionKey,
    table.sortKey,
    ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: table.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: indexProjection(index),
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/**
 * Creates the table, its indexes and stream, the bucket, and every queue with its dead-letter queue, from
 * the blueprint the CDK stack reads too. Existing resources are kept (a restart of `npm start` finds its data).
 */
export async function createLocalResources(
  clients: { dynamo: DynamoDBClient; s3: S3Client; sqs: SQSClient },
  prefix: string,
): Promise<LocalResources> {
  const tableName = `${prefix}-table`;
  try {
    await clients.dynamo.send(new CreateTableCommand(localTableDefinition(tableName)));
    await waitUntilTableExists({ client: clients.dynamo, maxWaitTime: 30 }, { TableName: tableName });
    await clients.dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: table.timeToLive, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const described = await clients.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = described.Table?.LatestStreamArn;
  const tableArn = described.Table?.TableArn;
  if (!streamArn || !tableArn) throw new Error(`table ${tableName} has no stream`);
  // A table kept from an earlier run (a data folder) must have the blueprint's indexes, or queries that work here
  // could fail in the stack.
  const indexesOf = (indexes: { IndexName?: string; KeySchema?: unknown; Projection?: unknown }[] | undefined) =>
    JSON.stringify(
      (indexes ?? [])
        .map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }))
        .sort((a, b) => a.IndexName!.localeCompare(b.IndexName!)),
    );
  if (
    indexesOf(described.Table?.GlobalSecondaryIndexes) !==
    indexesOf(localTableDefinition(tableName).GlobalSecondaryIndexes)
  )
    throw new Error(
      `table ${tableName} has other indexes than the blueprint's (shared/blueprint/resources.ts): start on a new data folder`,
    );

  const bucketName = `${prefix}-documents`;
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (error) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as Error).name)) throw error;
  }

  const queueUrls = {} as Record<QueueName, string>;
  const queueArns = {} as Record<QueueName, string>;
  const deadLetterQueueUrls = {} as Record<QueueName, string>;
  for (const [name, spec] of Object.entries(queues) as [QueueName, (typeof queues)[QueueName]][]) {
    const fifo = spec.fifo ? { FifoQueue: 'true' } : {};
    const dlq = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: queueResourceName(prefix, name, true),
        Attributes: { ...fifo, MessageRetentionPeriod: '1209600' },
      }),
    );
    const dlqArn = await queueArn(clients.sqs, dlq.QueueUrl!);
    const queue = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: queueResourceName(prefix, name),
        Attributes: {
          ...fifo,
          VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: spec.maxReceiveCount }),
        },
      }),
    );
    queueUrls[name] = queue.QueueUrl!;
    queueArns[name] = await queueArn(clients.sqs, queue.QueueUrl!);
    deadLetterQueueUrls[name] = dlq.QueueUrl!;
  }
  return {
    tableName,
    tableArn,
    streamArn,
    bucketName,
    bucketArn: `arn:aws:s3:::${bucketName}`,
    queueUrls,
    queueArns,
    deadLetterQueueUrls,
  };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return attributes.Attributes!.QueueArn!;
}

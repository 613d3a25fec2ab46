/**
 * How a function of the blueprint is wired, computed once for the CDK stack and the local runner alike: the
 * environment it gets, the IAM grants of its role, and the settings of its event sources. The stack passes its
 * resources (CDK tokens), the local runner the names of its local ones, so the two cannot drift. No CDK import: the
 * local runner loads this in every test.
 */
import {
  type AsyncTargetName,
  asyncInvocations,
  asyncTargets,
  env,
  type FunctionName,
  functions,
  type QueueName,
  queueConsumers,
  type SecretName,
  streamConsumers,
  type TopicName,
  table,
} from './resources.ts';
import type { EventFilterPattern, FunctionSpec, StreamConsumerSpec, TableIndexSpec } from './types.ts';

/** An index's projection as DynamoDB's API and CloudFormation both spell it. */
export function indexProjection(index: TableIndexSpec): {
  ProjectionType: 'KEYS_ONLY' | 'INCLUDE';
  NonKeyAttributes?: string[];
} {
  return index.projection === 'keys'
    ? { ProjectionType: 'KEYS_ONLY' }
    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] };
}

/** Where the resources of an instance are: names, URLs and ARNs (tokens in the stack, local names in the runner). */
export interface ResourceRefs {
  table: { name: string; arn: string; streamArn: string };
  bucket: { name: string; arn: string };
  queues: Record<QueueName, { url: string; arn: string }>;
  topics: Record<TopicName, { arn: string }>;
  /**
   * Where each key comes from: the one ward key parameter for every key (shared/security/secrets.ts). `reference` is
   * what a function's environment carries: the parameter's name in the stack, `file:<path>` locally; `arn` is the
   * parameter's ARN, which the grant names.
   */
  secrets: Record<SecretName, { reference: string; arn: string }>;
  /** Each portal's webhook secret, by portal id: the portals with a status webhook only. */
  portalSecrets: Record<string, { reference: string; arn: string }>;
}

/** Where the functions are, for those that invoke others: names and ARNs (tokens in the stack). */
export type FunctionRefs = Record<FunctionName, { name: string; arn: string }>;

/** One IAM statement (Allow): the shape of a CDK PolicyStatement's props and of the local access check. */
export interface Grant {
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string[]>>;
}

/** The objects a function may touch in the document bucket: uploads live under this prefix. */
export const DOCUMENT_OBJECTS = 'dossiers/*';

const READ_TABLE = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_ACTIONS: Record<NonNullable<FunctionSpec['table']>, string[]> = {
  probe: ['dynamodb:GetItem'],
  read: READ_TABLE,
  readPutUpdate: [...READ_TABLE, 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  readWrite: [
    ...READ_TABLE,
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};
// The bucket is versioned and every upload event names its version, so the check reads and deletes exactly that
// version; S3 authorises a request naming a version by the *Version actions.
const BUCKET_ACTIONS: Record<NonNullable<FunctionSpec['bucket']>, string[]> = {
  signTransfers: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'],
  checkUploads: ['s3:GetObjectVersion', 's3:DeleteObjectVersion'],
};

const specOf = (name: FunctionName): FunctionSpec<QueueName, SecretName, TopicName> => functions[name];

/** A function's timeout and memory: the blueprint's, or Lambda's defaults as the stack sets them. */
export function functionLimits(name: FunctionName): { timeoutSeconds: number; memoryMb: number } {
  const spec = specOf(name);
  return { timeoutSeconds: spec.timeoutSeconds ?? 10, memoryMb: spec.memoryMb ?? 512 };
}

/** The variables that tell a function where its resources are: only those it declares. */
export function functionEnvironment(name: FunctionName, refs: ResourceRefs): Record<string, string> {
  const spec = specOf(name);
  return {
    ...(spec.table ? { [env.tableName]: refs.table.name } : {}),
    ...(spec.bucket ? { [env.bucketName]: refs.bucket.name } : {}),
    ...Object.fromEntries((spec.sends ?? []).map((queue) => [env.queueUrl(queue), refs.queues[queue].url])),
    ...Object.fromEntries((spec.publishes ?? []).map((topic) => [env.topicArn(topic), refs.topics[topic].arn])),
    ...Object.fromEntries((spec.secrets ?? []).map((secret) => [env.secret(secret), refs.secrets[secret].reference])),
    ...(spec.portalSecrets
      ? {
          [env.portalSecrets]: JSON.stringify(
            Object.fromEntries(Object.entries(refs.portalSecrets).map(([portal, s]) => [portal, s.reference])),
          ),
        }
      : {}),
  };
}

/** Whose tokens are staff's: the user pool's issuer and the staff app client (locally, the local issuer's). */
export interface StaffTokens {
  issuer: string;
  clientId: string;
}

/** The variables of the function that checks tokens (none for the others). */
export function tokenCheckEnvironment(name: FunctionName, staff: StaffTokens): Record<string, string> {
  return specOf(name).checksTokens ? { [env.staffIssuer]: staff.issuer, [env.staffClient]: staff.clientId } : {};
}

/** What the function's own code may do: the statements its role gets from the blueprint. */
export function functionGrants(name: FunctionName, refs: ResourceRefs): Grant[] {
  const spec = specOf(name);
  const grants: Grant[] = [];
  if (spec.table) grants.push({ actions: TABLE_ACTIONS[spec.table], resources: [refs.table.arn] });
  if (spec.writesOnly?.length) {
    // Writes only to items whose partition key starts with one of these prefixes, and nothing else.
    grants.push({
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [refs.table.arn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': spec.writesOnly.map((prefix) => `${prefix}*`) },
      },
    });
  }
  if (spec.scansTable) grants.push({ actions: ['dynamodb:Scan'], resources: [refs.table.arn] });
  if (spec.queriesIndexes) {
    // Named indexes, not index/*: the function may query these and no index added later.
    grants.push({
      actions: ['dynamodb:Query'],
      resources: table.indexes.map((index) => `${refs.table.arn}/index/${index.name}`),
    });
  }
  if (spec.bucket) {
    grants.push({ actions: BUCKET_ACTIONS[spec.bucket], resources: [`${refs.bucket.arn}/${DOCUMENT_OBJECTS}`] });
  }
  if (spec.sends?.length) {
    grants.push({ actions: ['sqs:SendMessage'], resources: spec.sends.map((queue) => refs.queues[queue].arn) });
  }
  if (spec.publishes?.length) {
    grants.push({ actions: ['sns:Publish'], resources: spec.publishes.map((topic) => refs.topics[topic].arn) });
  }
  if (spec.secrets?.length) {
    grants.push({
      // The one ward key parameter, however many keys the function derives from it. Its SecureString is decrypted
      // under the AWS managed key aws/ssm, whose key policy allows SSM's calls for the account: no kms grant.
      actions: ['ssm:GetParameter'],
      resources: [...new Set(spec.secrets.map((secret) => refs.secrets[secret].arn))],
    });
  }
  const portalSecrets = Object.values(refs.portalSecrets);
  if (spec.portalSecrets && portalSecrets.length > 0) {
    // Each portal's own parameter, decrypted under aws/ssm as the ward key is: no kms grant.
    grants.push({ actions: ['ssm:GetParameter'], resources: portalSecrets.map((s) => s.arn) });
  }
  return grants;
}

/** The functions `name` invokes asynchronously (asyncInvocations). */
const targetsOf = (name: FunctionName): FunctionName[] =>
  asyncInvocations.filter((i) => i.caller === name).map((i) => i.target);

/** The variables naming the functions a function invokes: only those it may invoke. */
export function invocationEnvironment(name: FunctionName, fns: FunctionRefs): Record<string, string> {
  return Object.fromEntries(targetsOf(name).map((target) => [env.functionName(target), fns[target].name]));
}

/** lambda:InvokeFunction on exactly the functions the blueprint says it invokes (the unqualified ARN only). */
export function invocationGrants(name: FunctionName, fns: FunctionRefs): Grant[] {
  const targets = targetsOf(name);
  return targets.length > 0
    ? [{ actions: ['lambda:InvokeFunction'], resources: targets.map((target) => fns[target].arn) }]
    : [];
}

/** How a function invoked asynchronously is retried and where its failed events go (its EventInvokeConfig). */
export interface AsyncTarget {
  function: AsyncTargetName;
  retryAttempts: number;
  maxEventAgeSeconds: number;
  onFailure: QueueName;
}

export const asyncTargetSettings: readonly AsyncTarget[] = (Object.keys(asyncTargets) as AsyncTargetName[]).map(
  (name): AsyncTarget => ({ function: name, ...asyncTargets[name] }),
);

export const asyncTargetOf = (name: FunctionName): AsyncTarget | undefined =>
  asyncTargetSettings.find((t) => t.function === name);

/** DynamoDB Streams keep a record 24 hours; an older one is skipped (and described on the on-failure queue). */
const STREAM_MAX_RECORD_AGE_SECONDS = 24 * 3600;

/** How a stream consumer is fed: the event source mapping's settings, the same in the stack and locally. */
export interface StreamSource {
  function: FunctionName;
  batchSize: number;
  maxRetries: number;
  maxRecordAgeSeconds: number;
  bisectBatchOnError: boolean;
  reportBatchItemFailures: boolean;
  /** Where records go (described, not copied) when their retries or their age run out. */
  onFailure: QueueName;
  filters: readonly EventFilterPattern[];
  /** Seconds of the tumbling window, when the consumer has one (its events name their shard). */
  tumblingWindowSeconds?: number | undefined;
}

const declaredStreamConsumers: readonly StreamConsumerSpec<FunctionName>[] = streamConsumers;

export const streamSources: readonly StreamSource[] = declaredStreamConsumers.map(
  (consumer): StreamSource => ({
    function: consumer.function,
    batchSize: consumer.batchSize,
    maxRetries: consumer.maxRetries,
    maxRecordAgeSeconds: STREAM_MAX_RECORD_AGE_SECONDS,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    onFailure: 'streamFailures',
    filters: consumer.filters ?? [],
    ...(consumer.tumblingWindowSeconds ? { tumblingWindowSeconds: consumer.tumblingWindowSeconds } : {}),
  }),
);

/**
 * What the event source mappings add to a function's role (CDK adds these itself when the stack wires them):
 * reading the stream and sending to its on-failure queue, receiving and deleting from its queue, or sending to the
 * on-failure queue of its asynchronous invocations. The function's
 * code holds these permissions too, so the local runner grants them as well.
 */
export function eventSourceGrants(name: FunctionName, refs: ResourceRefs): Grant[] {
  const grants: Grant[] = [];
  for (const source of streamSources.filter((s) => s.function === name)) {
    grants.push(
      { actions: ['dynamodb:ListStreams'], resources: ['*'] },
      {
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [refs.table.streamArn],
      },
      {
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        resources: [refs.queues[source.onFailure].arn],
      },
    );
  }
  // What CDK's SQS on-failure destination grants the function's role (Lambda sends as the function).
  const target = asyncTargetOf(name);
  if (target) {
    grants.push({
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resources: [refs.queues[target.onFailure].arn],
    });
  }
  for (const consumer of queueConsumers.filter((c) => c.function === name)) {
    grants.push({
      actions: [
        'sqs:ReceiveMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueUrl',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
      ],
      resources: [refs.queues[consumer.queue].arn],
    });
  }
  return grants;
}

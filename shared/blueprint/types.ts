import type * as z from 'zod';
import type { Access } from '../http/auth.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A zod schema of shared/api, loaded on first use: a function's bundle builds the schemas of its own routes only
 * (the HTTP stack loads them at init), and no function but the OpenAPI document's builds a response's.
 */
export type LazySchema<S extends z.ZodType = z.ZodType> = () => Promise<S>;

export interface ResponseSpec {
  description: string;
  schema?: LazySchema;
  /** Response headers worth documenting (ETag, Location…). */
  headers?: Record<string, string>;
  /**
   * Media types the answer also comes in besides JSON (the default), chosen by the request's Accept header; an
   * Accept that allows none of them nor JSON is answered 406. Only a 200's are negotiated.
   */
  formats?: readonly string[];
}

export interface RouteSpec<
  Fn extends string = string,
  Params extends LazySchema = LazySchema,
  Query extends LazySchema = LazySchema,
  Headers extends LazySchema = LazySchema,
  Body extends LazySchema = LazySchema,
> {
  function: Fn;
  access: Access;
  summary: string;
  description?: string;
  tag: string;
  params?: Params;
  query?: Query;
  headers?: Headers;
  body?: Body;
  responses: Record<number, ResponseSpec>;
  /** A route's own throttle at the API (stage route settings), tighter than the stage's default. */
  throttle?: { ratePerSecond: number; burst: number };
}

export interface TableIndexSpec {
  name: string;
  partitionKey: string;
  sortKey: string;
  /**
   * What an index entry holds besides the table's and the index's keys: `keys` nothing (KEYS_ONLY), a list those
   * top-level attributes (INCLUDE). Never ALL: every write of an item is also a write of each index entry, billed
   * at the entry's size, so an entry holds only what the queries on the index read.
   */
  projection: 'keys' | readonly string[];
}

export interface TableSpec {
  partitionKey: string;
  sortKey: string;
  /** Attribute holding an epoch-seconds expiry; DynamoDB deletes the item after it. */
  timeToLive: string;
  indexes: readonly TableIndexSpec[];
}

export interface QueueSpec {
  fifo: boolean;
  /** Lambda's event source mapping wants at least six times the function timeout. */
  visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the queue's dead-letter queue. */
  maxReceiveCount: number;
  description: string;
}

export interface SecretSpec {
  description: string;
}

export interface TopicSpec {
  description: string;
}

export interface FunctionSpec<
  Queue extends string = string,
  Secret extends string = string,
  Topic extends string = string,
> {
  description: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  /**
   * Access to the table: none, a single-item probe (GetItem only), read, read, put and update items but never delete
   * (new upload records, a reuse marking its component), or read and write.
   */
  table?: 'probe' | 'read' | 'readPutUpdate' | 'readWrite';
  /** Whether the function scans the whole table (the report rebuild, which reads every dossier and counter). */
  scansTable?: boolean;
  /** Whether the function queries the table's indexes (worklists, the deadline watch). */
  queriesIndexes?: boolean;
  /**
   * Access to the documents under dossiers/ in the bucket: `signTransfers` signs upload URLs (s3:PutObject)
   * and download URLs of verified documents (s3:GetObject, s3:GetObjectVersion for the version that was verified);
   * `checkUploads` reads the uploaded version and deletes it when refused (s3:GetObjectVersion, s3:DeleteObjectVersion).
   */
  bucket?: 'signTransfers' | 'checkUploads';
  /** Queues the function sends to. */
  sends?: readonly Queue[];
  /** SNS topics the function publishes to. */
  publishes?: readonly Topic[];
  /** Whether the function reads the webhook secret of each portal that takes status changes (portalWebhookSecret). */
  portalSecrets?: boolean;
  /** Secrets the function reads (once per cold start). */
  secrets?: readonly Secret[];
  /**
   * With `table: 'read'`: partition-key prefixes of the only items the function may also write
   * (IAM's dynamodb:LeadingKeys), e.g. the public lookup's attempt counters.
   */
  writesOnly?: readonly string[];
  /** Concurrent executions reserved for the function, which also caps it (a public route's blast radius). */
  reservedConcurrency?: number;
  /** The API's authorizer: it gets the user pool's issuer and the staff app client's id. */
  checksTokens?: boolean;
}

/**
 * A Lambda event filter pattern (the JSON of FilterCriteria), matched against a record as Lambda hands it to the
 * function: `{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['dossier'] } } } }`.
 */
export type EventFilterPattern = { readonly [field: string]: EventFilterPattern | readonly unknown[] };

export interface StreamConsumerSpec<Fn extends string = string> {
  function: Fn;
  batchSize: number;
  /** Retries of a failing batch before its records go to the stream-failures queue. */
  maxRetries: number;
  /** Only records matching one of these reach the function (none: every record). */
  filters?: readonly EventFilterPattern[];
  /**
   * A tumbling window (seconds, at most 900): the events then name their shard (`shardId`), which a consumer
   * keeping a checkpoint per shard needs, and carry a `state` the function must hand back.
   */
  tumblingWindowSeconds?: number;
}

export interface QueueConsumerSpec<Fn extends string = string, Queue extends string = string> {
  function: Fn;
  queue: Queue;
  batchSize: number;
}

export interface BucketNotificationSpec<Fn extends string = string> {
  /** Objects created under this prefix are announced to the function, invoked asynchronously by S3. */
  prefix: string;
  function: Fn;
}

/** One function handing events to another by an asynchronous invocation (InvocationType Event). */
export interface AsyncInvocationSpec<Fn extends string = string> {
  caller: Fn;
  target: Fn;
}

/** How Lambda handles the asynchronous invocations of a function (its EventInvokeConfig). */
export interface AsyncTargetSpec<Queue extends string = string> {
  /** Attempts after a failed first one (Lambda: 0 to 2), about 1 then 2 minutes apart. */
  retryAttempts: number;
  /** An event not run by then is dropped to the on-failure queue (Lambda: 60 s to 6 h). */
  maxEventAgeSeconds: number;
  /** Where Lambda puts an event it gave up on (a record of it, the payload included). */
  onFailure: Queue;
}

/**
 * A schedule: on a rate (`everyMinutes`), or once a day at a wall-clock time of the ward's time zone (`dailyAt`,
 * HH:mm), which EventBridge Scheduler runs with the ward's zone and the local scheduler from the same zone.
 */
export type ScheduleSpec<Fn extends string = string> = {
  name: string;
  function: Fn;
  description: string;
} & ({ everyMinutes: number; dailyAt?: never } | { dailyAt: `${number}:${number}`; everyMinutes?: never });

import type * as z from 'zod';
import type { Access } from './http/auth.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Response headers worth documenting (ETag, Location…). */
  headers?: Record<string, string>;
}

export interface RouteSpec<
  Fn extends string = string,
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Headers extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
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
}

export interface TableIndexSpec {
  name: string;
  partitionKey: string;
  sortKey: string;
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

export interface FunctionSpec<Queue extends string = string> {
  description: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  /** Access to the table: none, a single-item probe (GetItem only), read, or read and write. */
  table?: 'probe' | 'read' | 'readWrite';
  /** Whether the function queries the table's indexes (worklists, the deadline watch). */
  queriesIndexes?: boolean;
  /** Access to the documents under dossiers/ in the bucket (write: signing upload URLs). */
  bucket?: 'read' | 'write' | 'readWrite';
  /** Queues the function sends to. */
  sends?: readonly Queue[];
}

export interface StreamConsumerSpec<Fn extends string = string> {
  function: Fn;
  batchSize: number;
  /** Retries of a failing batch before its records go to the stream-failures queue. */
  maxRetries: number;
}

export interface QueueConsumerSpec<Fn extends string = string, Queue extends string = string> {
  function: Fn;
  queue: Queue;
  batchSize: number;
}

export interface BucketNotificationSpec<Queue extends string = string> {
  /** Objects created under this prefix are announced on the queue. */
  prefix: string;
  queue: Queue;
}

export interface ScheduleSpec<Fn extends string = string> {
  name: string;
  function: Fn;
  everyMinutes: number;
  description: string;
}

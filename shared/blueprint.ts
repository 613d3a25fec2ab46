/**
 * The one declaration of what a ward instance is made of: the table and its indexes, the queues and
 * their dead-letter queues, the functions and what each may touch, the HTTP routes with their access
 * rules and schemas, the stream and queue consumers, the bucket notifications and the schedules.
 * The CDK stack (infra/) and the local runner (local/) both read it, so the two cannot drift.
 */
import { problem } from './api/common.ts';
import { healthSchema } from './api/health.ts';
import type {
  BucketNotificationSpec,
  FunctionSpec,
  QueueConsumerSpec,
  QueueSpec,
  RouteSpec,
  ScheduleSpec,
  StreamConsumerSpec,
  TableSpec,
} from './blueprint-types.ts';
import { PUBLIC } from './http/auth.ts';

export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLive: 'expiresAt',
  indexes: [
    // Open dossiers by status, soonest due first: worklists and the deadline watch.
    { name: 'byStatusDue', partitionKey: 'listStatus', sortKey: 'dueSort' },
    // Dossiers by status, newest first.
    { name: 'byStatusFiled', partitionKey: 'listStatus', sortKey: 'filedSort' },
    // Every dossier, soonest due or newest first, for a worklist without a status.
    { name: 'allByDue', partitionKey: 'listAll', sortKey: 'dueSort' },
    { name: 'allByFiled', partitionKey: 'listAll', sortKey: 'filedSort' },
  ],
} as const satisfies TableSpec;

export const queues = {
  alerts: {
    fifo: false,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    description: 'Deadline alerts (due soon, overdue) waiting to be delivered to officers and leaders',
  },
  uploads: {
    fifo: false,
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    description: 'S3 notifications of uploaded dossier documents waiting to be verified',
  },
  portalSync: {
    fifo: true,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 8,
    description: 'Status changes of online dossiers, in order per dossier, waiting to be sent to their portal',
  },
  streamFailures: {
    fifo: false,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    description: 'Table stream batches a consumer could not process after its retries (on-failure destination)',
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof queues;

export const functions = {
  health: { description: 'Answers GET /health', memoryMb: 256 },
  openapi: { description: 'Serves the OpenAPI 3.1 document generated from the zod schemas', memoryMb: 512 },
  'deadline-watch': {
    description: 'Finds open dossiers due soon or overdue and queues alerts',
    timeoutSeconds: 60,
    table: 'read',
    sends: ['alerts'],
  },
  'alert-dispatch': { description: 'Delivers deadline alerts to the ward inbox', timeoutSeconds: 30, table: 'readWrite' },
  'document-verify': {
    description: 'Verifies uploaded dossier documents (type, size, checksum) and records them as digitised',
    timeoutSeconds: 60,
    memoryMb: 1024,
    table: 'readWrite',
    bucket: 'read',
  },
  'report-aggregator': {
    description: 'Keeps the report counters from the table stream, exactly once per stream record',
    timeoutSeconds: 60,
    table: 'readWrite',
  },
  'portal-notifier': {
    description: 'Turns status changes of online dossiers into ordered portal-sync messages',
    timeoutSeconds: 30,
    sends: ['portalSync'],
  },
  'portal-sync': {
    description: "Sends a dossier's status changes to the portal it came from",
    timeoutSeconds: 30,
  },
} as const satisfies Record<string, FunctionSpec<QueueName>>;

export type FunctionName = keyof typeof functions;

function route<const R extends RouteSpec<FunctionName>>(spec: R): R {
  return spec;
}

export const routes = {
  'GET /health': route({
    function: 'health',
    access: PUBLIC,
    tag: 'Hệ thống',
    summary: 'Liveness of the ward instance',
    responses: { 200: { description: 'The instance answers', schema: healthSchema } },
  }),
  'GET /openapi.json': route({
    function: 'openapi',
    access: PUBLIC,
    tag: 'Hệ thống',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  }),
} as const;

export type RouteKey = keyof typeof routes;

export const streamConsumers = [
  { function: 'report-aggregator', batchSize: 100, maxRetries: 5 },
  { function: 'portal-notifier', batchSize: 50, maxRetries: 10 },
] as const satisfies readonly StreamConsumerSpec<FunctionName>[];

export const queueConsumers = [
  { function: 'alert-dispatch', queue: 'alerts', batchSize: 10 },
  { function: 'document-verify', queue: 'uploads', batchSize: 5 },
  { function: 'portal-sync', queue: 'portalSync', batchSize: 10 },
] as const satisfies readonly QueueConsumerSpec<FunctionName, QueueName>[];

export const bucketNotifications = [
  { prefix: 'dossiers/', queue: 'uploads' },
] as const satisfies readonly BucketNotificationSpec<QueueName>[];

export const schedules = [
  {
    name: 'deadline-watch',
    function: 'deadline-watch',
    everyMinutes: 15,
    description: 'Every quarter hour: alert on dossiers due within the ward setting (24h) and on overdue ones',
  },
] as const satisfies readonly ScheduleSpec<FunctionName>[];

/** Environment variable names shared by the stack and the local runner. */
export const env = {
  tableName: 'MOTCUA_TABLE_NAME',
  bucketName: 'MOTCUA_BUCKET_NAME',
  queueUrl: (queue: QueueName) => `MOTCUA_QUEUE_URL_${queue.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
} as const;

export const commonProblems = {
  401: { description: 'No valid token (API Gateway answers this before the function runs)' },
  403: problem('The caller’s role or scope does not allow this route'),
  500: problem('Unexpected error; the body carries only a correlation id'),
} as const;

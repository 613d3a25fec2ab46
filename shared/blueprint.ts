/**
 * The one declaration of what a ward instance is made of: the table and its indexes, the queues and
 * their dead-letter queues, the functions and what each may touch, the HTTP routes with their access
 * rules and schemas, the stream and queue consumers, the bucket notifications and the schedules.
 * The CDK stack (infra/) and the local runner (local/) both read it, so the two cannot drift.
 */
import { alertsQuery, alertsView } from './api/alerts.ts';
import { catalogQuery, catalogView, procedureParams, procedureView } from './api/catalog.ts';
import { problem } from './api/common.ts';
import { uploadParams, uploadRequest, uploadTicket } from './api/documents.ts';
import {
  actionHeaders,
  actionResultView,
  dossierCodeParams,
  dossierView,
  historyView,
  intakeHeaders,
  publicLookupQuery,
  publicStatusView,
  receiptView,
  worklistQuery,
  worklistView,
} from './api/dossiers.ts';
import { healthSchema } from './api/health.ts';
import { reportQuery, reportView } from './api/reports.ts';
import type {
  BucketNotificationSpec,
  FunctionSpec,
  QueueConsumerSpec,
  QueueSpec,
  RouteSpec,
  ScheduleSpec,
  SecretSpec,
  StreamConsumerSpec,
  TableSpec,
} from './blueprint-types.ts';
import { intakeSchema } from './domain/intake.ts';
import { actionSchema } from './domain/workflow.ts';
import { type Access, PUBLIC } from './http/auth.ts';

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

/**
 * Keys held outside the table (Secrets Manager in the stack, a file in the local data folder), so a copy of the
 * table alone can neither forge client tokens nor test receipt PINs.
 */
export const secrets = {
  signing: { description: 'HMAC key signing the ETags and worklist cursors handed to clients' },
  pin: { description: 'HMAC key hashing receipt PINs and deriving the PIN a retried filing gets back' },
} as const satisfies Record<string, SecretSpec>;

export type SecretName = keyof typeof secrets;

export const functions = {
  health: { description: 'Answers GET /health: whether the table answers', memoryMb: 256, table: 'probe' },
  openapi: { description: 'Serves the OpenAPI 3.1 document generated from the zod schemas', memoryMb: 512 },
  catalog: { description: 'Serves the procedure catalog (public, as the law requires)' },
  'dossier-intake': {
    description: 'Files dossiers from portals and the counter, issuing codes and receipts',
    table: 'readWrite',
    secrets: ['signing', 'pin'],
  },
  'dossier-actions': {
    description: 'Moves dossiers through the legal workflow, one transaction per action',
    table: 'readWrite',
    secrets: ['signing'],
  },
  'dossier-read': {
    description: 'Dossiers, worklists and control slips for staff and the filing portal',
    table: 'read',
    queriesIndexes: true,
    secrets: ['signing'],
  },
  'public-lookup': {
    description: 'Status of a dossier for the citizen holding its receipt PIN',
    table: 'read',
    // Its only writes: the per-code counters of failed PIN attempts.
    writesOnly: ['LOOKUP#'],
    secrets: ['pin'],
    reservedConcurrency: 5,
  },
  'deadline-watch': {
    description: 'Finds open dossiers due soon or overdue and queues alerts',
    timeoutSeconds: 60,
    table: 'read',
    queriesIndexes: true,
    sends: ['alerts'],
  },
  'alert-dispatch': {
    description: 'Delivers deadline alerts to the ward inbox',
    timeoutSeconds: 30,
    table: 'readWrite',
  },
  'document-upload': {
    description: 'Signs upload URLs for the components of a dossier',
    table: 'readPut',
    bucket: 'signUploads',
  },
  reports: {
    description: 'Figures of a period from the day counters: received, online, on time, digitised, fees',
    table: 'read',
  },
  alerts: { description: "Shows staff the deadline alerts of their roles' inboxes", table: 'read' },
  'document-verify': {
    description: 'Verifies uploaded dossier documents (type, size, checksum) and records them as digitised',
    timeoutSeconds: 60,
    memoryMb: 1024,
    table: 'readWrite',
    bucket: 'checkUploads',
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
} as const satisfies Record<string, FunctionSpec<QueueName, SecretName>>;

export type FunctionName = keyof typeof functions;

const STAFF_OR_PORTAL_READ: Access = { roles: ['officer', 'specialist', 'leader'], scopes: ['dossiers.read'] };

function route<const R extends RouteSpec<FunctionName>>(spec: R): R {
  return spec;
}

export const routes = {
  'GET /health': route({
    function: 'health',
    access: PUBLIC,
    tag: 'Hệ thống',
    summary: 'Health of the ward instance: whether its table answers',
    description:
      'The function reads one item of the table, with a short timeout. `checks` names each dependency probed.',
    responses: {
      200: {
        description: 'The instance and its table answer',
        schema: healthSchema,
        headers: { 'Cache-Control': 'no-store' },
      },
      503: {
        ...problem(
          'The table did not answer in time: the problem names the ward and carries `checks` with `table: "failing"`',
        ),
        headers: { 'Retry-After': 'Seconds to wait before asking again' },
      },
    },
  }),
  'GET /openapi.json': route({
    function: 'openapi',
    access: PUBLIC,
    tag: 'Hệ thống',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  }),
  'GET /procedures': route({
    function: 'catalog',
    access: PUBLIC,
    tag: 'Thủ tục',
    summary: 'The procedure catalog, by field and online level',
    query: catalogQuery,
    responses: {
      200: { description: 'Procedures and their fields', schema: catalogView },
      400: problem('A filter is not valid'),
    },
  }),
  'GET /procedures/{code}': route({
    function: 'catalog',
    access: PUBLIC,
    tag: 'Thủ tục',
    summary: 'One procedure: time, fee, online level, components',
    params: procedureParams,
    responses: {
      200: { description: 'The procedure', schema: procedureView },
      400: problem('Not a procedure code'),
      404: problem('No such procedure'),
    },
  }),
  'POST /dossiers': route({
    function: 'dossier-intake',
    access: { roles: ['officer'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'File a dossier (online from a portal, in person or by post at the counter)',
    description:
      'A portal files `online` dossiers, which wait as `submitted` for the one-stop officer; an officer files `in_person` or `postal` ones, received at once with their due date. The answer is the receipt (form 01) with the lookup PIN, shown only here.',
    headers: intakeHeaders,
    body: intakeSchema,
    responses: {
      201: {
        description: 'Filed; the receipt',
        schema: receiptView,
        headers: { Location: 'The dossier', ETag: 'Its version, for If-Match' },
      },
      400: problem('A field is not valid (each named, with its rule)'),
      415: problem('The body is not JSON'),
      422: problem(
        'Mandatory components are missing (listed), a payment breaks a rule of the fee (named), or the Idempotency-Key was used for another body',
      ),
    },
  }),
  'GET /dossiers': route({
    function: 'dossier-read',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'Worklist: filter by status, field, assignee, channel, due date; newest or soonest due first',
    description: 'A portal sees only the dossiers it filed.',
    query: worklistQuery,
    responses: {
      200: { description: 'A page of dossiers', schema: worklistView },
      400: problem('A filter or the cursor is not valid'),
    },
  }),
  'GET /dossiers/{code}': route({
    function: 'dossier-read',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'A dossier, with what the caller may do next',
    params: dossierCodeParams,
    responses: {
      200: {
        description: 'The dossier',
        schema: dossierView,
        headers: { ETag: 'Send it back in If-Match with an action' },
      },
      404: problem('No such dossier (or not one this portal filed)'),
    },
  }),
  'GET /dossiers/{code}/history': route({
    function: 'dossier-read',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'The control slip (form 06): every hand-over and decision',
    params: dossierCodeParams,
    responses: { 200: { description: 'The control slip', schema: historyView }, 404: problem('No such dossier') },
  }),
  'POST /dossiers/{code}/actions': route({
    function: 'dossier-actions',
    access: { roles: ['officer', 'specialist', 'leader'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'Take a workflow action: accept, refuse, assign, transfer, request_supplement, … apologize',
    description:
      'Send the ETag you read in If-Match. Each action is allowed from some statuses to some roles; a portal may record a payment, hand in a supplement or withdraw for its own dossiers.',
    params: dossierCodeParams,
    headers: actionHeaders,
    body: actionSchema,
    responses: {
      200: {
        description: 'Done; the new state and the control-slip row',
        schema: actionResultView,
        headers: { ETag: 'The new version' },
      },
      400: problem('A field is not valid'),
      403: problem(
        'The role may never take this action (or not in this status), or the dossier is assigned to someone else',
      ),
      404: problem('No such dossier'),
      409: problem('Not allowed in the current status; names the status and the actions allowed now'),
      412: problem('The dossier changed since the ETag was read; carries the current version'),
      422: problem(
        'Incomplete dossier; assignee or department not in the staff directory; a payment that is not the fee, online without its transaction, an exemption without its legal basis (each naming the field and rule); payment already recorded; apology too late or already issued',
      ),
      428: problem('If-Match is missing'),
    },
  }),
  'POST /dossiers/{code}/components/{component}/upload-url': route({
    function: 'document-upload',
    access: { roles: ['officer', 'specialist'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'Get a URL to upload the scan or file of one component (số hóa)',
    description:
      'A portal may upload for the dossiers it filed; once a dossier is assigned, a specialist only for one it holds. The URL takes one file, exactly the declared one. It is checked after upload: a match marks the component digitised; anything else is deleted, and the reason kept in the upload’s own record (uploadId), not on the dossier.',
    params: uploadParams,
    body: uploadRequest,
    responses: {
      201: { description: 'Where and how to PUT the file', schema: uploadTicket },
      400: problem('A field is not valid'),
      403: problem('A specialist, for a dossier assigned to someone else'),
      404: problem('No such dossier (or not one this portal filed)'),
      409: problem('The dossier is finished: no more documents'),
      422: problem('The dossier has no such component'),
    },
  }),
  'GET /alerts': route({
    function: 'alerts',
    access: { roles: ['officer', 'specialist', 'leader'] },
    tag: 'Hồ sơ',
    summary: 'Deadline alerts for the caller’s roles: dossiers due within 24 hours and overdue ones, newest first',
    query: alertsQuery,
    responses: { 200: { description: 'The alerts', schema: alertsView }, 400: problem('The limit is not valid') },
  }),
  'GET /reports': route({
    function: 'reports',
    access: { roles: ['officer', 'leader'] },
    tag: 'Báo cáo',
    summary: 'The figures of a period for the ward, a field or a procedure',
    description:
      'Received by channel, refused at intake, online share and rates, resolved early / on time / late and the on-time rate, other outcomes, apologies, digitisation rate, fee-bearing dossiers and online payment. Each event counts on the day it happened in the ward’s time zone.',
    query: reportQuery,
    responses: {
      200: { description: 'The figures', schema: reportView },
      400: problem('The period or scope is not valid'),
    },
  }),
  'GET /public/dossiers/{code}': route({
    function: 'public-lookup',
    access: PUBLIC,
    tag: 'Tra cứu',
    summary: 'Status of a dossier for the citizen, with the PIN of the receipt',
    description:
      'Nothing personal is returned. An unknown code and a wrong PIN get the same answer. At most five attempts per code in 15 minutes, counted for unknown codes too; a right PIN gives its attempt back.',
    params: dossierCodeParams,
    query: publicLookupQuery,
    responses: {
      200: { description: 'The status', schema: publicStatusView },
      400: problem('The PIN is not 8 digits'),
      404: problem('No dossier with this code and PIN'),
      429: problem('Five wrong PINs for this code within 15 minutes (known or not): wait for Retry-After'),
    },
    // Citizens look up a dossier now and then; a script guessing PINs across codes is held here first.
    throttle: { ratePerSecond: 10, burst: 20 },
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
  /** The secret's ARN in the stack; `file:<path>` locally. */
  secret: (secret: SecretName) => `MOTCUA_SECRET_${secret.toUpperCase()}`,
} as const;

export const commonProblems = {
  401: { description: 'No valid token (API Gateway answers this before the function runs)' },
  403: problem('The caller’s role or scope does not allow this route'),
  500: problem('Unexpected error; the body carries only a correlation id'),
} as const;

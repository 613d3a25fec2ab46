/**
 * The blueprint, part one: what a ward instance is made of. The table and its indexes, the queues and their
 * dead-letter queues, the keys, the functions and what each may touch, the stream and queue consumers, the
 * bucket notifications and the schedules. The CDK stack (infra/) and the local runner (local/) both read it, so the
 * two cannot drift. No zod here: every function bundle imports this file, and a stream consumer carries no HTTP
 * schema. The routes are part two (routes.ts).
 */
import type {
  AsyncInvocationSpec,
  AsyncTargetSpec,
  BucketNotificationSpec,
  FunctionSpec,
  QueueConsumerSpec,
  QueueSpec,
  ScheduleSpec,
  SecretSpec,
  StreamConsumerSpec,
  TableSpec,
  TopicSpec,
} from './types.ts';

/**
 * What a worklist page reads of a dossier (shared/api/views.ts worklistItemOf, and the filters of
 * shared/adapters/dossier-store.ts listDossiers): the fields it shows, those its ETag signs (the workflow state) and
 * those it filters on. The list indexes hold these and no more, so an entry costs one write unit where the whole
 * item cost two or more: no applicant beyond the name, no components beyond their codes, no PIN hash.
 */
export const dossierSummaryAttributes = [
  'code',
  'version',
  'status',
  'procedure',
  'processingMinutes',
  'channel',
  'portalId',
  'applicantName',
  'componentCodes',
  'fee',
  'filedAt',
  'receivedAt',
  'dueAt',
  'assignee',
  'department',
  'supplement',
  'timing',
  'apologizedAt',
] as const;

/** What the deliveries list shows of a delivery (shared/api/deliveries.ts); never the body it sends. */
export const deliveryListAttributes = [
  'code',
  'version',
  'portalId',
  'status',
  'state',
  'attempts',
  'createdAt',
  'activatedAt',
  'nextAttemptAt',
  'lastAttemptAt',
  'lastError',
  'failedAt',
] as const;

export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLive: 'expiresAt',
  indexes: [
    // Open dossiers by status, soonest due first: worklists.
    { name: 'byStatusDue', partitionKey: 'listStatus', sortKey: 'dueSort', projection: dossierSummaryAttributes },
    // Dossiers by status, newest first.
    { name: 'byStatusFiled', partitionKey: 'listStatus', sortKey: 'filedSort', projection: dossierSummaryAttributes },
    // Every dossier, soonest due or newest first, for a worklist without a status.
    { name: 'allByDue', partitionKey: 'listAll', sortKey: 'dueSort', projection: dossierSummaryAttributes },
    { name: 'allByFiled', partitionKey: 'listAll', sortKey: 'filedSort', projection: dossierSummaryAttributes },
    // Sparse: alert schedules with an alert still to come, by level, soonest due first (the deadline watch reads
    // the code and due date of each).
    { name: 'byAlertDue', partitionKey: 'alertLevel', sortKey: 'dueSort', projection: ['code', 'dueAt'] },
    // Sparse: the status deliveries to portals that are due, each dossier's next one only, soonest first (portal-sync
    // reads the code and sends what is due of that dossier, in order).
    { name: 'byDeliveryDue', partitionKey: 'deliveryDue', sortKey: 'dueSort', projection: ['code'] },
    // Sparse: deliveries pending or failed, oldest first, for staff (GET /deliveries).
    { name: 'byDeliveryState', partitionKey: 'deliveryState', sortKey: 'listSort', projection: deliveryListAttributes },
  ],
} as const satisfies TableSpec;

export const queues = {
  portalSync: {
    fifo: true,
    // Six times portal-sync's timeout, as Lambda asks of a queue it polls.
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 8,
    description:
      'Status changes of online dossiers just recorded as deliveries: portal-sync sends each at once (the table keeps them until delivered)',
  },
  streamFailures: {
    fifo: false,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    description: 'Table stream batches a consumer could not process after its retries (on-failure destination)',
  },
  invokeFailures: {
    fifo: false,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    description:
      'Asynchronous invocations (uploads to verify, alerts to deliver) that failed all their attempts or grew too old (on-failure destination)',
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof queues;

/** SNS topics: the ward's deadline alerts and daily digest, to the e-mail subscriptions of its configuration. */
export const topics = {
  alerts: { description: 'Deadline alerts and the daily digest, in Vietnamese, to the ward and to each assignee' },
} as const satisfies Record<string, TopicSpec>;

export type TopicName = keyof typeof topics;

/**
 * Keys held outside the table (one SSM SecureString parameter in the stack, one file in the local data folder), so a
 * copy of the table alone can neither forge client tokens nor test receipt PINs. Both keys come from the one ward key
 * (shared/security/secrets.ts derives them). A standard parameter costs nothing, where a Secrets Manager secret cost
 * US$0.40 a month; CloudFormation cannot create a SecureString without its value in the template, so a deploy-time
 * function of our own creates it (infra/constructs/ward-key.ts; DEVELOPERS.md weighs the options).
 */
export const secrets = {
  signing: { description: 'HMAC key signing the ETags and worklist cursors handed to clients' },
  pin: { description: 'HMAC key hashing receipt PINs and deriving the PIN a retried filing gets back' },
} as const satisfies Record<string, SecretSpec>;

/** The one parameter both keys come from. */
export const wardKey = {
  description:
    'The ward key: receipt PINs are hashed under it, and the key signing ETags and cursors is derived from it',
  parameterName: (wardId: string) => `/motcua/${wardId}/ward-key`,
  /** The type of the custom resource that creates it, by which the bench finds it in the template. */
  resourceType: 'Custom::WardKeyParameter',
} as const;

export type SecretName = keyof typeof secrets;

/**
 * The secret a portal's status changes are signed with (shared/security/webhook-signature.ts): an SSM SecureString
 * per portal taking them, `whsec_…`, two while the portal rolls it over. The stack creates this one with the ward
 * key's generator unless the portal's configuration names a parameter of its own (`statusWebhookSecret`).
 */
export const portalWebhookSecret = {
  parameterName: (wardId: string, portalId: string) => `/motcua/${wardId}/portals/${portalId}/webhook-secret`,
} as const;

export const functions = {
  authorizer: {
    description: "Checks the bearer token of every protected request: a staff token of the pool, or a portal's own",
    memoryMb: 256,
    checksTokens: true,
  },
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
    // Its only writes: the per-code counters of failed PIN attempts, and the one rating of a returned dossier.
    writesOnly: ['LOOKUP#', 'RATING#'],
    secrets: ['pin'],
    reservedConcurrency: 5,
  },
  'public-feedback': {
    description: 'Takes citizen feedback (PAKN) without an account, and shows its sender its progress by code and PIN',
    table: 'read',
    // Its only writes: new feedback items with their first step and alert schedule, and the filing and PIN counters.
    writesOnly: ['FEEDBACK#', 'ALERT#', 'LIMIT#', 'LOOKUP#'],
    secrets: ['pin'],
    reservedConcurrency: 2,
  },
  feedback: {
    description: 'Moves citizen feedback (PAKN) through its workflow for staff: accept, refuse, ask, resolve, publish',
    table: 'read',
    writesOnly: ['FEEDBACK#', 'ALERT#'],
    queriesIndexes: true,
    secrets: ['signing'],
  },
  'deadline-watch': {
    description: 'Finds open dossiers due soon or overdue and hands their alerts to alert-dispatch',
    timeoutSeconds: 60,
    table: 'read',
    // Its only writes: moving alert schedules on to their next level.
    writesOnly: ['ALERT#'],
    queriesIndexes: true,
  },
  'alert-dispatch': {
    description: 'Delivers deadline alerts to the ward inbox and by e-mail (the alerts topic)',
    timeoutSeconds: 30,
    table: 'readWrite',
    publishes: ['alerts'],
  },
  'deadline-digest': {
    description: "Each morning: the leaders' digest of dossiers due today, due soon and overdue, by department",
    timeoutSeconds: 60,
    table: 'read',
    queriesIndexes: true,
    publishes: ['alerts'],
  },
  'document-upload': {
    description: 'Lists the documents of a dossier, signs upload URLs for its components and records reuses',
    table: 'readPutUpdate',
    bucket: 'signTransfers',
  },
  reports: {
    description: 'Figures of a period from the day counters: received, online, on time, digitised, fees',
    table: 'read',
  },
  alerts: {
    description: "Shows staff the deadline alerts of their roles' inboxes and the deadlines digest",
    table: 'read',
    queriesIndexes: true,
  },
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
  'report-rebuild': {
    description:
      'Invoked by hand: recounts every report counter from the dossiers, lists the differences, corrects them on request',
    // A whole-table scan, twice when it writes: the longest run Lambda allows, and room for the day counters.
    timeoutSeconds: 900,
    memoryMb: 1024,
    table: 'read',
    scansTable: true,
    // Its only writes: corrections of the day counters.
    writesOnly: ['REPORT#'],
  },
  'portal-notifier': {
    description: 'Records each status change of an online dossier as a delivery to its portal, and announces it',
    timeoutSeconds: 30,
    table: 'read',
    // Its only writes: the deliveries.
    writesOnly: ['DELIVERY#'],
    sends: ['portalSync'],
  },
  'portal-sync': {
    description: "Sends a dossier's status changes to the portal it came from, signed, in order, retried for days",
    // Sized on the time one delivery may take (functions/portal-sync/handler.ts says how).
    timeoutSeconds: 60,
    table: 'read',
    writesOnly: ['DELIVERY#'],
    queriesIndexes: true,
    portalSecrets: true,
  },
  deliveries: {
    description: 'Shows staff the pending and failed deliveries to portals, and sends failed ones again',
    table: 'read',
    writesOnly: ['DELIVERY#'],
    queriesIndexes: true,
    secrets: ['signing'],
  },
} as const satisfies Record<string, FunctionSpec<QueueName, SecretName, TopicName>>;

export type FunctionName = keyof typeof functions;

/**
 * What both stream consumers want: changes of dossier items (pk DOSSIER#<code>, sk DOSSIER), never the table's
 * own counters, checkpoints, markers, schedules, inboxes, slip rows or uploads (docs/data-model.md). The aggregator
 * reads ratings and feedback items besides; the portal notifier nothing else.
 */
const dossierItemChanges = { dynamodb: { Keys: { pk: { S: [{ prefix: 'DOSSIER#' }] }, sk: { S: ['DOSSIER'] } } } };
/** What the report aggregator reads besides: ratings (pk RATING#<code>) and feedback items (pk FEEDBACK#<code>). */
const ratingItemChanges = { dynamodb: { Keys: { pk: { S: [{ prefix: 'RATING#' }] }, sk: { S: ['RATING'] } } } };
const feedbackItemChanges = { dynamodb: { Keys: { pk: { S: [{ prefix: 'FEEDBACK#' }] }, sk: { S: ['FEEDBACK'] } } } };

export const streamConsumers = [
  // The tumbling window is there for the shard's id in each event: the counters' checkpoint is per shard.
  {
    function: 'report-aggregator',
    batchSize: 100,
    maxRetries: 5,
    filters: [dossierItemChanges, ratingItemChanges, feedbackItemChanges],
    tumblingWindowSeconds: 900,
  },
  { function: 'portal-notifier', batchSize: 50, maxRetries: 10, filters: [dossierItemChanges] },
] as const satisfies readonly StreamConsumerSpec<FunctionName>[];

/**
 * Queues a function's event source mapping polls. Lambda's pollers long-poll an idle queue all month (about 15
 * ReceiveMessage calls a minute each), so only the FIFO portal-sync queue, which keeps order per dossier, is polled;
 * uploads and alerts go by asynchronous invocation (asyncInvocations, bucketNotifications).
 */
export const queueConsumers = [
  { function: 'portal-sync', queue: 'portalSync', batchSize: 10 },
] as const satisfies readonly QueueConsumerSpec<FunctionName, QueueName>[];

/** S3 invokes the function asynchronously for each object created under the prefix. */
export const bucketNotifications = [
  { prefix: 'dossiers/', function: 'document-verify' },
] as const satisfies readonly BucketNotificationSpec<FunctionName>[];

/** Which function invokes which asynchronously: the caller's role may invoke that function and no other. */
export const asyncInvocations = [
  { caller: 'deadline-watch', target: 'alert-dispatch' },
] as const satisfies readonly AsyncInvocationSpec<FunctionName>[];

/**
 * The functions invoked asynchronously (by S3 or by another function), and what Lambda does with an event that
 * fails: two more attempts, then a record of it on the invoke-failures queue, which nothing polls and an alarm
 * watches. Six hours at most in Lambda's internal queue (its longest): an upload still unchecked, or an alert whose
 * schedule has moved on, then needs a person, whom the alarm calls.
 */
export const asyncTargets = {
  'document-verify': { retryAttempts: 2, maxEventAgeSeconds: 6 * 3600, onFailure: 'invokeFailures' },
  'alert-dispatch': { retryAttempts: 2, maxEventAgeSeconds: 6 * 3600, onFailure: 'invokeFailures' },
} as const satisfies Partial<Record<FunctionName, AsyncTargetSpec<QueueName>>>;

export type AsyncTargetName = keyof typeof asyncTargets;

export const schedules = [
  {
    name: 'deadline-watch',
    function: 'deadline-watch',
    everyMinutes: 15,
    description: 'Every quarter hour: alert on dossiers due within the ward setting (24h) and on overdue ones',
  },
  {
    name: 'deadline-digest',
    function: 'deadline-digest',
    dailyAt: '07:00',
    description: "At 7:00 ward time: the leaders' digest of dossiers due today, due soon and overdue",
  },
  {
    name: 'portal-sync',
    function: 'portal-sync',
    everyMinutes: 1,
    description: 'Every minute: send the deliveries to portals that are due (retries, and what a first try left)',
  },
] as const satisfies readonly ScheduleSpec<FunctionName>[];

/**
 * The metric portal-sync counts a delivery failed past the ward's horizon in (Powertools' EMF: its namespace and
 * `service` dimension, shared/observability.ts), which the stack's alarm watches.
 */
export const PORTAL_DELIVERY_METRIC = {
  namespace: 'motcua',
  service: 'motcua',
  failed: 'portalDeliveriesFailed',
} as const;

/** Environment variable names shared by the stack and the local runner. */
export const env = {
  tableName: 'MOTCUA_TABLE_NAME',
  bucketName: 'MOTCUA_BUCKET_NAME',
  queueUrl: (queue: QueueName) => `MOTCUA_QUEUE_URL_${queue.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
  /** The name of a function the function invokes asynchronously (asyncInvocations). */
  functionName: (fn: string) => `MOTCUA_FUNCTION_${fn.replace(/-/g, '_').toUpperCase()}`,
  topicArn: (topic: TopicName) => `MOTCUA_TOPIC_ARN_${topic.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
  /**
   * The ward key parameter's name in the stack (`file:<path>` locally), under the name of the key the function may
   * derive from it: a function given no variable for a key does not derive it.
   */
  secret: (secret: SecretName) => `MOTCUA_SECRET_${secret.toUpperCase()}`,
  /** Where each portal's webhook secret is, as JSON `{ portalId: reference }` (parameter name, or `file:<path>`). */
  portalSecrets: 'MOTCUA_PORTAL_SECRETS',
  /** The user pool's issuer URL, whose tokens are staff's (locally, the local issuer's). */
  staffIssuer: 'MOTCUA_STAFF_ISSUER',
  /** The staff app client's id: the only client whose tokens are staff. */
  staffClient: 'MOTCUA_STAFF_CLIENT',
} as const;

/**
 * The blueprint, part one: what a ward instance is made of. The table and its indexes, the queues and their
 * dead-letter queues, the secrets, the functions and what each may touch, the stream and queue consumers, the
 * bucket notifications and the schedules. The CDK stack (infra/) and the local runner (local/) both read it, so the
 * two cannot drift. No zod here: every function bundle imports this file, and a stream consumer carries no HTTP
 * schema. The routes are part two (routes.ts).
 */
import type {
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
    // Sparse: alert schedules with an alert still to come, by level, soonest due first (the deadline watch).
    { name: 'byAlertDue', partitionKey: 'alertLevel', sortKey: 'dueSort' },
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

/** SNS topics: the ward's deadline alerts and daily digest, to the e-mail subscriptions of its configuration. */
export const topics = {
  alerts: { description: 'Deadline alerts and the daily digest, in Vietnamese, to the ward and to each assignee' },
} as const satisfies Record<string, TopicSpec>;

export type TopicName = keyof typeof topics;

/**
 * Keys held outside the table (one Secrets Manager secret in the stack, one file in the local data folder), so a copy
 * of the table alone can neither forge client tokens nor test receipt PINs. Both keys come from the one ward secret
 * (shared/security/secrets.ts derives them): a second secret would cost US$0.40 a month for a separation IAM could
 * only draw at the secret, and SSM SecureString parameters, though free, cannot be created by CloudFormation without
 * their value in the template, so they would need a deploy-time function of our own holding ssm:PutParameter
 * (DEVELOPERS.md weighs the three).
 */
export const secrets = {
  signing: { description: 'HMAC key signing the ETags and worklist cursors handed to clients' },
  pin: { description: 'HMAC key hashing receipt PINs and deriving the PIN a retried filing gets back' },
} as const satisfies Record<string, SecretSpec>;

/** The one secret both keys come from. */
export const wardSecret = {
  description:
    'The ward key: receipt PINs are hashed under it, and the key signing ETags and cursors is derived from it',
} as const;

export type SecretName = keyof typeof secrets;

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
    // Its only writes: the per-code counters of failed PIN attempts.
    writesOnly: ['LOOKUP#'],
    secrets: ['pin'],
    reservedConcurrency: 5,
  },
  'deadline-watch': {
    description: 'Finds open dossiers due soon or overdue and queues alerts',
    timeoutSeconds: 60,
    table: 'read',
    // Its only writes: moving alert schedules on to their next level.
    writesOnly: ['ALERT#'],
    queriesIndexes: true,
    sends: ['alerts'],
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
    description: 'Signs upload URLs for the components of a dossier',
    table: 'readPut',
    bucket: 'signUploads',
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
  'portal-notifier': {
    description: 'Turns status changes of online dossiers into ordered portal-sync messages',
    timeoutSeconds: 30,
    sends: ['portalSync'],
  },
  'portal-sync': {
    description: "Sends a dossier's status changes to the portal it came from",
    timeoutSeconds: 30,
  },
} as const satisfies Record<string, FunctionSpec<QueueName, SecretName, TopicName>>;

export type FunctionName = keyof typeof functions;

/**
 * What both stream consumers want: changes of dossier items (pk DOSSIER#<code>, sk DOSSIER), never the table's
 * own counters, checkpoints, markers, schedules, inboxes, slip rows or uploads (docs/data-model.md).
 */
const dossierItemChanges = { dynamodb: { Keys: { pk: { S: [{ prefix: 'DOSSIER#' }] }, sk: { S: ['DOSSIER'] } } } };

export const streamConsumers = [
  // The tumbling window is there for the shard's id in each event: the counters' checkpoint is per shard.
  {
    function: 'report-aggregator',
    batchSize: 100,
    maxRetries: 5,
    filters: [dossierItemChanges],
    tumblingWindowSeconds: 900,
  },
  { function: 'portal-notifier', batchSize: 50, maxRetries: 10, filters: [dossierItemChanges] },
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
  {
    name: 'deadline-digest',
    function: 'deadline-digest',
    dailyAt: '07:00',
    description: "At 7:00 ward time: the leaders' digest of dossiers due today, due soon and overdue",
  },
] as const satisfies readonly ScheduleSpec<FunctionName>[];

/** Environment variable names shared by the stack and the local runner. */
export const env = {
  tableName: 'MOTCUA_TABLE_NAME',
  bucketName: 'MOTCUA_BUCKET_NAME',
  queueUrl: (queue: QueueName) => `MOTCUA_QUEUE_URL_${queue.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
  topicArn: (topic: TopicName) => `MOTCUA_TOPIC_ARN_${topic.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
  /**
   * The ward secret's ARN in the stack (`file:<path>` locally), under the name of the key the function may derive
   * from it: a function given no variable for a key does not derive it.
   */
  secret: (secret: SecretName) => `MOTCUA_SECRET_${secret.toUpperCase()}`,
  /** The user pool's issuer URL, whose tokens are staff's (locally, the local issuer's). */
  staffIssuer: 'MOTCUA_STAFF_ISSUER',
  /** The staff app client's id: the only client whose tokens are staff. */
  staffClient: 'MOTCUA_STAFF_CLIENT',
} as const;

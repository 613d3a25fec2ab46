/**
 * The monthly bill of a ward instance: pure functions of a workload, the figures the benchmark measured and the
 * list prices below. Nothing here reads a clock, a file or the network.
 *
 * Region: us-east-1 (US East, N. Virginia). A ward deploys to ap-southeast-1 (Singapore, the region nearest Viet
 * Nam), but these are the list prices this model can cite exactly; Singapore's are the same for Lambda and up
 * to about a quarter higher for DynamoDB, API Gateway, CloudWatch and S3. Swap PRICES for Singapore's
 * and the model follows.
 */

export const REGION = 'us-east-1';

export interface Price {
  usd: number;
  unit: string;
  /** The date the price took effect (or was last confirmed on the page), as the source gives it. */
  asOf: string;
  source: string;
}

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const COGNITO = 'https://aws.amazon.com/cognito/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const SNS = 'https://aws.amazon.com/sns/pricing/';
const SSM = 'https://aws.amazon.com/systems-manager/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';

/** us-east-1 list prices. */
export const PRICES = {
  lambdaArmGbSecond: { usd: 0.0000133334, unit: 'GB-second, arm64', asOf: '2022-10-01 (tiers)', source: LAMBDA },
  lambdaRequest: { usd: 0.2 / 1e6, unit: 'request', asOf: '2021-09-29', source: LAMBDA },
  dynamoWriteUnit: { usd: 0.625 / 1e6, unit: 'write request unit', asOf: '2024-11-01', source: DYNAMODB },
  dynamoReadUnit: { usd: 0.125 / 1e6, unit: 'read request unit', asOf: '2024-11-01', source: DYNAMODB },
  dynamoStorageGbMonth: { usd: 0.25, unit: 'GB-month, Standard table class', asOf: '2024-11-01', source: DYNAMODB },
  dynamoBackupGbMonth: { usd: 0.2, unit: 'GB-month, point-in-time recovery', asOf: '2024-11-01', source: DYNAMODB },
  s3Put: { usd: 0.005 / 1000, unit: 'PUT, COPY, POST or LIST request, S3 Standard', asOf: '2023-12-01', source: S3 },
  s3Get: { usd: 0.0004 / 1000, unit: 'GET or other request, S3 Standard', asOf: '2023-12-01', source: S3 },
  s3StandardGbMonth: { usd: 0.023, unit: 'GB-month, S3 Standard, first 50 TB', asOf: '2023-12-01', source: S3 },
  s3StandardIaGbMonth: { usd: 0.0125, unit: 'GB-month, S3 Standard-IA', asOf: '2023-12-01', source: S3 },
  s3IaTransition: {
    usd: 0.01 / 1000,
    unit: 'lifecycle transition request into Standard-IA',
    asOf: '2023-12-01',
    source: S3,
  },
  sqsStandardRequest: {
    usd: 0.4 / 1e6,
    unit: 'request (64 KB chunk), standard queue',
    asOf: '2024-01-01',
    source: SQS,
  },
  sqsFifoRequest: { usd: 0.5 / 1e6, unit: 'request (64 KB chunk), FIFO queue', asOf: '2024-01-01', source: SQS },
  httpApiRequest: {
    usd: 1.0 / 1e6,
    unit: 'HTTP API request, first 300 million',
    asOf: '2020-03-12',
    source: API_GATEWAY,
  },
  cognitoLiteMau: { usd: 0.0055, unit: 'monthly active user, Lite plan', asOf: '2024-11-22', source: COGNITO },
  logsIngestGb: { usd: 0.5, unit: 'GB of logs ingested (Standard class)', asOf: '2023-11-26', source: CLOUDWATCH },
  logsStorageGbMonth: { usd: 0.03, unit: 'GB-month of logs stored', asOf: '2023-11-26', source: CLOUDWATCH },
  customMetricMonth: { usd: 0.3, unit: 'custom metric-month, first 10,000', asOf: '2023-11-26', source: CLOUDWATCH },
  alarmMonth: { usd: 0.1, unit: 'standard-resolution alarm metric-month', asOf: '2023-11-26', source: CLOUDWATCH },
  secretMonth: { usd: 0.4, unit: 'secret-month', asOf: '2023-01-01', source: SECRETS },
  secretsApiCall: { usd: 0.05 / 10_000, unit: 'API call', asOf: '2023-01-01', source: SECRETS },
  // Parameter Store: standard parameters and standard-throughput API calls carry no charge; advanced ones do.
  parameterStandardMonth: { usd: 0, unit: 'standard parameter-month', asOf: '2023-01-01', source: SSM },
  parameterAdvancedMonth: { usd: 0.05, unit: 'advanced parameter-month', asOf: '2023-01-01', source: SSM },
  parameterStandardApiCall: { usd: 0, unit: 'API call, standard throughput', asOf: '2023-01-01', source: SSM },
  // A SecureString read under the AWS managed key aws/ssm is one KMS Decrypt request (the key itself is free).
  kmsRequest: { usd: 0.03 / 10_000, unit: 'symmetric key request', asOf: '2024-05-01', source: KMS },
  snsPublish: { usd: 0.5 / 1e6, unit: 'publish (64 KB chunk)', asOf: '2023-01-01', source: SNS },
  snsEmail: { usd: 2.0 / 100_000, unit: 'e-mail notification', asOf: '2023-01-01', source: SNS },
} as const satisfies Record<string, Price>;

export type Prices = { [K in keyof typeof PRICES]: Price };

/**
 * The always-free tiers: permanent, unlike the 12-month trial offers, and monthly. They are per account (under
 * AWS Organizations' consolidated billing, one set for the whole organization), so wards sharing an account or an
 * organization share one set: the bill of a ward alone in its account is the one with them (the targets are judged
 * on it); the bill without them is a ward's share once others have used them up.
 */
export const FREE_TIERS = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  dynamoStorageGb: 25,
  sqsRequests: 1_000_000,
  /** Cognito's Lite and Essentials plans: 10,000 monthly active users of a user pool, not only the first year. */
  cognitoMau: 10_000,
  logsGb: 5,
  customMetrics: 10,
  alarms: 10,
  snsPublishes: 1_000_000,
  snsEmails: 1_000,
  kmsRequests: 20_000,
} as const;

/** Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB. */
export const FULL_VCPU_MB = 1769;

/** How much longer CPU-bound work takes in Lambda than on one core of the measuring machine, at this memory. */
export const cpuScale = (memoryMb: number) => Math.max(1, FULL_VCPU_MB / memoryMb);

/** Lambda bills duration in whole milliseconds, rounded up per invocation. */
export const billedMs = (ms: number) => Math.ceil(ms);

/** Usage beyond a free allowance (never negative). */
export const beyond = (used: number, free: number) => Math.max(0, used - free);

/** A function as the stack deploys it and as the benchmark measured it. */
export interface FunctionProfile {
  memoryMb: number;
  /** Measured handler time of one invocation on this machine, before scaling to Lambda's CPU share. */
  durationMs: number;
  /** Measured import time of its bundle (the init phase, billed since 2025-08-01). */
  initMs: number;
  /** Log bytes one invocation writes (its own lines and EMF metrics; the platform's lines are added). */
  logBytes: number;
  /** Ward key parameters it reads (and KMS decrypts) at each cold start. */
  secrets: number;
}

/** One kind of request or event of a month, with what one of them uses. */
export interface Operation {
  name: string;
  perMonth: number;
  /** The function it invokes (once each). */
  function?: string;
  /** It arrives through the HTTP API. */
  api?: boolean;
  /** On a protected route: the Lambda authorizer runs for those requests its cached answers do not cover. */
  authorized?: boolean;
  readUnits?: number;
  writeUnits?: number;
  s3Puts?: number;
  s3Gets?: number;
  sqsRequests?: number;
  sqsFifoRequests?: number;
}

/** What the stack is made of, from the synthesized template, and the run's observed custom metrics. */
export interface Inventory {
  alarms: number;
  /** Secrets Manager secrets (none since the ward key became a parameter). */
  secrets: number;
  /** SSM parameters by tier: the ward key is one standard parameter. */
  parameters: { standard: number; advanced: number };
  /** Queues an event source mapping polls (idle or not). */
  polledQueues: { standard: number; fifo: number };
  customMetrics: number;
  staffUsers: number;
}

/** A synthesized template's resources, by logical id. */
export type TemplateResources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/**
 * What of the bill the synthesized template fixes: its alarms, secrets, SSM parameters and the queues its event
 * source mappings poll. `parameterResourceTypes` are the custom resources that each create one standard parameter
 * (the ward key's generator); an AWS::SSM::Parameter names its own tier.
 */
export function templateInventory(
  template: TemplateResources,
  parameterResourceTypes: readonly string[],
): Pick<Inventory, 'alarms' | 'secrets' | 'parameters' | 'polledQueues'> {
  const resources = Object.values(template);
  const count = (test: (r: (typeof resources)[number]) => boolean) => resources.filter(test).length;
  const polled = resources
    .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
    .map((r) => (r.Properties?.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0])
    .map((id) => (id ? template[id] : undefined))
    .filter((r) => r?.Type === 'AWS::SQS::Queue');
  const fifo = polled.filter((q) => q!.Properties?.FifoQueue === true).length;
  const advanced = (r: (typeof resources)[number]) =>
    r.Type === 'AWS::SSM::Parameter' && r.Properties?.Tier === 'Advanced';
  return {
    alarms: count((r) => r.Type === 'AWS::CloudWatch::Alarm'),
    secrets: count((r) => r.Type === 'AWS::SecretsManager::Secret'),
    parameters: {
      standard: count(
        (r) => parameterResourceTypes.includes(r.Type) || (r.Type === 'AWS::SSM::Parameter' && !advanced(r)),
      ),
      advanced: count(advanced),
    },
    polledQueues: { standard: polled.length - fifo, fifo },
  };
}

export interface Assumptions {
  /** ReceiveMessage calls per minute an event source mapping makes on an idle queue (long polling). */
  idleReceivesPerMinutePerQueue: number;
  /** Cold starts of a function in a month, at most (one per quarter hour of office time). */
  coldStartsCap: number;
  /** Bytes of the platform's own log lines per invocation (JSON format: start and report records). */
  platformLogBytes: number;
  /** Months the log groups keep logs (the stack's retention). */
  logRetentionMonths: number;
  /** Share of protected requests an authorizer answer API Gateway cached (per token and route) lets through. */
  authorizerCacheHitRatio: number;
  /** SNS publishes (alarm notifications) a month, each one e-mail. */
  alarmNotifications: number;
  /** Table and backup storage after a year of operation. */
  tableGb: number;
}

export interface BillLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface Bill {
  lines: BillLine[];
  byService: Record<string, number>;
  total: number;
  /** The service that costs most, and its share of the total. */
  dominant: { service: string; usd: number; share: number };
  invocations: Record<string, number>;
}

const MINUTES_PER_MONTH = 30 * 24 * 60;

/** The blueprint's function that API Gateway's Lambda authorizer invokes. */
export const AUTHORIZER = 'authorizer';

/**
 * The month's bill. `freeTier` applies the always-free tiers (a ward alone in its account and organization);
 * `functions` holds every function the operations invoke, the blueprint's `authorizer` among them.
 */
export function monthlyBill(
  operations: readonly Operation[],
  functions: Record<string, FunctionProfile>,
  inventory: Inventory,
  assumptions: Assumptions,
  options: { freeTier: boolean; prices?: Prices } = { freeTier: false },
): Bill {
  const p = options.prices ?? PRICES;
  const free = (amount: number) => (options.freeTier ? amount : 0);
  const lines: BillLine[] = [];
  const add = (service: string, item: string, quantity: number, price: Price, billable = quantity) =>
    lines.push({ service, item, quantity, unit: price.unit, usd: billable * price.usd });

  // Lambda: every operation's function, and the authorizer for the protected requests its cache does not answer.
  const invocations: Record<string, number> = {};
  for (const op of operations) {
    if (op.function) invocations[op.function] = (invocations[op.function] ?? 0) + op.perMonth;
    if (op.authorized)
      invocations[AUTHORIZER] =
        (invocations[AUTHORIZER] ?? 0) + op.perMonth * (1 - assumptions.authorizerCacheHitRatio);
  }
  let gbSeconds = 0;
  let requests = 0;
  let logBytes = 0;
  let coldStartKeyReads = 0;
  for (const [name, count] of Object.entries(invocations)) {
    const profile = functions[name];
    if (!profile) throw new Error(`no profile for function ${name}`);
    const scale = cpuScale(profile.memoryMb);
    const coldStarts = Math.min(count, assumptions.coldStartsCap);
    const ms = count * billedMs(profile.durationMs * scale) + coldStarts * billedMs(profile.initMs * scale);
    gbSeconds += (ms / 1000) * (profile.memoryMb / 1024);
    requests += count;
    logBytes += count * (profile.logBytes + assumptions.platformLogBytes);
    coldStartKeyReads += coldStarts * profile.secrets;
  }
  add('Lambda', 'requests', requests, p.lambdaRequest, beyond(requests, free(FREE_TIERS.lambdaRequests)));
  add(
    'Lambda',
    'duration (init included)',
    gbSeconds,
    p.lambdaArmGbSecond,
    beyond(gbSeconds, free(FREE_TIERS.lambdaGbSeconds)),
  );

  // DynamoDB on demand: the request units each operation consumed, and the table with its backups.
  const readUnits = operations.reduce((sum, op) => sum + op.perMonth * (op.readUnits ?? 0), 0);
  const writeUnits = operations.reduce((sum, op) => sum + op.perMonth * (op.writeUnits ?? 0), 0);
  add('DynamoDB', 'read request units', readUnits, p.dynamoReadUnit);
  add('DynamoDB', 'write request units', writeUnits, p.dynamoWriteUnit);
  add(
    'DynamoDB',
    'table storage (after a year)',
    assumptions.tableGb,
    p.dynamoStorageGbMonth,
    beyond(assumptions.tableGb, free(FREE_TIERS.dynamoStorageGb)),
  );
  add('DynamoDB', 'point-in-time recovery (after a year)', assumptions.tableGb, p.dynamoBackupGbMonth);

  // S3 requests (the documents' storage is priced apart: documentStorage).
  const puts = operations.reduce((sum, op) => sum + op.perMonth * (op.s3Puts ?? 0), 0);
  const gets = operations.reduce((sum, op) => sum + op.perMonth * (op.s3Gets ?? 0), 0);
  add('S3', 'PUT requests', puts, p.s3Put);
  add('S3', 'GET requests', gets, p.s3Get);

  // SQS: messages sent, received and deleted, and the event source mappings' polling of idle queues.
  const idle = (queues: number) => queues * assumptions.idleReceivesPerMinutePerQueue * MINUTES_PER_MONTH;
  const standard = operations.reduce((sum, op) => sum + op.perMonth * (op.sqsRequests ?? 0), 0);
  const fifo = operations.reduce((sum, op) => sum + op.perMonth * (op.sqsFifoRequests ?? 0), 0);
  const standardIdle = idle(inventory.polledQueues.standard);
  const fifoIdle = idle(inventory.polledQueues.fifo);
  // The free million covers standard requests first (the cheaper kind: the smaller saving, the safer estimate).
  const freeSqs = free(FREE_TIERS.sqsRequests);
  const standardBillable = beyond(standard + standardIdle, freeSqs);
  const fifoBillable = beyond(fifo + fifoIdle, beyond(freeSqs, standard + standardIdle));
  add(
    'SQS',
    'standard queues: messages and idle polling',
    standard + standardIdle,
    p.sqsStandardRequest,
    standardBillable,
  );
  add('SQS', 'FIFO queue: messages and idle polling', fifo + fifoIdle, p.sqsFifoRequest, fifoBillable);

  // API Gateway HTTP API.
  const apiRequests = operations.reduce((sum, op) => sum + (op.api ? op.perMonth : 0), 0);
  add('API Gateway', 'HTTP API requests', apiRequests, p.httpApiRequest);

  // Cognito: the staff pool's users, each active every month; portals sign their own tokens (no app client).
  add(
    'Cognito',
    'staff pool MAU (Lite)',
    inventory.staffUsers,
    p.cognitoLiteMau,
    beyond(inventory.staffUsers, free(FREE_TIERS.cognitoMau)),
  );

  // CloudWatch: logs in and kept, custom metrics (EMF), alarms.
  const logsGb = logBytes / 1024 ** 3;
  add('CloudWatch', 'log ingestion', logsGb, p.logsIngestGb, beyond(logsGb, free(FREE_TIERS.logsGb)));
  add(
    'CloudWatch',
    'log storage (retention, uncompressed)',
    logsGb * assumptions.logRetentionMonths,
    p.logsStorageGbMonth,
  );
  add(
    'CloudWatch',
    'custom metrics',
    inventory.customMetrics,
    p.customMetricMonth,
    beyond(inventory.customMetrics, free(FREE_TIERS.customMetrics)),
  );
  add('CloudWatch', 'alarms', inventory.alarms, p.alarmMonth, beyond(inventory.alarms, free(FREE_TIERS.alarms)));

  // Secrets Manager: any secret the template still holds (the ward key is a parameter now).
  add('Secrets Manager', 'secrets', inventory.secrets, p.secretMonth);
  // Parameter Store: the ward key (standard, free), and each cold start's read of it (standard throughput, free),
  // which KMS bills as one Decrypt request beyond its free 20,000 a month.
  add('SSM Parameter Store', 'standard parameters', inventory.parameters.standard, p.parameterStandardMonth);
  add('SSM Parameter Store', 'advanced parameters', inventory.parameters.advanced, p.parameterAdvancedMonth);
  add('SSM Parameter Store', 'GetParameter calls (cold starts)', coldStartKeyReads, p.parameterStandardApiCall);
  add(
    'KMS',
    'Decrypt requests (cold starts)',
    coldStartKeyReads,
    p.kmsRequest,
    beyond(coldStartKeyReads, free(FREE_TIERS.kmsRequests)),
  );

  // SNS: the alarm topic's notifications.
  add(
    'SNS',
    'publishes',
    assumptions.alarmNotifications,
    p.snsPublish,
    beyond(assumptions.alarmNotifications, free(FREE_TIERS.snsPublishes)),
  );
  add(
    'SNS',
    'e-mail notifications',
    assumptions.alarmNotifications,
    p.snsEmail,
    beyond(assumptions.alarmNotifications, free(FREE_TIERS.snsEmails)),
  );

  const byService: Record<string, number> = {};
  for (const line of lines) byService[line.service] = (byService[line.service] ?? 0) + line.usd;
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  const [service, usd] = Object.entries(byService).sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
  return { lines, byService, total, dominant: { service, usd, share: total > 0 ? usd / total : 0 }, invocations };
}

/**
 * The documents' storage once the bucket holds a year of them: the documents younger than the ward's
 * `infrequentAccessAfterDays` in S3 Standard, the older in Standard-IA (the bucket's lifecycle rule), and the
 * month's transitions. Standard-IA bills at least 128 KB an object; documents are larger. Retrievals of old
 * documents (US$0.01 a GB) are left out: staff rarely reopen a closed dossier's scans.
 */
export function documentStorage(
  documentsPerMonth: number,
  bytesPerDocument: number,
  infrequentAccessAfterDays: number,
  prices: Prices = PRICES,
): { gbAddedPerMonth: number; usdPerMonthAfterAYear: number } {
  const gbAddedPerMonth = (documentsPerMonth * bytesPerDocument) / 1024 ** 3;
  const standardMonths = Math.min(12, infrequentAccessAfterDays / 30);
  const usd =
    gbAddedPerMonth * standardMonths * prices.s3StandardGbMonth.usd +
    gbAddedPerMonth * (12 - standardMonths) * prices.s3StandardIaGbMonth.usd +
    (standardMonths < 12 ? documentsPerMonth * prices.s3IaTransition.usd : 0);
  return { gbAddedPerMonth, usdPerMonthAfterAYear: usd };
}

/** A ward's traffic, in the figures its leaders report. */
export interface Ward {
  name: string;
  dossiersPerQuarter: number;
  /** Share filed online (through a portal). */
  onlineShare: number;
}

/** Kim Liên, 1/7–30/9/2025: 7,399 dossiers received, 5,753 online (DOMAIN.md). */
export const KIM_LIEN: Ward = { name: 'Kim Liên', dossiersPerQuarter: 7399, onlineShare: 5753 / 7399 };

/**
 * What one dossier brings, from the workflow (DOMAIN.md): the requests of each step. Assumptions, not measured:
 * - an online dossier is accepted, assigned, submitted for approval, approved and returned (5 actions); a
 *   counter dossier starts received (4 actions); one in twenty needs a supplement (2 more actions);
 * - staff open the dossier and its worklist about twice per action (2 × actions reads);
 * - the portal reads an online dossier twice, the citizen looks its status up twice;
 * - two components per dossier are uploaded (every dossier is digitised): an upload URL, a PUT, a check;
 * - an online dossier's every version reaches its portal (portal-notifier, then portal-sync);
 * - each dossier goes due-soon once (alerts for officer and leader); none goes overdue.
 */
export const PER_DOSSIER = {
  actionsOnline: 5,
  actionsCounter: 4,
  supplementShare: 0.05,
  actionsPerSupplement: 2,
  staffReadsPerAction: 2,
  portalReadsPerOnlineDossier: 2,
  lookupsPerDossier: 2,
  componentsUploaded: 2,
  bytesPerComponent: 400 * 1024,
  dueSoonAlertsPerDossier: 1,
} as const;

export interface DossierTraffic {
  dossiers: number;
  online: number;
  counter: number;
  actions: number;
  staffReads: number;
  portalReads: number;
  lookups: number;
  uploads: number;
  /** Dossier versions written (filing and actions): the stream records the consumers see. */
  dossierChanges: number;
  /** Of which of online dossiers: what the portal hears about. */
  onlineChanges: number;
}

/** A month of a ward's traffic. */
export function monthlyTraffic(ward: Ward, perDossier = PER_DOSSIER): DossierTraffic {
  const dossiers = ward.dossiersPerQuarter / 3;
  const online = dossiers * ward.onlineShare;
  const counter = dossiers - online;
  const supplements = dossiers * perDossier.supplementShare * perDossier.actionsPerSupplement;
  const onlineActions = online * perDossier.actionsOnline + supplements * ward.onlineShare;
  const actions = onlineActions + counter * perDossier.actionsCounter + supplements * (1 - ward.onlineShare);
  return {
    dossiers,
    online,
    counter,
    actions,
    staffReads: actions * perDossier.staffReadsPerAction,
    portalReads: online * perDossier.portalReadsPerOnlineDossier,
    lookups: dossiers * perDossier.lookupsPerDossier,
    uploads: dossiers * perDossier.componentsUploaded,
    dossierChanges: dossiers + actions,
    onlineChanges: online + onlineActions,
  };
}

/** A ward ten times as busy. */
export const scaled = (ward: Ward, factor: number): Ward => ({
  ...ward,
  name: `${ward.name} ×${factor}`,
  dossiersPerQuarter: ward.dossiersPerQuarter * factor,
});

import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';
import {
  bucketNotifications,
  env,
  type FunctionName,
  functions,
  type QueueName,
  queueConsumers,
  queues,
  schedules,
  type TopicName,
  topics,
} from '../shared/blueprint/resources.ts';
import { asyncTargetSettings, streamSources } from '../shared/blueprint/wiring.ts';
import { alertSubscriptions } from '../shared/config/alert-recipients.ts';
import type { WardConfig } from '../shared/config/ward.ts';
import { installAccessCheck } from './access.ts';
import { type InvokeRetries, LocalAsyncInvocations, startLambdaEndpoint } from './async-invocations.ts';
import { privateDir } from './files.ts';
import { localArns, localFunctionRefs, localResourceRefs, localRuntimes, sharedEnvironment } from './functions.ts';
import { type LocalEndpoint, startHttpGateway } from './http-gateway.ts';
import { processEnvironment } from './invocation.ts';
import { type LocalIssuer, localIssuer, type TokenRequest } from './issuer.ts';
import { LocalLambdas, type LocalLambdasOptions } from './lambda.ts';
import { createLocalTopics, LocalMail } from './mail.ts';
import { PollingLoop } from './poller.ts';
import { QueuePoller, type QueueRetries } from './queue-poller.ts';
import { createLocalResources, type LocalResources } from './resources.ts';
import { S3Notifier } from './s3-notifier.ts';
import { LocalScheduler, type ScheduleName } from './scheduler.ts';
import { localSecrets } from './secrets.ts';
import { LOCAL_AWS, localCredentials } from './services.ts';
import { StreamPoller } from './stream-poller.ts';

export interface LocalWardOptions {
  ward: WardConfig;
  dynamoEndpoint: string;
  fauxqs: FauxqsServer;
  /** Names every table, bucket and queue, so several instances can share the local services. */
  resourcePrefix: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Stream checkpoints and the token signing key; nothing is kept without it. */
  dataDir?: string | undefined;
  pollIntervalMs?: number;
  /** Run schedules on their rate (npm start) or only when triggered (tests). */
  schedules?: 'rate' | 'manual';
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** When a failed queue message is tried again: after the queue's visibility timeout, or `fast` (tests). */
  queueRetries?: QueueRetries;
  /** When a failed asynchronous invocation is tried again: after Lambda's delays (1, then 2 minutes), or `fast`. */
  invokeRetries?: InvokeRetries;
  onRequest?: (line: string) => void;
  log?: (line: string) => void;
  /** The clock the daily schedules follow (tests inject one); the system clock by default. */
  clock?: () => number;
  /**
   * The time the gateway stamps on each request, which its function takes as "now" (received, accepted, resolved
   * at…); the system clock by default. Only the instance `npm run demo` starts sets it, to run a past quarter
   * (scripts/demo/drive.ts `demoRequestClock`); `npm start` never does. Local only: in the stack API Gateway stamps
   * each request with its own time, and nothing there can move it.
   */
  requestClock?: (request: IncomingMessage) => number;
  /** Handlers run in place of functions' own (tests: faults the local services cannot produce). */
  standIns?: LocalLambdasOptions['standIns'];
}

export interface LocalWard {
  url: string;
  /** Whether the gateway listens on a loopback address only; /_local/token answers only then. */
  loopback: boolean;
  resources: LocalResources;
  issuer: LocalIssuer;
  /** Clients pointed at the local services, for tests and scripts. */
  clients: { dynamo: DynamoDBClient; s3: S3Client; sqs: SQSClient };
  token(request: TokenRequest): Promise<string>;
  trigger(schedule: ScheduleName, at?: Date): Promise<unknown>;
  /** Lambda's queue of asynchronous invocations (tests accept events on it as S3 or another function would). */
  invocations: LocalAsyncInvocations;
  /** Runs the daily schedules whose time came on the clock since it was last looked at. */
  runDueSchedules(): Promise<{ name: ScheduleName; at: string }[]>;
  /** The ARNs of the blueprint's topics on fauxqs. */
  topicArns: Record<TopicName, string>;
  /** Waits until streams, queues, bucket notifications and asynchronous invocations have nothing left to hand on. */
  settle(timeoutMs?: number): Promise<void>;
  /** Runs `work` while the pollers rest, so only its own calls reach the services (tests count them). */
  withPollersPaused<T>(work: () => Promise<T>): Promise<T>;
  /** Invokes a function directly with an event of one's own, as `aws lambda invoke` would. */
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
  /** Runs `work` as function `name` runs: its environment in process.env, its grants on every SDK call. */
  runAs<T>(name: FunctionName, work: () => T): T;
  /** The environment function `name` runs with. */
  environmentOf(name: FunctionName): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A ward instance on local services: the resources of the blueprint, the same handlers as the stack,
 * an HTTP API gateway, stream and queue pollers, the S3 notification bridge and the scheduler. Each function runs
 * with its own environment and is held to its own grants (local/invocation.ts, local/access.ts).
 */
export async function startLocalWard(options: LocalWardOptions): Promise<LocalWard> {
  const log = options.log ?? (() => undefined);
  const region = LOCAL_AWS.region;
  const clientConfig = { region, credentials: localCredentials };
  const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: options.dynamoEndpoint });
  const streams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: options.dynamoEndpoint });
  const s3 = new S3Client({ ...clientConfig, endpoint: options.fauxqs.address, forcePathStyle: true });
  const sqs = new SQSClient({ ...clientConfig, endpoint: options.fauxqs.address });
  const sns = new SNSClient({ ...clientConfig, endpoint: options.fauxqs.address });

  const resources = await createLocalResources({ dynamo, s3, sqs }, options.resourcePrefix);
  const topicArns = await createLocalTopics(sns, options.resourcePrefix);
  if (options.dataDir) privateDir(options.dataDir);
  const portals = options.ward.portals.map((p) => p.id);
  const keys = localSecrets(
    options.dataDir,
    options.resourcePrefix,
    options.ward.portals.filter((p) => p.statusWebhookUrl).map((p) => p.id),
  );
  // Stands in for the user pool and for the portals; the ward is served with each portal's local key registered.
  const issuer = await localIssuer({
    issuer: `http://127.0.0.1/${options.resourcePrefix}`,
    ward: options.ward,
    keyFile: options.dataDir ? join(options.dataDir, 'token-signing-key.jwk.json') : undefined,
  });
  const ward = issuer.register(options.ward);

  // Lambda's side of asynchronous invocations: its internal queue, and the Invoke API the functions' client calls.
  const functionNames = new Map(
    Object.values(localFunctionRefs(options.resourcePrefix, region)).flatMap((f, i) => {
      const name = Object.keys(functions)[i] as FunctionName;
      return [
        [f.name, name],
        [f.arn, name],
      ] as const;
    }),
  );
  const invocations = new LocalAsyncInvocations({
    targets: asyncTargetSettings,
    queueUrls: resources.queueUrls,
    functionArn: (name) => localFunctionRefs(options.resourcePrefix, region)[name].arn,
    sqs,
    retries: options.invokeRetries ?? 'as-deployed',
    log,
  });
  const lambdaEndpoint = await startLambdaEndpoint({
    resolve: (name) => functionNames.get(name),
    invocations,
  });

  // What every function shares: the region, the local services and Powertools' settings. What is a function's own
  // (where its table, bucket, queues and keys are) it gets only while it runs, as in the stack.
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: options.fauxqs.address,
    AWS_ENDPOINT_URL_SNS: options.fauxqs.address,
    AWS_ENDPOINT_URL_S3: options.fauxqs.address,
    AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint.url,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: issuer.endpoint,
    MOTCUA_S3_PATH_STYLE: 'true',
    POWERTOOLS_SERVICE_NAME: 'motcua',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_DEV: 'true',
  });
  const functionRefs = localFunctionRefs(options.resourcePrefix, region);
  const runtimes = localRuntimes(
    localResourceRefs(resources, keys.secrets, topicArns, keys.portalSecrets),
    functionRefs,
    sharedEnvironment(ward),
    issuer,
  );
  // Whatever a function's own variables are called, no other function finds them in the shared environment.
  const ownNames = new Set(Object.values(runtimes).flatMap((r) => Object.keys(r.environment)));
  for (const name of Object.keys(queues) as QueueName[]) ownNames.add(env.queueUrl(name));
  for (const name of Object.keys(functions)) ownNames.add(env.functionName(name));
  for (const name of Object.keys(topics) as TopicName[]) ownNames.add(env.topicArn(name));
  for (const name of [env.tableName, env.bucketName, env.portalSecrets, ...Object.keys(keys.env)]) ownNames.add(name);
  installAccessCheck();
  const lambdas = await LocalLambdas.load({
    prefix: options.resourcePrefix,
    runtimes,
    arns: localArns(resources, region, functionRefs, keys.secrets, keys.portalSecrets),
    baseEnvironment: () =>
      Object.fromEntries(
        Object.entries(processEnvironment()).filter(
          (entry): entry is [string, string] => entry[1] !== undefined && !ownNames.has(entry[0]),
        ),
      ),
    ...(options.standIns ? { standIns: options.standIns } : {}),
  });
  const scheduler = new LocalScheduler(lambdas, region, log, {
    timeZone: options.ward.timeZone,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // The alert e-mails: .eml files under the data folder, or the log without one.
  const mail = await LocalMail.start({
    sns,
    sqs,
    prefix: options.resourcePrefix,
    topicArn: topicArns.alerts,
    subscriptions: alertSubscriptions(options.ward),
    dir: options.dataDir ? join(options.dataDir, 'mail') : undefined,
    wardId: options.ward.id,
    log,
  });

  invocations.setLambdas(lambdas);
  const pollers = [
    invocations,
    mail,
    new S3Notifier({
      fauxqs: options.fauxqs,
      bucket: resources.bucketName,
      routes: bucketNotifications,
      s3,
      invocations,
      region,
    }),
    ...streamSources.map(
      (source) =>
        new StreamPoller({
          source,
          streamArn: resources.streamArn,
          streams,
          sqs,
          onFailureQueueUrl: resources.queueUrls[source.onFailure],
          lambdas,
          region,
          checkpointFile: options.dataDir
            ? join(options.dataDir, `stream-checkpoint-${source.function}.json`)
            : undefined,
          log,
        }),
    ),
    ...queueConsumers.map(
      (consumer) =>
        new QueuePoller({
          function: consumer.function,
          queueUrl: resources.queueUrls[consumer.queue],
          queueArn: resources.queueArns[consumer.queue],
          batchSize: consumer.batchSize,
          sqs,
          lambdas,
          region,
          retries: options.queueRetries ?? 'as-deployed',
          log,
        }),
    ),
  ];
  const loop = new PollingLoop(pollers, options.pollIntervalMs ?? 250, log);

  // Set once the gateway listens: tokens are handed out only to callers on this machine.
  let listensOn: { loopback: boolean; host: string } = { loopback: false, host: options.host ?? '127.0.0.1' };
  const localEndpoints: Record<string, LocalEndpoint> = {
    'POST /_local/token': async (_request, body, response) => {
      if (!listensOn.loopback) {
        response.writeHead(403, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            message: `POST /_local/token gives a token to anyone who asks, so it answers only when the instance listens on a loopback address (127.0.0.1 or ::1); this one listens on ${listensOn.host}. Restart it with --host 127.0.0.1 to get tokens here.`,
          }),
        );
        return;
      }
      try {
        const token = await issuer.mint(JSON.parse(body.toString('utf8') || '{}') as TokenRequest);
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token, tokenType: 'Bearer' }));
      } catch (error) {
        response.writeHead(400, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            message: (error as Error).message,
            examples: [{ role: 'officer' }, { role: ['specialist'] }, { portal: portals[0] ?? 'portal-id' }],
          }),
        );
      }
    },
  };
  for (const { name } of schedules) {
    localEndpoints[`POST /_local/schedules/${name}`] = async (_request, _body, response) => {
      const result = await scheduler.trigger(name);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
    };
  }

  const gateway = await startHttpGateway({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    lambdas,
    localEndpoints,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    ...(options.requestClock ? { clock: options.requestClock } : {}),
  });
  listensOn = { loopback: gateway.loopback, host: listensOn.host };
  loop.start();
  if (options.schedules === 'rate') scheduler.start();

  return {
    url: gateway.url,
    loopback: gateway.loopback,
    resources,
    issuer,
    invocations,
    clients: { dynamo, s3, sqs },
    token: (request) => issuer.mint(request),
    trigger: (schedule, at) => scheduler.trigger(schedule, at),
    runDueSchedules: () => scheduler.runDue(),
    topicArns,
    settle: (timeoutMs) => loop.settle(timeoutMs),
    withPollersPaused: (work) => loop.whilePaused(work),
    invoke: (name, event) => lambdas.invoke(name, event),
    runAs: (name, work) => lambdas.as(name, work),
    environmentOf: (name) => lambdas.environmentOf(name),
    async stop() {
      scheduler.stop();
      await gateway.close();
      await loop.stop();
      await lambdaEndpoint.close();
      for (const client of [dynamo, streams, s3, sqs, sns]) client.destroy();
      await issuer.close();
      keys.remove();
    },
  };
}

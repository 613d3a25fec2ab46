import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { env, type FunctionName, type QueueName, type TopicName } from '../blueprint/resources.ts';

/**
 * AWS clients, created once per function instance on first use. Endpoints come from the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables, which the local runner sets to DynamoDB Local and fauxqs, so
 * nothing here knows whether it runs in Lambda or locally.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;
let sqsClient: SQSClient | undefined;
let lambdaClient: LambdaClient | undefined;
let snsClient: SNSClient | undefined;

type Service = 'dynamodb' | 's3' | 'sqs' | 'lambda' | 'sns';
type Client = DynamoDBDocumentClient | S3Client | SQSClient | LambdaClient | SNSClient;
type ClientHook = (client: Client, service: Service) => void;
let clientHook: ClientHook | undefined;

/**
 * Shows the local runner each client made here, those made already included: it adds a check of every call against
 * the invoking function's grants, which IAM makes in the stack. Nothing calls it in Lambda.
 */
export function onClient(hook: ClientHook): void {
  clientHook = hook;
  if (documentClient) hook(documentClient, 'dynamodb');
  if (s3Client) hook(s3Client, 's3');
  if (sqsClient) hook(sqsClient, 'sqs');
  if (lambdaClient) hook(lambdaClient, 'lambda');
  if (snsClient) hook(snsClient, 'sns');
}

function made<C extends Client>(client: C, service: Service): C {
  clientHook?.(client, service);
  return client;
}

export function dynamo(): DynamoDBDocumentClient {
  // A call that hangs must not eat the whole function timeout: give up on it and let the SDK retry.
  documentClient ??= made(
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }),
      {
        marshallOptions: { removeUndefinedValues: true },
      },
    ),
    'dynamodb',
  );
  return documentClient;
}

export function s3(): S3Client {
  s3Client ??= made(
    new S3Client({
      // fauxqs serves buckets by path; AWS prefers virtual-hosted names.
      forcePathStyle: process.env.MOTCUA_S3_PATH_STYLE === 'true',
      // Checksums only where an operation requires one: otherwise a presigned PUT carries the SDK's CRC32 of an
      // empty body, which no real file matches. Uploads are pinned by the SHA-256 we sign and checked by our own
      // hash of the bytes, so the SDK's validation of reads adds nothing.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    's3',
  );
  return s3Client;
}

export function sqs(): SQSClient {
  // Requests go to the configured endpoint, not to the host in the queue URL (fauxqs' URLs name no real host).
  sqsClient ??= made(new SQSClient({ useQueueUrlAsEndpoint: false }), 'sqs');
  return sqsClient;
}

export function lambda(): LambdaClient {
  lambdaClient ??= made(new LambdaClient({}), 'lambda');
  return lambdaClient;
}

export function sns(): SNSClient {
  snsClient ??= made(new SNSClient({}), 'sns');
  return snsClient;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const tableName = () => required(env.tableName);
export const bucketName = () => required(env.bucketName);
export const queueUrl = (queue: QueueName) => required(env.queueUrl(queue));
export const functionName = (fn: FunctionName) => required(env.functionName(fn));
export const topicArn = (topic: TopicName) => required(env.topicArn(topic));

import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FunctionName } from '../shared/blueprint/resources.ts';
import type { LocalLambdas } from './lambda.ts';
import type { Poller } from './poller.ts';

interface QueuePollerOptions {
  function: FunctionName;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  sqs: SQSClient;
  lambdas: Pick<LocalLambdas, 'invoke'>;
  region: string;
  retries: QueueRetries;
  log: (line: string) => void;
}

/**
 * When a message that failed is tried again. `as-deployed`: as Lambda does, once the queue's visibility timeout
 * (the blueprint's) has passed since it was received. `fast` (tests only, they say so when they use it): a second
 * later, so a test can watch a message reach its dead-letter queue after maxReceiveCount receives.
 */
export type QueueRetries = 'as-deployed' | 'fast';

/** How long a failed message stays invisible in `fast` mode. */
export const FAST_RETRY_SECONDS = 1;

/**
 * Feeds a queue's messages to its consumer as SQSEvents, as Lambda's SQS event source mapping with
 * ReportBatchItemFailures does: handled messages are deleted; failed ones (all of them when the function throws or
 * times out) are left alone and come back once their visibility timeout passes, and the queue itself (fauxqs
 * honours the redrive policy the blueprint sets) moves a message to its dead-letter queue once it has been received
 * maxReceiveCount times.
 */
export class QueuePoller implements Poller {
  readonly name: string;
  private readonly options: QueuePollerOptions;

  constructor(options: QueuePollerOptions) {
    this.options = options;
    this.name = `queue → ${options.function}`;
  }

  async pollOnce(): Promise<number> {
    const { sqs, queueUrl } = this.options;
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(this.options.batchSize, 10),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return 0;
    const event: SQSEvent = { Records: messages.map((m) => this.toRecord(m)) };
    let failedIds: Set<string>;
    try {
      const response = (await this.options.lambdas.invoke(this.options.function, event)) as
        | SQSBatchResponse
        | undefined;
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      // An empty or unknown identifier fails the whole batch, as Lambda reads it.
      if ([...failedIds].some((id) => !messages.some((m) => m.MessageId === id)))
        failedIds = new Set(messages.map((m) => m.MessageId!));
    } catch (error) {
      this.options.log(`${this.name} failed: ${(error as Error).message}`);
      failedIds = new Set(messages.map((m) => m.MessageId!));
    }
    const done = messages.filter((m) => !failedIds.has(m.MessageId!));
    const failed = messages.filter((m) => failedIds.has(m.MessageId!));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    if (failed.length > 0 && this.options.retries === 'fast') {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: failed.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle!,
            VisibilityTimeout: FAST_RETRY_SECONDS,
          })),
        }),
      );
    }
    return messages.length;
  }

  private toRecord(message: Message): SQSRecord {
    const system = message.Attributes ?? {};
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: system as unknown as SQSRecord['attributes'],
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType!,
            ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
            ...(value.BinaryValue !== undefined
              ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
              : {}),
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }
}

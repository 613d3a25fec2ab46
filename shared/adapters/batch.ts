import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { FailureResponse, SuccessResponse } from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type {
  Context,
  DynamoDBBatchItemFailure,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { logger, metrics } from '../observability.ts';

/**
 * How the asynchronous functions take a batch of stream records or queue messages, or one asynchronous invocation: Powertools' batch processing
 * with partial failure reports, in one of a few orders, inside the same logger and metrics middleware as every
 * function. A consumer names its order, so the promise it keeps is in its first line.
 *
 * - `in_order`: one record after another, and the first failure stops the batch. That record and every later one
 *   are reported failed without being processed, so the stream retries from the failure and nothing after it is
 *   handled first (what a consumer promising order per dossier needs).
 * - `one_at_a_time`: one record after another; a failure fails its record only. No two records' writes run at
 *   once, so two records touching the same item (a day counter, an alert marker) never race their transactions.
 * - `in_order_per_group` (FIFO queues): one message after another; after a failure the rest of that message
 *   group is returned too, and other groups go on.
 *
 * A stream consumer may also take each batch whole (`streamBatchConsumer`), to write what the whole batch adds up to.
 */

class NotProcessedAfterFailure extends Error {
  constructor() {
    super('not processed: an earlier record of the batch failed');
    this.name = 'NotProcessedAfterFailure';
  }
}

/** Powertools' BatchProcessor, sequential, short-circuited at the first failure (as its FIFO processor is). */
class InOrderBatchProcessor extends BatchProcessor {
  override async process(): Promise<(SuccessResponse | FailureResponse)[]> {
    this.prepare();
    const processed: (SuccessResponse | FailureResponse)[] = [];
    for (const record of this.records) {
      processed.push(
        this.failureMessages.length > 0
          ? this.failureHandler(this.toBatchType(record, this.eventType), new NotProcessedAfterFailure())
          : await this.processRecord(record),
      );
    }
    this.clean();
    return processed;
  }
}

type StreamOrder = 'in_order' | 'one_at_a_time';

export function withInstrumentation<E, R>(handler: (event: E, context: Context) => Promise<R>) {
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

/** A consumer of the table stream. */
export function streamConsumer(order: StreamOrder, handleRecord: (record: DynamoDBRecord) => Promise<void>) {
  const processor =
    order === 'in_order'
      ? new InOrderBatchProcessor(EventType.DynamoDBStreams)
      : new BatchProcessor(EventType.DynamoDBStreams);
  return withInstrumentation((event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, handleRecord, processor, { context, processInParallel: false }),
  );
}

/** A stream event in a tumbling window, as Lambda sends it (aws-lambda's types do not have these fields). */
export interface DynamoDBStreamWindowEvent extends DynamoDBStreamEvent {
  shardId?: string;
  eventSourceARN?: string;
  window?: { start: string; end: string };
  state?: Record<string, unknown>;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
}

/**
 * A consumer of the table stream that takes each batch whole, with the id of the shard it comes from: its event
 * source mapping has a tumbling window, the one way Lambda names the shard. It keeps no state across invocations
 * (it hands back an empty one, which Lambda requires) and reports the records it failed, the first of which the
 * batch is retried from. An event without a shard is refused: the mapping lost its window.
 */
export function streamBatchConsumer(
  handleBatch: (shardId: string, records: DynamoDBRecord[]) => Promise<DynamoDBBatchItemFailure[]>,
) {
  return withInstrumentation(async (event: DynamoDBStreamWindowEvent) => {
    if (!event.shardId)
      throw new Error('a stream batch without its shard id: the event source needs a tumbling window');
    const batchItemFailures = await handleBatch(event.shardId, event.Records);
    return { state: {}, batchItemFailures };
  });
}

/**
 * A function invoked asynchronously (by S3, by another function): one event, no batch to report on. A failure
 * throws, and Lambda retries the whole event (asyncTargets in the blueprint), so the handler must be idempotent.
 */
export function asyncConsumer<E>(handleEvent: (event: E) => Promise<void>) {
  return withInstrumentation(async (event: E) => {
    await handleEvent(event);
  });
}

/** A consumer of a queue. */
export function queueConsumer(
  order: 'one_at_a_time' | 'in_order_per_group',
  handleRecord: (record: SQSRecord) => Promise<void>,
) {
  if (order === 'in_order_per_group') {
    const fifo = new SqsFifoPartialProcessorAsync();
    return withInstrumentation((event: SQSEvent, context: Context) =>
      processPartialResponse(event, handleRecord, fifo, { context, skipGroupOnError: true }),
    );
  }
  const processor = new BatchProcessor(EventType.SQS);
  return withInstrumentation((event: SQSEvent, context: Context) =>
    processPartialResponse(event, handleRecord, processor, { context, processInParallel: false }),
  );
}

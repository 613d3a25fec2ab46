import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { FunctionName } from '../shared/blueprint/resources.ts';
import type { LocalLambdas } from './lambda.ts';
import type { Poller } from './poller.ts';

interface StreamPollerOptions {
  function: FunctionName;
  streamArn: string;
  batchSize: number;
  maxRetries: number;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  onFailureQueueUrl: string;
  lambdas: Pick<LocalLambdas, 'invoke'>;
  region: string;
  checkpointFile?: string | undefined;
  log: (line: string) => void;
}

interface ShardState {
  shard: Shard;
  iterator?: string | undefined;
  /** Sequence number of the last record handled (the checkpoint). */
  checkpoint?: string | undefined;
  closed: boolean;
  retries: number;
}

/**
 * Reads the table's stream from DynamoDB Local and invokes a stream consumer with real DynamoDBStreamEvents,
 * as a Lambda event source mapping with ReportBatchItemFailures does: on a partial failure the checkpoint
 * stops before the first failed record and the batch is retried from there; after `maxRetries` the batch is
 * described on the on-failure queue and skipped. Shards are read parent before child.
 */
export class StreamPoller implements Poller {
  readonly name: string;
  private readonly shards = new Map<string, ShardState>();
  private readonly checkpoints: Record<string, string>;
  private readonly options: StreamPollerOptions;

  constructor(options: StreamPollerOptions) {
    this.options = options;
    this.name = `stream → ${options.function}`;
    this.checkpoints =
      options.checkpointFile && existsSync(options.checkpointFile)
        ? (JSON.parse(readFileSync(options.checkpointFile, 'utf8')) as Record<string, string>)
        : {};
  }

  /** One pass over every readable shard; returns the number of records handed to the function (retries included). */
  async pollOnce(): Promise<number> {
    await this.refreshShards();
    let handled = 0;
    for (const state of this.shards.values()) {
      if (state.closed) continue;
      const parent = state.shard.ParentShardId ? this.shards.get(state.shard.ParentShardId) : undefined;
      if (parent && !parent.closed) continue;
      handled += await this.readShard(state);
    }
    return handled;
  }

  private async refreshShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of page.StreamDescription?.Shards ?? []) {
        if (!this.shards.has(shard.ShardId!)) {
          this.shards.set(shard.ShardId!, {
            shard,
            closed: false,
            retries: 0,
            checkpoint: this.checkpoints[this.checkpointKey(shard.ShardId!)],
          });
        }
      }
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private checkpointKey(shardId: string): string {
    return `${this.options.function}/${shardId}`;
  }

  private async iterator(state: ShardState): Promise<string | undefined> {
    if (state.iterator) return state.iterator;
    const result = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: state.shard.ShardId!,
        ...(state.checkpoint
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.checkpoint }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    state.iterator = result.ShardIterator;
    return state.iterator;
  }

  private async readShard(state: ShardState): Promise<number> {
    const iterator = await this.iterator(state);
    if (!iterator) {
      state.closed = true;
      return 0;
    }
    const page = await this.options.streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }),
    );
    const records = page.Records ?? [];
    if (records.length === 0) {
      state.iterator = page.NextShardIterator;
      if (!page.NextShardIterator) state.closed = true;
      return 0;
    }
    const event: DynamoDBStreamEvent = { Records: records.map((r) => this.toLambdaRecord(r)) };
    const failedAt = await this.invoke(event);
    if (failedAt === undefined) {
      this.advance(state, records.at(-1)!.dynamodb!.SequenceNumber!, page.NextShardIterator);
      state.retries = 0;
      return records.length;
    }
    // Checkpoint before the first failed record; the next pass starts from it again.
    const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
    const firstFailed = Math.max(0, index);
    if (state.retries >= this.options.maxRetries) {
      await this.sendToOnFailure(state, records.slice(firstFailed));
      this.advance(state, records.at(-1)!.dynamodb!.SequenceNumber!, page.NextShardIterator);
      state.retries = 0;
      return records.length;
    }
    state.retries += 1;
    if (firstFailed > 0) this.advance(state, records[firstFailed - 1]!.dynamodb!.SequenceNumber!, undefined);
    state.iterator = undefined;
    return records.length;
  }

  /** Invokes the function; returns the sequence number of the first failed record, if any. */
  private async invoke(event: DynamoDBStreamEvent): Promise<string | undefined> {
    try {
      const response = (await this.options.lambdas.invoke(this.options.function, event)) as
        | DynamoDBBatchResponse
        | undefined;
      const failures = response?.batchItemFailures ?? [];
      if (failures.length === 0) return undefined;
      const failed = new Set(failures.map((f) => f.itemIdentifier));
      return (
        event.Records.find((r) => failed.has(r.dynamodb!.SequenceNumber!))?.dynamodb?.SequenceNumber ??
        event.Records[0]!.dynamodb!.SequenceNumber
      );
    } catch (error) {
      this.options.log(`${this.name} failed: ${(error as Error).message}`);
      return event.Records[0]!.dynamodb!.SequenceNumber;
    }
  }

  private advance(state: ShardState, sequenceNumber: string, next: string | undefined): void {
    state.checkpoint = sequenceNumber;
    state.iterator = next;
    if (next === undefined) state.iterator = undefined;
    this.checkpoints[this.checkpointKey(state.shard.ShardId!)] = sequenceNumber;
    if (this.options.checkpointFile) writeFileSync(this.options.checkpointFile, JSON.stringify(this.checkpoints));
  }

  /** The message Lambda sends to an on-failure destination: where the skipped records were, not the records. */
  private async sendToOnFailure(state: ShardState, records: StreamRecord[]): Promise<void> {
    const first = records[0]!.dynamodb!;
    const last = records.at(-1)!.dynamodb!;
    const body = {
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        functionArn: `local:${this.options.function}`,
        approximateInvokeCount: state.retries + 1,
      },
      DDBStreamBatchInfo: {
        shardId: state.shard.ShardId,
        startSequenceNumber: first.SequenceNumber,
        endSequenceNumber: last.SequenceNumber,
        approximateArrivalOfFirstRecord: first.ApproximateCreationDateTime?.toISOString(),
        approximateArrivalOfLastRecord: last.ApproximateCreationDateTime?.toISOString(),
        batchSize: records.length,
        streamArn: this.options.streamArn,
      },
    };
    await this.options.sqs.send(
      new SendMessageCommand({ QueueUrl: this.options.onFailureQueueUrl, MessageBody: JSON.stringify(body) }),
    );
    this.options.log(
      `${this.name}: ${records.length} record(s) skipped after ${state.retries + 1} attempts, described on the stream-failures queue`,
    );
  }

  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const { ApproximateCreationDateTime, ...rest } = record.dynamodb ?? {};
    // Lambda's JSON carries binary values as base64 and the creation time as epoch seconds.
    const dynamodb = JSON.parse(
      JSON.stringify(rest, (_key, value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
      ),
    ) as DynamoDBRecord['dynamodb'];
    return {
      eventID: record.eventID,
      eventName: record.eventName as DynamoDBRecord['eventName'],
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.options.region,
      eventSourceARN: this.options.streamArn,
      dynamodb: {
        ...dynamodb,
        ...(ApproximateCreationDateTime
          ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }
          : {}),
      },
    };
  }
}

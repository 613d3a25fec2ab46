import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamSource } from '../shared/blueprint/wiring.ts';
import { matchesFilters } from './event-filter.ts';
import type { LocalLambdas } from './lambda.ts';
import type { Poller } from './poller.ts';

interface StreamPollerOptions {
  /** The event source mapping's settings, the stack's own (shared/blueprint/wiring.ts `streamSources`). */
  source: StreamSource;
  streamArn: string;
  streams: Pick<DynamoDBStreamsClient, 'send'>;
  sqs: Pick<SQSClient, 'send'>;
  onFailureQueueUrl: string;
  lambdas: Pick<LocalLambdas, 'invoke'>;
  region: string;
  checkpointFile?: string | undefined;
  /** The clock records' age is measured by (tests move it past the maximum record age). */
  now?: () => number;
  log: (line: string) => void;
}

/** Records still to hand over, in stream order, and how often they failed already (splits do not count). */
interface Batch {
  records: StreamRecord[];
  retries: number;
}

interface ShardState {
  shard: Shard;
  iterator?: string | undefined;
  /** Sequence number of the last record handled (the checkpoint). */
  checkpoint?: string | undefined;
  /** The records read and not yet handled: one batch, or the parts a failure split it into. */
  pending: Batch[];
  /** The last sequence number of the page `pending` came from: the checkpoint once it is all handled. */
  pageEnd?: string | undefined;
  /** No records left to read (the shard closed and its last page is read). */
  exhausted: boolean;
  /** With a tumbling window: the state the function handed back last, and the window it belongs to. */
  window?: { start: number; state: unknown } | undefined;
}

type Outcome = { ok: true } | { ok: false; firstFailed: number; kind: 'partial' | 'error' };

/**
 * Reads the table's stream from DynamoDB Local and invokes a stream consumer with real DynamoDBStreamEvents, as a
 * Lambda event source mapping does with the stack's settings:
 * - records are handed over in shard order, one batch at a time per shard, and a child shard only once its parent
 *   is fully handled;
 * - records that match none of the source's filters are skipped (the checkpoint moves past them);
 * - a partial failure (ReportBatchItemFailures) checkpoints before the first failed record and retries from it;
 * - a function error (a throw or a timeout) splits the batch in two (BisectBatchOnFunctionError) and retries each
 *   half in order; splitting does not count as a retry, so a single bad record is isolated;
 * - after `maxRetries` retries, or once older than `maxRecordAgeSeconds`, records are described on the on-failure
 *   queue and skipped;
 * - with a tumbling window, each event names its shard and window and carries the state the function returned
 *   last in that window (a fresh one in a new window), as Lambda's does; the window's extra final invocation is
 *   not simulated (no consumer here acts on it).
 */
export class StreamPoller implements Poller {
  readonly name: string;
  private readonly shards = new Map<string, ShardState>();
  private readonly checkpoints: Record<string, string>;
  private readonly options: StreamPollerOptions;
  private readonly now: () => number;

  constructor(options: StreamPollerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.name = `stream → ${options.source.function}`;
    this.checkpoints =
      options.checkpointFile && existsSync(options.checkpointFile)
        ? (JSON.parse(readFileSync(options.checkpointFile, 'utf8')) as Record<string, string>)
        : {};
  }

  /** One step on every shard that may go; returns the number of records handed to the function (retries included). */
  async pollOnce(): Promise<number> {
    await this.refreshShards();
    let handled = 0;
    for (const state of this.shards.values()) {
      if (this.done(state)) continue;
      const parent = state.shard.ParentShardId ? this.shards.get(state.shard.ParentShardId) : undefined;
      if (parent && !this.done(parent)) continue;
      handled += await this.step(state);
    }
    return handled;
  }

  private done(state: ShardState): boolean {
    return state.exhausted && state.pending.length === 0;
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
            exhausted: false,
            pending: [],
            checkpoint: this.checkpoints[this.checkpointKey(shard.ShardId!)],
          });
        }
      }
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private checkpointKey(shardId: string): string {
    return `${this.options.source.function}/${shardId}`;
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

  /** Reads the next page of a shard into `pending`, leaving out the records no filter matches. */
  private async read(state: ShardState): Promise<void> {
    const iterator = await this.iterator(state);
    if (!iterator) {
      state.exhausted = true;
      return;
    }
    let page: GetRecordsCommandOutput;
    try {
      page = await this.options.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.source.batchSize }),
      );
    } catch (error) {
      // An expired iterator, for one: start again from the checkpoint.
      state.iterator = undefined;
      throw error;
    }
    state.iterator = page.NextShardIterator;
    if (!page.NextShardIterator) state.exhausted = true;
    const records = page.Records ?? [];
    if (records.length === 0) return;
    const wanted = records.filter((r) => matchesFilters(this.options.source.filters, this.toLambdaRecord(r)));
    state.pageEnd = records.at(-1)!.dynamodb!.SequenceNumber!;
    if (wanted.length > 0) state.pending.push({ records: wanted, retries: 0 });
    else this.advance(state, state.pageEnd);
  }

  /** Hands the shard's next batch to the function once, and settles what comes of it. */
  private async step(state: ShardState): Promise<number> {
    if (state.pending.length === 0) await this.read(state);
    const batch = state.pending[0];
    if (!batch) return 0;

    const tooOld = this.tooOld(batch.records);
    if (tooOld > 0) {
      await this.sendToOnFailure(state, batch.records.slice(0, tooOld), 'RecordAgeExceeded', batch.retries + 1);
      this.handled(state, batch, tooOld);
      if (batch.records.length === 0) return tooOld;
    }

    const outcome = await this.invoke(state, batch.records);
    const delivered = batch.records.length;
    if (outcome.ok) {
      this.handled(state, batch, delivered);
      return delivered;
    }
    const { bisectBatchOnError, maxRetries } = this.options.source;
    if (outcome.kind === 'error' && bisectBatchOnError && delivered > 1) {
      // Split in two, first half first; a split is not a retry.
      const half = Math.ceil(delivered / 2);
      state.pending.splice(
        0,
        1,
        { records: batch.records.slice(0, half), retries: batch.retries },
        { records: batch.records.slice(half), retries: batch.retries },
      );
      return delivered;
    }
    // What succeeded before the first failure is done; the rest is retried, or given up once out of retries.
    this.handled(state, batch, outcome.firstFailed);
    if (batch.retries >= maxRetries) {
      await this.sendToOnFailure(state, batch.records, 'RetryAttemptsExhausted', batch.retries + 1);
      this.handled(state, batch, batch.records.length);
    } else {
      batch.retries += 1;
    }
    return delivered;
  }

  /** How many records at the head of a batch are past the maximum record age (the stream is in time order). */
  private tooOld(records: StreamRecord[]): number {
    const oldest = this.now() - this.options.source.maxRecordAgeSeconds * 1000;
    const index = records.findIndex((r) => (r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Infinity) >= oldest);
    return index < 0 ? records.length : index;
  }

  /** Marks the first `count` records of the head batch handled and moves the checkpoint past them. */
  private handled(state: ShardState, batch: Batch, count: number): void {
    if (count === 0) return;
    const last = batch.records[count - 1]!.dynamodb!.SequenceNumber!;
    batch.records.splice(0, count);
    if (batch.records.length > 0) {
      this.advance(state, last);
      return;
    }
    state.pending.shift();
    // The page's filtered-out tail is done with its last handled record.
    this.advance(state, state.pending.length === 0 && state.pageEnd ? state.pageEnd : last);
  }

  /** Invokes the function; a partial failure names the first failed record, as Lambda reads batchItemFailures. */
  private async invoke(state: ShardState, records: StreamRecord[]): Promise<Outcome> {
    const event: DynamoDBStreamEvent = {
      Records: records.map((r) => this.toLambdaRecord(r)),
      ...this.windowOf(state),
    };
    let response: (DynamoDBBatchResponse & { state?: unknown }) | undefined;
    try {
      response = (await this.options.lambdas.invoke(this.options.source.function, event)) as
        | (DynamoDBBatchResponse & { state?: unknown })
        | undefined;
    } catch (error) {
      this.options.log(`${this.name} failed: ${(error as Error).message}`);
      return { ok: false, firstFailed: 0, kind: 'error' };
    }
    if (this.options.source.tumblingWindowSeconds) {
      // Lambda counts an answer without a state as a failed invocation.
      if (response?.state === undefined || response.state === null) {
        this.options.log(`${this.name} failed: a tumbling window's answer carries no state`);
        return { ok: false, firstFailed: 0, kind: 'error' };
      }
      state.window = { start: state.window?.start ?? this.windowStart(), state: response.state };
    }
    const failures = response?.batchItemFailures ?? [];
    if (!this.options.source.reportBatchItemFailures || failures.length === 0) return { ok: true };
    const sequence = records.map((r) => r.dynamodb!.SequenceNumber!);
    const indexes = failures.map((f) => sequence.indexOf(f.itemIdentifier));
    // An empty, missing or unknown identifier makes the whole batch a failure, as Lambda reads it.
    if (indexes.some((i) => i < 0)) return { ok: false, firstFailed: 0, kind: 'error' };
    return { ok: false, firstFailed: Math.min(...indexes), kind: 'partial' };
  }

  private windowStart(): number {
    const seconds = this.options.source.tumblingWindowSeconds ?? 0;
    return Math.floor(this.now() / (seconds * 1000)) * seconds * 1000;
  }

  /** The tumbling window's part of the event: the shard, the window and its state so far (none without a window). */
  private windowOf(state: ShardState): Record<string, unknown> {
    const seconds = this.options.source.tumblingWindowSeconds;
    if (!seconds) return {};
    const start = this.windowStart();
    if (state.window?.start !== start) state.window = { start, state: {} };
    return {
      shardId: state.shard.ShardId,
      eventSourceARN: this.options.streamArn,
      window: { start: new Date(start).toISOString(), end: new Date(start + seconds * 1000).toISOString() },
      state: state.window.state,
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    };
  }

  private advance(state: ShardState, sequenceNumber: string): void {
    state.checkpoint = sequenceNumber;
    this.checkpoints[this.checkpointKey(state.shard.ShardId!)] = sequenceNumber;
    if (this.options.checkpointFile) writeFileSync(this.options.checkpointFile, JSON.stringify(this.checkpoints));
  }

  /** The message Lambda sends to an on-failure destination: where the skipped records were, not the records. */
  private async sendToOnFailure(
    state: ShardState,
    records: StreamRecord[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    attempts: number,
  ): Promise<void> {
    const first = records[0]!.dynamodb!;
    const last = records.at(-1)!.dynamodb!;
    const body = {
      requestContext: {
        condition,
        functionArn: `local:${this.options.source.function}`,
        approximateInvokeCount: attempts,
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
      `${this.name}: ${records.length} record(s) skipped (${condition}), described on the on-failure queue`,
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

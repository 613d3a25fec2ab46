import { performance } from 'node:perf_hooks';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import type { FauxqsServer } from 'fauxqs';
import { LOCAL_AWS, localCredentials } from '../local/services.ts';
import { StreamPoller } from '../local/stream-poller.ts';
import { startLocalWard } from '../local/ward.ts';
import type { DynamoDBStreamWindowEvent } from '../shared/adapters/batch.ts';
import { streamSources } from '../shared/blueprint/wiring.ts';
import type { WardConfig } from '../shared/config/ward.ts';
import { counterFiling } from './bundles.ts';
import type { DynamoCallRecorder } from './dynamo-calls.ts';
import { httpEvent, officerCaller } from './events.ts';

export interface AggregatorBatch {
  records: number;
  ms: number;
  writeCalls: number;
  writeCallsPerRecord: number;
  /** Billed under AWS's rules from the items' sizes (transactions 2×). */
  writeUnits: number;
  writeUnitsPerRecord: number;
  readUnits: number;
  dynamoCalls: Record<string, number>;
}

export interface AggregatorFigures {
  batch: AggregatorBatch;
  /** A batch of one record: a filing's (an INSERT of a dossier item). */
  single: AggregatorBatch;
  /** Of the stream records the filings and actions wrote, the share each stream consumer is invoked for. */
  streamRecordsPerDossierChange: number;
  recordsPassingFilters: Record<string, number>;
  /** Records the aggregator's own writes put on the stream, and how many of them reach each consumer again. */
  selfRecords: { written: number; passing: Record<string, number> };
}

const WRITE_COMMANDS = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/;

/**
 * The report aggregator's handler on a batch of 100 real stream records: counter filings and assign actions through
 * their handlers, the table's stream read back as Lambda hands it over (the local stream poller, with the
 * consumer's own event filters), the first 100 records one invocation, the next one alone.
 */
export async function measureAggregator(options: {
  wardConfig: WardConfig;
  dynamoEndpoint: string;
  fauxqs: FauxqsServer;
  recorder: DynamoCallRecorder;
  batchSize: number;
  log: (line: string) => void;
}): Promise<AggregatorFigures> {
  const { recorder, batchSize, log } = options;
  const ward = await startLocalWard({
    ward: options.wardConfig,
    dynamoEndpoint: options.dynamoEndpoint,
    fauxqs: options.fauxqs,
    resourcePrefix: 'bench-aggregator',
    schedules: 'manual',
    logLevel: 'SILENT',
  });
  const config = { region: LOCAL_AWS.region, credentials: localCredentials };
  const streams = new DynamoDBStreamsClient({ ...config, endpoint: options.dynamoEndpoint });
  const sqs = new SQSClient({ ...config, endpoint: options.fauxqs.address });
  // The shard the records came from: the aggregator's event source has a tumbling window, so its events name it.
  let shard: { shardId: string; arn: string | undefined } | undefined;
  // Reads the stream from where it last stopped, with a consumer's filters (none: every record), batches unbounded.
  const reader = (source: (typeof streamSources)[number]) => {
    const captured: DynamoDBRecord[] = [];
    const poller = new StreamPoller({
      source: { ...source, batchSize: 1000 },
      streamArn: ward.resources.streamArn,
      streams,
      sqs,
      onFailureQueueUrl: ward.resources.queueUrls.streamFailures,
      lambdas: {
        invoke: async (_name, event) => {
          const batch = event as DynamoDBStreamWindowEvent;
          captured.push(...batch.Records);
          if (batch.shardId && batch.Records.length > 0) shard = { shardId: batch.shardId, arn: batch.eventSourceARN };
          return { state: {}, batchItemFailures: [] };
        },
      },
      region: LOCAL_AWS.region,
      log: () => undefined,
    });
    return {
      async drain(): Promise<DynamoDBRecord[]> {
        // Until three polls in a row hand nothing over (a page of records no filter matches hands over none).
        for (let idle = 0, polls = 0; idle < 3 && polls < 1000; polls++)
          idle = (await poller.pollOnce()) > 0 ? 0 : idle + 1;
        return captured.splice(0);
      },
    };
  };
  const aggregatorSource = streamSources.find((s) => s.function === 'report-aggregator')!;
  try {
    return await ward.withPollersPaused(async () => {
      const everything = reader({ ...aggregatorSource, filters: [] });
      const consumers = streamSources.map((source) => ({ name: source.function, read: reader(source) }));
      const officer = officerCaller();
      const filings = Math.ceil(batchSize * 0.7);
      log(`aggregator: ${filings} filings and as many assign actions, then the stream`);
      let changes = 0;
      for (let i = 0; i < filings; i++) {
        const filed = (await ward.invoke(
          'dossier-intake',
          httpEvent({ routeKey: 'POST /dossiers', path: '/dossiers', body: counterFiling(), caller: officer }),
        )) as { statusCode: number; body: string; headers: Record<string, string> };
        if (filed.statusCode !== 201) throw new Error(`intake answered ${filed.statusCode}: ${filed.body}`);
        const { code } = JSON.parse(filed.body) as { code: string };
        const acted = (await ward.invoke(
          'dossier-actions',
          httpEvent({
            routeKey: 'POST /dossiers/{code}/actions',
            path: `/dossiers/${encodeURIComponent(code)}/actions`,
            pathParameters: { code },
            body: { action: 'assign', department: 'Tư pháp – Hộ tịch' },
            headers: { 'if-match': filed.headers.etag! },
            caller: officer,
          }),
        )) as { statusCode: number; body: string };
        if (acted.statusCode !== 200) throw new Error(`the action answered ${acted.statusCode}: ${acted.body}`);
        changes += 2;
      }
      const all = await everything.drain();
      const passing: Record<string, number> = {};
      const toAggregator: DynamoDBRecord[] = [];
      for (const consumer of consumers) {
        const records = await consumer.read.drain();
        passing[consumer.name] = records.length;
        if (consumer.name === 'report-aggregator') toAggregator.push(...records);
      }
      if (toAggregator.length < batchSize + 1)
        throw new Error(`only ${toAggregator.length} stream records reach the aggregator; ${batchSize + 1} needed`);

      // As Lambda sends a batch in a tumbling window: its shard and window, the state handed back last (none).
      const windowEvent = (records: DynamoDBRecord[]): DynamoDBStreamWindowEvent => {
        if (!shard) throw new Error('the stream records came without their shard id');
        const start = new Date();
        return {
          Records: records,
          shardId: shard.shardId,
          ...(shard.arn ? { eventSourceARN: shard.arn } : {}),
          window: { start: start.toISOString(), end: new Date(start.getTime() + 60_000).toISOString() },
          state: {},
          isFinalInvokeForWindow: false,
          isWindowTerminatedEarly: false,
        };
      };
      const invoke = async (records: DynamoDBRecord[]): Promise<AggregatorBatch> => {
        const { result, recording } = await recorder.during(
          async () => {
            const started = performance.now();
            await ward.invoke('report-aggregator', windowEvent(records));
            return performance.now() - started;
          },
          { images: true },
        );
        const writes = recording.calls.filter((c) => WRITE_COMMANDS.test(c.command)).length;
        const calls: Record<string, number> = {};
        for (const call of recording.calls) {
          const name = call.command.replace(/Command$/, '');
          calls[name] = (calls[name] ?? 0) + 1;
        }
        return {
          records: records.length,
          ms: result - recording.imageMs,
          writeCalls: writes,
          writeCallsPerRecord: writes / records.length,
          writeUnits: recording.writeUnits,
          writeUnitsPerRecord: recording.writeUnits / records.length,
          readUnits: recording.readUnits,
          dynamoCalls: calls,
        };
      };
      log(`aggregator: one batch of ${batchSize} records, then a filing's record alone`);
      const batch = await invoke(toAggregator.slice(0, batchSize));
      // A filing's record alone: what the aggregator writes for one counted change at a ward's pace, where a batch
      // holds the records of one request.
      const filing = toAggregator
        .slice(batchSize)
        .find((r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.sk?.S === 'DOSSIER');
      if (!filing) throw new Error('no filing among the stream records after the batch');
      const single = await invoke([filing]);

      const written = await everything.drain();
      const selfPassing: Record<string, number> = {};
      for (const consumer of consumers) selfPassing[consumer.name] = (await consumer.read.drain()).length;
      return {
        batch,
        single,
        streamRecordsPerDossierChange: all.length / changes,
        recordsPassingFilters: Object.fromEntries(Object.entries(passing).map(([k, v]) => [k, v / changes])),
        selfRecords: { written: written.length, passing: selfPassing },
      };
    });
  } finally {
    streams.destroy();
    sqs.destroy();
    await ward.stop();
  }
}

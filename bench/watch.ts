import { performance } from 'node:perf_hooks';
import { BatchWriteItemCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { FauxqsServer } from 'fauxqs';
import { startLocalWard } from '../local/ward.ts';
import { alertScheduleItem } from '../shared/adapters/alert-schedule.ts';
import { lambda } from '../shared/adapters/aws.ts';
import { dossierFromItem, dossierItem } from '../shared/adapters/dossier-store.ts';
import type { WardConfig } from '../shared/config/ward.ts';
import { clockRunningStatuses } from '../shared/domain/dossier.ts';
import { counterFiling } from './bundles.ts';
import type { DynamoCallRecorder } from './dynamo-calls.ts';
import { httpEvent, officerCaller } from './events.ts';

export interface WatchRun {
  ms: number;
  /** Billed under AWS's rules from the items the queries read (before projection), and any writes. */
  readUnits: number;
  writeUnits: number;
  /** What DynamoDB Local reported (ReturnConsumedCapacity TOTAL). */
  reportedReadUnits: number;
  dynamoCalls: number;
  /** Alerts the run handed to alert-dispatch (counted in the Invoke payloads of the handlers' Lambda client). */
  alertsQueued: number;
  result: unknown;
}

export interface WatchFigures {
  /** Open dossiers asked for, and how many loaded within the time allowed. */
  requested: number;
  loaded: number;
  loadSeconds: number;
  due: number;
  first: WatchRun;
  /** The next run, a quarter hour later, nothing new due. */
  next: WatchRun;
}

const DUE = 100;

/** Alerts in the invocations the handlers' Lambda client makes while `counting` is on. */
const sent = { counting: false, messages: 0 };
let counterInstalled = false;
function countSentMessages(): void {
  if (counterInstalled) return;
  counterInstalled = true;
  lambda().middlewareStack.add(
    (next, context) => async (args) => {
      if (sent.counting && context.commandName === 'InvokeCommand') {
        const payload = (args.input as { Payload?: Uint8Array }).Payload;
        const batch = payload ? (JSON.parse(new TextDecoder().decode(payload)) as { alerts?: unknown[] }) : {};
        sent.messages += batch.alerts?.length ?? 0;
      }
      return next(args);
    },
    { step: 'initialize', name: 'motcuaBenchSentMessages', override: true },
  );
}
const HOUR = 3_600_000;

/**
 * The deadline watch through its own handler, on a table of `open` dossiers in the clock-running statuses of which
 * the same 100 are due (half overdue, half due within the alert window), the rest due weeks ahead. The dossiers
 * are copies of one the intake handler filed, in the shape the dossier store writes (dossierItem), each with its
 * alert schedule (alertScheduleItem), loaded with BatchWriteItem; loading stops at `loadSeconds` and the count
 * loaded is what is measured.
 */
export async function measureWatch(options: {
  wardConfig: WardConfig;
  dynamoEndpoint: string;
  fauxqs: FauxqsServer;
  raw: DynamoDBClient;
  recorder: DynamoCallRecorder;
  open: number;
  loadSeconds: number;
  log: (line: string) => void;
}): Promise<WatchFigures> {
  const { raw, recorder, open, log } = options;
  const ward = await startLocalWard({
    ward: options.wardConfig,
    dynamoEndpoint: options.dynamoEndpoint,
    fauxqs: options.fauxqs,
    resourcePrefix: `bench-watch-${open}`,
    schedules: 'manual',
    logLevel: 'SILENT',
  });
  try {
    return await ward.withPollersPaused(async () => {
      const officer = officerCaller();
      const answer = (await ward.invoke(
        'dossier-intake',
        httpEvent({ routeKey: 'POST /dossiers', path: '/dossiers', body: counterFiling(), caller: officer }),
      )) as { statusCode: number; body: string };
      if (answer.statusCode !== 201) throw new Error(`intake answered ${answer.statusCode}: ${answer.body}`);
      const { code } = JSON.parse(answer.body) as { code: string };
      const table = ward.resources.tableName;
      const stored = await raw.send(
        new GetItemCommand({ TableName: table, Key: marshall({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' }) }),
      );
      const template = dossierFromItem(unmarshall(stored.Item!));
      const now = Date.now();
      const [unit] = code.split('-') as [string];

      // An open dossier and its alert schedule, as intake writes them: the watch reads the schedules' sparse index.
      const items = (i: number) => {
        const due = i < DUE;
        const dueAt = due
          ? new Date(now + (i < DUE / 2 ? -(1 + (i % 10)) : 1 + (i % 20)) * HOUR).toISOString()
          : new Date(now + (2 + (i % 58)) * 24 * HOUR).toISOString();
        const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(i / 9000) * 24 * HOUR).toISOString();
        const dossierCode = `${unit}-${day.slice(2, 4)}${day.slice(5, 7)}${day.slice(8, 10)}-${String((i % 9000) + 1).padStart(4, '0')}`;
        const status = clockRunningStatuses[i % clockRunningStatuses.length]!;
        return [
          dossierItem({ ...template, code: dossierCode, status, dueAt }),
          alertScheduleItem(dossierCode, dueAt),
        ].map((item) => marshall(item, { removeUndefinedValues: true }));
      };

      log(`watch: loading ${open} open dossiers (${DUE} due), at most ${options.loadSeconds} s`);
      const started = performance.now();
      let next = 0;
      const deadline = started + options.loadSeconds * 1000;
      const writer = async () => {
        while (next < open && (next < DUE || performance.now() < deadline)) {
          const from = next;
          // 12 dossiers, 24 items: BatchWriteItem takes 25 at most.
          next = Math.min(open, next + 12);
          let requests = Array.from({ length: next - from }, (_, k) => items(from + k))
            .flat()
            .map((Item) => ({ PutRequest: { Item } }));
          for (let attempt = 0; requests.length > 0; attempt++) {
            if (attempt > 10) throw new Error('BatchWriteItem left items unprocessed ten times');
            const result = await raw.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
            requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, writer));
      const loaded = next;
      const loadSeconds = (performance.now() - started) / 1000;
      log(`watch: ${loaded} loaded in ${loadSeconds.toFixed(0)} s; running the watch`);

      countSentMessages();
      const run = async (at: number): Promise<WatchRun> => {
        sent.messages = 0;
        sent.counting = true;
        const { result, recording } = await recorder.during(
          async () => {
            const t = performance.now();
            const result = await ward.trigger('deadline-watch', new Date(at));
            return { result, ms: performance.now() - t };
          },
          { images: true, consumedCapacity: true },
        );
        sent.counting = false;
        return {
          alertsQueued: sent.messages,
          // The images the recorder read for billing are not the watch's time.
          ms: result.ms - recording.imageMs,
          readUnits: recording.readUnits,
          writeUnits: recording.writeUnits,
          reportedReadUnits: recording.reportedReadUnits,
          dynamoCalls: recording.calls.length,
          result: result.result,
        };
      };
      const first = await run(now);
      const second = await run(now + 15 * 60_000);
      return { requested: open, loaded, loadSeconds, due: DUE, first, next: second };
    });
  } finally {
    await ward.stop();
  }
}

/**
 * `npm run bench`: every figure of issue 8 from one run on this machine, against its target. It starts its own
 * DynamoDB Local and fauxqs, measures
 *   1. each function's bundle as the stack deploys it: size, import CPU in a fresh Node process against a floor
 *      bundle holding only a DynamoDB client, and intake's first request against the floor's (bench/bundles.ts);
 *   2. intake and an action through their handlers against the bare DynamoDB calls they make, and their round
 *      trips, counted on the handlers' real client (bench/requests.ts);
 *   3. the deadline watch at 1,000 and 100,000 open dossiers, the same 100 due (bench/watch.ts);
 *   4. the report aggregator on a batch of 100 real stream records (bench/aggregator.ts);
 * then prices a month of a Kim Liên-size ward and of one ten times larger (bench/cost-model.ts), prints one table
 * and writes bench/results.json. BENCH_QUICK=1 runs small sizes (a minute or two); the BENCH_* variables below
 * set each size.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalResources } from '../local/resources.ts';
import { localSecrets } from '../local/secrets.ts';
import { startLocalWard } from '../local/ward.ts';
import { dynamo } from '../shared/adapters/aws.ts';
import { table as tableSpec, wardKey } from '../shared/blueprint/resources.ts';
import { readWardFile } from '../shared/config/ward-files.ts';
import { type AggregatorFigures, measureAggregator } from './aggregator.ts';
import { type BundleResults, measureBundles } from './bundles.ts';
import {
  type Bill,
  documentStorage,
  type FunctionProfile,
  KIM_LIEN,
  monthlyBill,
  monthlyTraffic,
  type Operation,
  PER_DOSSIER,
  PRICES,
  REGION,
  scaled,
  templateInventory,
  type Ward,
} from './cost-model.ts';
import { DynamoCallRecorder } from './dynamo-calls.ts';
import { meterLogs } from './logs.ts';
import { measureRequests, type RequestFigures } from './requests.ts';
import { startBenchServices } from './services.ts';
import { measureWatch, type WatchFigures } from './watch.ts';

const quick = process.env.BENCH_QUICK === '1';
const size = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));
const settings = {
  coldStarts: size('BENCH_COLD_STARTS', 5, 2),
  iterations: size('BENCH_ITERATIONS', 200, 30),
  watchSmall: size('BENCH_WATCH_SMALL', 1000, 1000),
  watchLarge: size('BENCH_WATCH_LARGE', 100_000, 5000),
  watchLoadSeconds: size('BENCH_WATCH_LOAD_SECONDS', 120, 30),
  aggregatorBatch: size('BENCH_AGGREGATOR_BATCH', 100, 100),
};
const RESULTS = new URL('./results.json', import.meta.url);
const started = Date.now();
const log = (line: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const ward = readWardFile('sample');
const logs = meterLogs();
const workdir = mkdtempSync(join(tmpdir(), 'motcua-bench-'));
const services = await startBenchServices();
const { dynamoLocal, fauxqs, raw, s3, sqs } = services;
try {
  // 1. Bundles, first, while nothing else of the benchmark runs.
  const bundleResources = await createLocalResources({ dynamo: raw, s3, sqs }, 'bench-bundles');
  const bundleSecrets = localSecrets(undefined, 'bench-bundles');
  let bundles: BundleResults;
  try {
    bundles = await measureBundles({
      ward,
      outdir: workdir,
      resources: bundleResources,
      secrets: bundleSecrets,
      endpoints: {
        AWS_ENDPOINT_URL_DYNAMODB: dynamoLocal.endpoint,
        AWS_ENDPOINT_URL_SQS: fauxqs.address,
        AWS_ENDPOINT_URL_S3: fauxqs.address,
        MOTCUA_S3_PATH_STYLE: 'true',
      },
      coldStarts: settings.coldStarts,
      log,
    });
  } finally {
    bundleSecrets.remove();
  }

  // 2. Requests, in this process, on the handlers' own client.
  const instance = await startLocalWard({
    ward,
    dynamoEndpoint: dynamoLocal.endpoint,
    fauxqs,
    resourcePrefix: 'bench',
    schedules: 'manual',
    logLevel: 'INFO',
  });
  const recorder = new DynamoCallRecorder(dynamo(), raw, tableSpec.indexes);
  let requests: Awaited<ReturnType<typeof measureRequests>>;
  try {
    const twin = await createLocalResources({ dynamo: raw, s3, sqs }, 'bench-bare');
    requests = await measureRequests({
      ward: instance,
      recorder,
      raw,
      twinTable: twin.tableName,
      portalId: ward.portals[0]!.id,
      iterations: settings.iterations,
      log,
    });
  } finally {
    await instance.stop();
  }

  // 3. The deadline watch, each size on a table of its own.
  const watch: WatchFigures[] = [];
  for (const open of [settings.watchSmall, settings.watchLarge]) {
    watch.push(
      await measureWatch({
        wardConfig: ward,
        dynamoEndpoint: dynamoLocal.endpoint,
        fauxqs,
        raw,
        recorder,
        open,
        loadSeconds: settings.watchLoadSeconds,
        log,
      }),
    );
  }

  // 4. The report aggregator.
  const aggregator = await measureAggregator({
    wardConfig: ward,
    dynamoEndpoint: dynamoLocal.endpoint,
    fauxqs,
    recorder,
    batchSize: settings.aggregatorBatch,
    log,
  });

  // 5. The month's bill.
  const cost = costOf(bundles, requests, watch, aggregator);
  const rows = table(bundles, requests, watch, aggregator, cost);
  const results = {
    measuredAt: new Date().toISOString(),
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
    settings: { ...settings, quick },
    seconds: Math.round((Date.now() - started) / 1000),
    rows,
    bundles: { ...bundles, template: undefined },
    requests,
    watch,
    aggregator,
    logs: { bytes: logs.bytes, invocations: logs.invocations, metrics: [...logs.metrics].sort() },
    cost,
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  // In the repository's format, so a run leaves `npm run lint` passing.
  execFileSync(
    fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)),
    ['format', '--write', fileURLToPath(RESULTS)],
    {
      stdio: 'ignore',
    },
  );
  console.log(markdown(rows));
  console.log(`\n${cost.summary}`);
  log(`wrote ${fileURLToPath(RESULTS)}`);
} finally {
  await services.stop();
  rmSync(workdir, { recursive: true, force: true });
}

type Requests = Awaited<ReturnType<typeof measureRequests>>;

/** The functions' profiles, the month's operations, and the bills of both wards. */
function costOf(bundles: BundleResults, requests: Requests, watch: WatchFigures[], aggregator: AggregatorFigures) {
  const [intakeCounter, intakeKeyed, action] = requests.requests as [RequestFigures, RequestFigures, RequestFigures];
  const measured: Record<string, number> = {
    'dossier-intake': (intakeCounter.handlerMs.median + intakeKeyed.handlerMs.median) / 2,
    'dossier-actions': action.handlerMs.median,
    'dossier-read': requests.read.handlerMs.median,
    'public-lookup': requests.lookup.handlerMs.median,
    'deadline-watch': watch[0]!.next.ms,
    'report-aggregator': aggregator.single.ms,
    // A token of each kind verified: the slower one, for every request the authorizer's cache does not answer.
    authorizer: Math.max(requests.authorizer.staffMs.median, requests.authorizer.portalMs.median),
  };
  // Log bytes per invocation that wrote any (EMF metrics, INFO lines), measured; none for a function that ran and
  // wrote none; 300 bytes for one this run did not invoke.
  const ran = new Set(Object.keys(measured));
  const logBytes = (name: string) =>
    logs.invocations[name] ? logs.bytes[name]! / logs.invocations[name]! : ran.has(name) ? 0 : 300;
  // Not measured here: a function that makes one or two calls and signs or sends something, as a read does.
  const assumedMs = requests.read.handlerMs.median;
  const functions: Record<string, FunctionProfile> = Object.fromEntries(
    bundles.functions.map((b) => [
      b.name,
      {
        memoryMb: b.memoryMb,
        durationMs: measured[b.name] ?? assumedMs,
        initMs: b.importMs,
        logBytes: logBytes(b.name),
        secrets: b.secrets,
      },
    ]),
  );

  const dossierBytes = Math.max(
    ...intakeCounter.writtenBytes.filter((w) => w.key === 'DOSSIER/DOSSIER').map((w) => w.bytes),
    1,
  );
  const slipBytes = Math.max(
    ...intakeCounter.writtenBytes.filter((w) => w.key === 'DOSSIER/SLIP').map((w) => w.bytes),
    1,
  );
  const watchRunsPerMonth = 30 * 24 * 4;
  const small = watch[0]!;
  const requeueShare = small.next.alertsQueued / small.due;

  const operationsOf = (w: Ward): Operation[] => {
    const t = monthlyTraffic(w);
    // Dossiers due within the alert window at any moment: a working day's intake (the 24 h window).
    const dueAtOnce = t.dossiers / 22;
    const alerts = t.dossiers * PER_DOSSIER.dueSoonAlertsPerDossier + requeueShare * dueAtOnce * watchRunsPerMonth;
    const dispatchInvocations = Math.max(1, Math.min(alerts, watchRunsPerMonth * Math.ceil(dueAtOnce / 50)));
    const toAggregator = aggregator.recordsPassingFilters['report-aggregator'] ?? 1;
    const toNotifier = aggregator.recordsPassingFilters['portal-notifier'] ?? 1;
    const selfAggregator = (aggregator.selfRecords.passing['report-aggregator'] ?? 0) > 0 ? 1 : 0;
    const selfNotifier = (aggregator.selfRecords.passing['portal-notifier'] ?? 0) > 0 ? 1 : 0;
    return [
      {
        name: 'intake, online (portal, Idempotency-Key)',
        perMonth: t.online,
        function: 'dossier-intake',
        api: true,
        authorized: true,
        readUnits: intakeKeyed.readUnits,
        writeUnits: intakeKeyed.writeUnits,
      },
      {
        name: 'intake, at the counter',
        authorized: true,
        perMonth: t.counter,
        function: 'dossier-intake',
        api: true,
        readUnits: intakeCounter.readUnits,
        writeUnits: intakeCounter.writeUnits,
      },
      {
        name: 'actions',
        authorized: true,
        perMonth: t.actions,
        function: 'dossier-actions',
        api: true,
        readUnits: action.readUnits,
        writeUnits: action.writeUnits,
      },
      {
        name: 'staff reads',
        authorized: true,
        perMonth: t.staffReads,
        function: 'dossier-read',
        api: true,
        readUnits: requests.read.readUnits,
      },
      {
        name: 'portal reads',
        perMonth: t.portalReads,
        function: 'dossier-read',
        api: true,
        authorized: true,
        readUnits: requests.read.readUnits,
      },
      {
        name: 'public lookups',
        perMonth: t.lookups,
        function: 'public-lookup',
        api: true,
        readUnits: requests.lookup.readUnits,
        writeUnits: requests.lookup.writeUnits,
      },
      // An upload: the URL (reads the dossier, puts the upload item), the PUT to S3, which invokes the check
      // (reads the object, writes like an action). Assumed from the measured read and action.
      {
        name: 'upload URLs',
        perMonth: t.uploads,
        function: 'document-upload',
        api: true,
        authorized: true,
        readUnits: requests.read.readUnits,
        writeUnits: 1,
        s3Puts: 1,
      },
      {
        name: 'upload checks',
        perMonth: t.uploads,
        function: 'document-verify',
        s3Gets: 2,
        readUnits: requests.read.readUnits,
        writeUnits: action.writeUnits,
      },
      // Stream consumers: about one batch per request at a ward's pace (a request's records arrive together).
      // Every change priced as a filing counted alone (conservative: an assign counts less), and one more invocation
      // for the records of the aggregator's own writes when its filters let them through.
      {
        name: 'report aggregator',
        perMonth: t.dossierChanges * Math.min(1, toAggregator),
        function: 'report-aggregator',
        writeUnits: aggregator.single.writeUnits,
      },
      {
        name: 'report aggregator, its own writes',
        perMonth: t.dossierChanges * selfAggregator,
        function: 'report-aggregator',
      },
      {
        name: 'portal notifier',
        perMonth: t.dossierChanges * (1 + selfNotifier) * Math.min(1, toNotifier),
        function: 'portal-notifier',
        sqsFifoRequests: t.onlineChanges / (t.dossierChanges * (1 + selfNotifier)),
      },
      { name: 'portal sync', perMonth: t.onlineChanges, function: 'portal-sync', sqsFifoRequests: 2 },
      {
        name: 'deadline watch runs',
        perMonth: watchRunsPerMonth,
        function: 'deadline-watch',
        readUnits: (small.next.readUnits * dueAtOnce) / small.due,
        writeUnits: small.next.writeUnits,
      },
      // Alerts: handed over by asynchronous invocation, up to 50 at once, so at most one invocation per run (and never
      // more than the alerts); an inbox item per role (assumed 1 WRU each). No queue between.
      {
        name: 'alert dispatch',
        perMonth: dispatchInvocations,
        function: 'alert-dispatch',
        writeUnits: (alerts / dispatchInvocations) * 2,
      },
    ];
  };
  const inventory = {
    // From the synthesized template, as deployed.
    ...templateInventory(bundles.template.Resources, [wardKey.resourceType]),
    customMetrics: logs.metrics.size,
    staffUsers: 20,
  };
  const assumptions = {
    idleReceivesPerMinutePerQueue: 15,
    coldStartsCap: 22 * 11 * 4,
    platformLogBytes: 600,
    logRetentionMonths: 3,
    // None: API Gateway keeps an answer 5 minutes per token and route, portal tokens live 5 minutes at most, and at
    // a ward's pace a staff member seldom calls one route twice within 5 minutes.
    authorizerCacheHitRatio: 0,
    alarmNotifications: 10,
    tableGb: 0,
  };
  const wards = [KIM_LIEN, scaled(KIM_LIEN, 10)].map((w) => {
    const t = monthlyTraffic(w);
    const perDossierBytes = dossierBytes * (1 + tableSpec.indexes.length) + slipBytes * (1 + t.actions / t.dossiers);
    const wardAssumptions = { ...assumptions, tableGb: (12 * t.dossiers * perDossierBytes) / 1024 ** 3 };
    const wardInventory = { ...inventory, staffUsers: w === KIM_LIEN ? 20 : 60 };
    const operations = operationsOf(w);
    const bill = monthlyBill(operations, functions, wardInventory, wardAssumptions, { freeTier: false });
    const withFreeTier = monthlyBill(operations, functions, wardInventory, wardAssumptions, { freeTier: true });
    const documents = documentStorage(
      t.dossiers * PER_DOSSIER.componentsUploaded,
      PER_DOSSIER.bytesPerComponent,
      ward.documents.infrequentAccessAfterDays,
    );
    return { ward: w, traffic: t, operations, bill, withFreeTier, documents };
  });
  const describe = (name: string, bill: Bill) =>
    `${name}: US$${bill.total.toFixed(2)} a month (${Object.entries(bill.byService)
      .sort((a, b) => b[1] - a[1])
      .map(([service, usd]) => `${service} ${usd.toFixed(2)}`)
      .join(', ')})`;
  const summary = [
    `Cost model, ${REGION} list prices (bench/cost-model.ts). With the always-free tiers (permanent, per account, ` +
      `under consolidated billing one set per organization: a ward alone in its account; the targets are judged on it):`,
    ...wards.map(
      (w) =>
        `  ${describe(w.ward.name, w.withFreeTier)}; documents add US$${w.documents.usdPerMonthAfterAYear.toFixed(2)} a month after a year`,
    ),
    'Without them (wards sharing an account or organization, which share one set of free tiers):',
    ...wards.map((w) => `  ${describe(w.ward.name, w.bill)}`),
    `Inventory (the synthesized template): ${inventory.alarms} alarms, ${inventory.secrets} secrets, ` +
      `${inventory.parameters.standard} standard and ${inventory.parameters.advanced} advanced SSM parameters, ` +
      `${inventory.polledQueues.standard} standard and ${inventory.polledQueues.fifo} FIFO queues polled by event source ` +
      `mappings; ${inventory.customMetrics} custom metrics emitted in the run.`,
    `Assumptions: ${assumptions.idleReceivesPerMinutePerQueue} ReceiveMessage calls a minute on each polled queue when ` +
      `idle (Lambda's pollers long-poll, 20 s each); at most ${assumptions.coldStartsCap} cold starts a function a month; ` +
      `API Gateway's cache answers ${(assumptions.authorizerCacheHitRatio * 100).toFixed(0)}% of protected requests ` +
      `(the authorizer runs for the rest); ${inventory.staffUsers} staff (60 at ×10); ` +
      `${assumptions.platformLogBytes} bytes of platform log lines per invocation; per-dossier requests in PER_DOSSIER.`,
  ].join('\n');
  return { region: REGION, prices: PRICES, inventory, assumptions, functions, wards, summary };
}

interface Row {
  figure: string;
  value: string;
  target: string;
  met: boolean | null;
  note?: string;
}

function table(
  bundles: BundleResults,
  requests: Requests,
  watch: WatchFigures[],
  aggregator: AggregatorFigures,
  cost: ReturnType<typeof costOf>,
): Row[] {
  const rows: Row[] = [];
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const largest = [...bundles.functions].sort((a, b) => b.codeBytes - a.codeBytes);
  for (const b of largest) {
    rows.push({
      figure: `bundle ${b.name}: size, import CPU`,
      value: `${kib(b.codeBytes)}, ${b.importCpuMs.toFixed(0)} ms = ${b.importCpuRatio.toFixed(2)}× floor`,
      target: '≤ 500 KiB, ≤ 1.5× floor',
      met: b.codeBytes <= 500 * 1024 && b.importCpuRatio <= 1.5,
      ...(b.codeBytes > 500 * 1024 || b.importCpuRatio > 1.5 ? { note: bundleNote(b, bundles) } : {}),
    });
  }
  rows.push({
    figure: 'floor bundle (DynamoDB client only): size, import CPU',
    value: `${kib(bundles.floor.codeBytes)}, ${bundles.floor.importCpuMs.toFixed(0)} ms`,
    target: '—',
    met: null,
  });
  rows.push({
    figure: 'intake first request (fresh process) vs floor GetItem',
    value: `${bundles.intakeFirstRequest.ms.toFixed(0)} ms vs ${bundles.floor.firstRequestMs.toFixed(0)} ms = ${bundles.intakeFirstRequest.ratio.toFixed(2)}×`,
    target: '≤ 2×',
    met: bundles.intakeFirstRequest.ratio <= 2,
    ...(bundles.intakeFirstRequest.ratio > 2
      ? {
          note: `intake’s first request makes ${requests.requests[0]!.roundTrips} DynamoDB calls (${requests.requests[0]!.commands.join(', ')}) where the floor’s makes one GetItem, and loads on first use what its ${kib(bundles.functions.find((b) => b.name === 'dossier-intake')?.codeBytes ?? 0)} bundle defers`,
        }
      : {}),
  });
  const trips: Record<string, number> = {
    'intake (counter, no Idempotency-Key)': 2,
    'intake (with Idempotency-Key)': 3,
    'action (assign)': 1,
  };
  for (const r of requests.requests) {
    rows.push({
      figure: `${r.name}: handler vs bare calls, median (p95)`,
      value: `${r.handlerMs.median.toFixed(1)} (${r.handlerMs.p95.toFixed(1)}) ms vs ${r.bareMs.median.toFixed(1)} (${r.bareMs.p95.toFixed(1)}) ms = ${r.ratio.toFixed(2)}×`,
      target: '≤ 1.25×',
      met: r.ratio <= 1.25,
      ...(r.ratio > 1.25
        ? {
            note: `${(r.handlerMs.median - r.bareMs.median).toFixed(1)} ms a request of the handler’s own work (parsing, validation, mapping, logging) beside ${r.bareMs.median.toFixed(1)} ms of bare calls on DynamoDB Local`,
          }
        : {}),
    });
    rows.push({
      figure: `${r.name}: DynamoDB round trips; billed WRU`,
      value: `${r.roundTrips} (${r.commands.join(', ')}); ${r.writeUnits} WRU (${r.indexWriteUnits} of it indexes)`,
      target: `${trips[r.name]}`,
      met: r.roundTrips === trips[r.name] && r.roundTripsRange[1] === trips[r.name],
      ...(r.name.includes('with Idempotency-Key')
        ? { note: 'the key is claimed first, alone, so a retry racing the first request finds the claim' }
        : {}),
    });
  }
  const { staffMs, portalMs } = requests.authorizer;
  rows.push({
    figure: 'authorizer, a token not in API Gateway’s cache: staff (RS256), portal (ES256), median (p95)',
    value: `${staffMs.median.toFixed(1)} (${staffMs.p95.toFixed(1)}) ms, ${portalMs.median.toFixed(1)} (${portalMs.p95.toFixed(1)}) ms`,
    target: '—',
    met: null,
  });
  for (const w of watch) {
    const partial =
      w.loaded < w.requested ? ` (of ${w.requested} asked; the most that loaded in ${w.loadSeconds.toFixed(0)} s)` : '';
    rows.push({
      figure: `deadline watch, ${w.loaded} open dossiers${partial}, ${w.due} due: first run`,
      value: `${w.first.readUnits} RRU billed (${w.first.reportedReadUnits} reported), ${w.first.writeUnits} WRU, ${w.first.ms.toFixed(0)} ms, ${w.first.alertsQueued} alerts handed to alert-dispatch`,
      target: 'reads the due ones only',
      met: null,
    });
    const again = w.next.alertsQueued;
    rows.push({
      figure: `deadline watch, ${w.loaded} open: next run, nothing new due`,
      value: `${w.next.readUnits} RRU, ${w.next.writeUnits} WRU, ${w.next.ms.toFixed(0)} ms, ${w.next.alertsQueued} alerts handed over again`,
      target: '0 re-queued (edge-triggered)',
      met: again === 0,
      ...(again > 0 ? { note: `${again} of the ${w.due} due queued again by a run with nothing new due` } : {}),
    });
  }
  rows.push({
    figure: `aggregator, batch of ${aggregator.batch.records} stream records: write calls, WRU per record`,
    value: `${aggregator.batch.writeCallsPerRecord.toFixed(2)} calls, ${aggregator.batch.writeUnitsPerRecord.toFixed(2)} WRU (${JSON.stringify(aggregator.batch.dynamoCalls)})`,
    target: '≤ 0.1 write calls per record',
    met: aggregator.batch.writeCallsPerRecord <= 0.1,
    ...(aggregator.batch.writeCallsPerRecord > 0.1
      ? { note: `${JSON.stringify(aggregator.batch.dynamoCalls)} for ${aggregator.batch.records} records` }
      : {}),
  });
  rows.push({
    figure: 'aggregator, a filing’s record alone: write calls, WRU',
    value: `${aggregator.single.writeCalls} calls, ${aggregator.single.writeUnits} WRU`,
    target: '—',
    met: null,
  });
  rows.push({
    figure: 'stream records per dossier change: all, to the aggregator, to the notifier',
    value: `${aggregator.streamRecordsPerDossierChange.toFixed(2)}, ${(aggregator.recordsPassingFilters['report-aggregator'] ?? 0).toFixed(2)}, ${(aggregator.recordsPassingFilters['portal-notifier'] ?? 0).toFixed(2)}; the aggregator's own writes reach them: ${JSON.stringify(aggregator.selfRecords.passing)}`,
    target: '1 to each, none of their own',
    met:
      (aggregator.recordsPassingFilters['report-aggregator'] ?? 0) <= 1 &&
      Object.values(aggregator.selfRecords.passing).every((n) => n === 0),
    ...(Object.values(aggregator.selfRecords.passing).some((n) => n > 0)
      ? {
          note: `the consumers’ event filters let their own writes through: ${JSON.stringify(aggregator.selfRecords.passing)}`,
        }
      : {}),
  });
  // Judged on the bill with the always-free tiers: they are permanent, and a ward alone in its account has them.
  const targets = [1, 5];
  cost.wards.forEach((w, i) => {
    const judged = w.withFreeTier;
    const dominant = `${judged.dominant.service} ${(judged.dominant.share * 100).toFixed(0)}%`;
    rows.push({
      figure: `monthly bill, ${w.ward.name} (${Math.round(w.traffic.dossiers)} dossiers a month), beyond document storage, with the always-free tiers (a ward alone in its account)`,
      value: `US$${judged.total.toFixed(2)}; dominant: ${dominant}`,
      target: `≤ US$${targets[i]}`,
      met: judged.total <= targets[i]!,
      ...(judged.total > targets[i]! ? { note: costNote(judged) } : {}),
    });
    rows.push({
      figure: `monthly bill, ${w.ward.name}, without free tiers (wards sharing an account or organization share one set)`,
      value: `US$${w.bill.total.toFixed(2)}; dominant: ${w.bill.dominant.service} ${(w.bill.dominant.share * 100).toFixed(0)}%; ${costNote(w.bill)}`,
      target: '—',
      met: null,
    });
    rows.push({
      figure: `document storage, ${w.ward.name}`,
      value: `${w.documents.gbAddedPerMonth.toFixed(2)} GB a month; US$${w.documents.usdPerMonthAfterAYear.toFixed(2)} a month after a year (S3 Standard, then Standard-IA after ${ward.documents.infrequentAccessAfterDays} days)`,
      target: '—',
      met: null,
    });
  });
  return rows;
}

/** Why a bundle misses its targets, from the figures: how far over, and against the floor. */
function bundleNote(b: BundleResults['functions'][number], bundles: BundleResults): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const reasons: string[] = [];
  if (b.codeBytes > 500 * 1024)
    reasons.push(
      `${kib(b.codeBytes - 500 * 1024)} over 500 KiB, ${kib(b.codeBytes - bundles.floor.codeBytes)} beyond the floor’s DynamoDB client${b.name.startsWith('document-') ? ': the S3 client beside it, which its role needs (its own bound in test/integration/bundles.test.ts)' : ''}`,
    );
  if (b.importCpuRatio > 1.5)
    reasons.push(
      `its import takes ${(b.importCpuMs - bundles.floor.importCpuMs).toFixed(0)} ms of CPU beyond the floor’s ${bundles.floor.importCpuMs.toFixed(0)} ms for its ${kib(b.codeBytes - bundles.floor.codeBytes)} more`,
    );
  return reasons.join('; ');
}

/** Why a bill misses its target: its three largest lines. */
function costNote(bill: Bill): string {
  return `largest: ${[...bill.lines]
    .sort((a, b) => b.usd - a.usd)
    .slice(0, 3)
    .map((l) => `${l.service} ${l.item} US$${l.usd.toFixed(2)}`)
    .join('; ')}`;
}

function markdown(rows: Row[]): string {
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.target,
    r.met === null ? '' : r.met ? 'met' : `missed${r.note ? `: ${r.note}` : ''}`,
  ]);
  const lines = [
    '| figure | measured | target | |',
    '| --- | --- | --- | --- |',
    ...cells.map((c) => `| ${c.map((x) => x.replaceAll('|', '\\|')).join(' | ')} |`),
  ];
  return lines.join('\n');
}

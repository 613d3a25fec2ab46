/**
 * `npm run demo`: a synthetic quarter for the sample ward, run through the HTTP API of a local instance, then the
 * quarter's report as a table, and as JSON, CSV, HTML and PDF files.
 *
 *   npm run demo -- [--size 500] [--mix online=0.7,late=0.1] [--seed 1] [--quarter 2026-Q3] [--out .local/demo]
 *
 * It starts its own instance, as `npm start -- --in-memory` does (DynamoDB Local, fauxqs, the same functions), and
 * stops it after. The figures need months, due dates passed and work carried over, and the API stamps every event
 * with the time of its request: this instance takes each request's time from the instant the demo planned it for
 * (scripts/demo/drive.ts `demoRequestClock`). That is the local runner's alone (local/ward.ts `requestClock`), set by
 * no other instance: a deployed ward's requests carry API Gateway's own time.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal, startLocalFauxqs } from '../local/services.ts';
import { startLocalWard } from '../local/ward.ts';
import { calendarSpecOf } from '../shared/config/calendar.ts';
import { parseWardConfig } from '../shared/config/ward.ts';
import { readWardFile } from '../shared/config/ward-files.ts';
import { WorkingCalendar } from '../shared/domain/calendar.ts';
import { localDateOf } from '../shared/domain/zoned-time.ts';
import { demoRequestClock, driveQuarter, periodOf, type Tally } from './demo/drive.ts';
import { lastQuarterBefore, parseMix, planQuarter, quarterOf } from './demo/plan.ts';
import { fetchReport, reportRows, table, writeFormats } from './demo/report.ts';

/**
 * The default size: 500 dossiers, what two idle cores run in under two minutes. Each request costs 40–60 ms of CPU
 * (the functions, the local runner and DynamoDB Local together, measured on a loaded machine) and a dossier makes
 * about seven; `--size` scales the run linearly (2000, a ward's quarter of thousands, takes some six minutes).
 */
const DEFAULT_SIZE = 500;
const MAX_SIZE = 20_000;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: String(DEFAULT_SIZE) },
    mix: { type: 'string', default: '' },
    seed: { type: 'string', default: '1' },
    quarter: { type: 'string' },
    out: { type: 'string', default: '.local/demo' },
    concurrency: { type: 'string', default: '8' },
    ward: { type: 'string', default: 'sample' },
  },
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const size = Number(values.size);
if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) fail(`--size must be a whole number from 1 to ${MAX_SIZE}`);
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) fail('--seed must be a whole number, 0 or more');
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) fail('--concurrency must be from 1 to 64');
let mix: ReturnType<typeof parseMix>;
try {
  mix = parseMix(values.mix);
} catch (error) {
  fail((error as Error).message);
}

// The instance sends no status webhooks: the sample's portals are not reachable from a local demo, and retrying
// them kept the instance busy for minutes after the quarter had run. The demo is about the figures.
const configured = parseWardConfig(readWardFile(values.ward));
const ward = { ...configured, portals: configured.portals.map(({ statusWebhookUrl: _, ...portal }) => portal) };
const calendar = new WorkingCalendar(calendarSpecOf(ward));
const quarterLabel = values.quarter ?? lastQuarterBefore(localDateOf(Date.now(), ward.timeZone));
try {
  const { last } = quarterOf(quarterLabel);
  // Tokens are minted on the system clock: a quarter not yet over would have requests stamped after them.
  if (last >= localDateOf(Date.now(), ward.timeZone)) fail(`--quarter ${quarterLabel} has not ended yet`);
} catch (error) {
  fail((error as Error).message);
}
const plan = planQuarter(ward, calendar, { size, mix: mix!, seed, quarter: quarterLabel });

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
console.log(
  `${ward.name}: ${size} dossiers over ${quarterLabel} (from ${localDateOf(plan.from, ward.timeZone)}), seed ${seed}`,
);
const [dynamo, fauxqs] = await Promise.all([startDynamoDbLocal(), startLocalFauxqs()]);
const instance = await startLocalWard({
  ward,
  dynamoEndpoint: dynamo.endpoint,
  fauxqs,
  resourcePrefix: `motcua-demo-${ward.id}`,
  schedules: 'manual',
  logLevel: 'ERROR',
  requestClock: demoRequestClock,
});
const stopAll = async () => {
  await instance.stop().catch(() => undefined);
  await fauxqs.stop().catch(() => undefined);
  await dynamo.stop().catch(() => undefined);
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
console.log(`Local instance on ${instance.url} (in memory), started in ${seconds()} s`);

const tty = process.stdout.isTTY === true;
let lastLine = -1;
let lastAt = performance.now();
const actors = plan.dossiers.length + plan.feedback.length;
/** The bar is drawn on each dossier's end and each second besides, so a long first phase shows it moving too. */
let latest: { done: number; tally?: Tally } = { done: 0 };
const draw = () => {
  const { done, tally } = latest;
  if (!tally) return;
  const share = done / actors;
  const text = `${done}/${actors} dossiers and feedback run · ${tally.filed} filed · ${tally.requests} requests · ${seconds()} s`;
  if (tty) {
    const width = 30;
    const full = Math.round(share * width);
    process.stdout.write(
      `\r[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${(share * 100).toFixed(0).padStart(3)}% ${text}`,
    );
  } else if (Math.floor(share * 10) > lastLine || performance.now() - lastAt > 15_000) {
    // Plain lines: each tenth of the run, and at least every 15 s.
    lastLine = Math.floor(share * 10);
    lastAt = performance.now();
    console.log(`${(share * 100).toFixed(0).padStart(3)}% ${text}`);
  }
};
const progress = (done: number, tally: Tally) => {
  latest = { done, tally };
  draw();
};
const ticker = setInterval(draw, 1000);
ticker.unref();

let exitCode = 0;
try {
  const tally = await driveQuarter(plan, {
    url: instance.url,
    ward,
    calendar,
    mint: (request) => instance.token(request),
    concurrency,
    onProgress: progress,
  });
  clearInterval(ticker);
  if (tty) process.stdout.write('\n');
  await instance.settle(120_000);
  console.log(
    `Quarter run in ${seconds()} s: ${tally.filed} filed, ${tally.requests} requests, ${tally.uploads} files uploaded`,
  );
  for (const line of tally.skipped) console.log(`  ${line}`);
  if (tally.failures.length > 0) {
    exitCode = 1;
    console.log(`  ${tally.failures.length} dossiers stopped on an unexpected answer, the first ones:`);
    for (const failure of tally.failures.slice(0, 5)) console.log(`    ${failure}`);
  }
  console.log(`What the demo did in ${quarterLabel}:`);
  console.log(
    table(
      Object.entries(tally).flatMap(([figure, value]) =>
        Array.isArray(value) ? [] : [{ figure, value: value.toLocaleString('en-US') }],
      ),
    ),
  );

  const token = await instance.token({ role: 'leader' });
  const request = { url: instance.url, token, period: { label: quarterLabel, ...periodOf(plan) } };
  const { query, report, note } = await fetchReport(request);
  if (note) console.log(note);
  console.log(`\nGET /reports?${query}:`);
  console.log(table(reportRows(report)));
  console.log('');
  for (const line of await writeFormats({ ...request, query }, report, values.out)) console.log(line);
  console.log(`Done in ${seconds()} s.`);
} catch (error) {
  if (tty) process.stdout.write('\n');
  console.error(`The demo stopped: ${(error as Error).stack ?? error}`);
  exitCode = 1;
} finally {
  await stopAll();
}
process.exit(exitCode);

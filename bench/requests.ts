import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalWard } from '../local/ward.ts';
import { counterFiling } from './bundles.ts';
import type { DynamoCallRecorder, RecordedCall } from './dynamo-calls.ts';
import { retargeted } from './dynamo-calls.ts';
import { authorizerEvent, httpEvent, median, officerCaller, quantile } from './events.ts';

export interface RequestFigures {
  name: string;
  iterations: number;
  handlerMs: { median: number; p95: number };
  bareMs: { median: number; p95: number };
  /** handler median ÷ bare median. */
  ratio: number;
  /** DynamoDB calls the handler made per request (every request the same), and their commands. */
  roundTrips: number;
  /** Fewest and most over the iterations (a lookup's guard takes one more call to open its window). */
  roundTripsRange: [number, number];
  commands: string[];
  /** Billed under AWS's rules, from the items' sizes (one request, images captured). */
  writeUnits: number;
  readUnits: number;
  indexWriteUnits: number;
  /** Bytes of each item the request wrote, by key prefix. */
  writtenBytes: { key: string; bytes: number }[];
}

/** The authorizer's handler time per token it verifies (a new token each time, as most requests bring). */
export interface AuthorizerFigures {
  iterations: number;
  staffMs: { median: number; p95: number };
  portalMs: { median: number; p95: number };
}

type Answer = { statusCode: number; headers?: Record<string, string>; body?: string };

/**
 * Intake (a counter filing without and with an Idempotency-Key) and one status change (assign) through their
 * handlers in this process, against the bare DynamoDB calls the same request made: each request's calls, recorded
 * on the handlers' own client, are sent again right after it, as they were, to a twin table, so the bare calls
 * write the same items in the same run. The pollers rest meanwhile, so nothing else uses DynamoDB Local.
 */
export async function measureRequests(options: {
  ward: LocalWard;
  recorder: DynamoCallRecorder;
  raw: DynamoDBClient;
  twinTable: string;
  /** A portal of the ward, whose own token the authorizer checks. */
  portalId: string;
  iterations: number;
  log: (line: string) => void;
}): Promise<{
  requests: RequestFigures[];
  read: RequestFigures;
  lookup: RequestFigures;
  authorizer: AuthorizerFigures;
}> {
  const { ward, recorder, raw, twinTable, iterations, log } = options;
  const table = ward.resources.tableName;
  const officer = officerCaller();
  let key = 0;

  const file = (withKey: boolean) =>
    httpEvent({
      routeKey: 'POST /dossiers',
      path: '/dossiers',
      body: counterFiling(),
      headers: withKey ? { 'idempotency-key': `bench-${process.pid}-${++key}` } : {},
      caller: officer,
    });
  const filed: { code: string; etag: string; pin: string }[] = [];
  const intake = async (withKey: boolean) => {
    const answer = (await ward.invoke('dossier-intake', file(withKey))) as Answer;
    if (answer.statusCode !== 201) throw new Error(`intake answered ${answer.statusCode}: ${answer.body}`);
    const receipt = JSON.parse(answer.body!) as { code: string; lookup: { path: string } };
    const pin = new URL(receipt.lookup.path, 'http://local').searchParams.get('pin')!;
    filed.push({ code: receipt.code, etag: answer.headers!.etag!, pin });
  };
  const assign = async () => {
    const dossier = filed.shift()!;
    const answer = (await ward.invoke(
      'dossier-actions',
      httpEvent({
        routeKey: 'POST /dossiers/{code}/actions',
        path: `/dossiers/${encodeURIComponent(dossier.code)}/actions`,
        pathParameters: { code: dossier.code },
        body: { action: 'assign', department: 'Tư pháp – Hộ tịch' },
        headers: { 'if-match': dossier.etag },
        caller: officer,
      }),
    )) as Answer;
    if (answer.statusCode !== 200) throw new Error(`the action answered ${answer.statusCode}: ${answer.body}`);
    reads.push(dossier);
  };
  const reads: { code: string; pin: string }[] = [];

  // Every request's calls go to the twin table too, so it holds what the handler's table holds.
  const run = async (work: () => Promise<void>, images = false) => {
    const started = performance.now();
    const { recording } = await recorder.during(work, { images });
    const handlerMs = performance.now() - started;
    const replays = recording.calls.map((call) => retargeted(call, table, twinTable));
    const bareStarted = performance.now();
    for (const replay of replays) await replay.send(raw);
    return { recording, handlerMs, bareMs: performance.now() - bareStarted };
  };

  const measure = async (name: string, work: () => Promise<void>): Promise<RequestFigures> => {
    log(`requests: ${name}, ${iterations} times`);
    const handler: number[] = [];
    const bare: number[] = [];
    let shape: RecordedCall[] | undefined;
    const trips: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const { recording, handlerMs, bareMs } = await run(work);
      handler.push(handlerMs);
      bare.push(bareMs);
      shape ??= recording.calls;
      trips.push(recording.calls.length);
    }
    // One more, its written items read before and after, for the request units under AWS's rules.
    const { recording } = await run(work, true);
    const handlerMs = { median: median(handler), p95: quantile(handler, 0.95) };
    const bareMs = { median: median(bare), p95: quantile(bare, 0.95) };
    return {
      name,
      iterations,
      handlerMs,
      bareMs,
      ratio: handlerMs.median / bareMs.median,
      roundTrips: shape!.length,
      roundTripsRange: [Math.min(...trips), Math.max(...trips)],
      commands: shape!.map((c) => c.command.replace(/Command$/, '')),
      writeUnits: recording.writeUnits,
      readUnits: recording.readUnits,
      indexWriteUnits: recording.indexWriteUnits,
      writtenBytes: recording.writtenBytes,
    };
  };

  return ward.withPollersPaused(async () => {
    // Warm every path up: the first request of a module pays for loading what it imports lazily.
    for (let i = 0; i < 5; i++) {
      await run(() => intake(false));
      await run(() => intake(true));
    }
    for (let i = 0; i < 5; i++) await run(assign);
    const requests = [
      await measure('intake (counter, no Idempotency-Key)', () => intake(false)),
      await measure('intake (with Idempotency-Key)', () => intake(true)),
      await measure('action (assign)', assign),
    ];
    const read = await measure('dossier read (GET /dossiers/{code})', async () => {
      const { code } = reads[Math.floor(Math.random() * reads.length)]!;
      const answer = (await ward.invoke(
        'dossier-read',
        httpEvent({
          routeKey: 'GET /dossiers/{code}',
          path: `/dossiers/${encodeURIComponent(code)}`,
          pathParameters: { code },
          caller: officer,
        }),
      )) as Answer;
      if (answer.statusCode !== 200) throw new Error(`the read answered ${answer.statusCode}: ${answer.body}`);
    });
    const lookup = await measure('public lookup (GET /public/dossiers/{code})', async () => {
      const { code, pin } = reads[Math.floor(Math.random() * reads.length)]!;
      const answer = (await ward.invoke(
        'public-lookup',
        httpEvent({
          routeKey: 'GET /public/dossiers/{code}',
          path: `/public/dossiers/${encodeURIComponent(code)}`,
          pathParameters: { code },
          query: { pin },
        }),
      )) as Answer;
      if (answer.statusCode !== 200) throw new Error(`the lookup answered ${answer.statusCode}: ${answer.body}`);
    });
    const authorizer = await measureAuthorizer(ward, options.portalId, iterations, log);
    return { requests, read, lookup, authorizer };
  });
}

/**
 * The authorizer function in this process on a staff token (RS256, the pool's key set fetched once and kept) and
 * on a portal's own token (ES256, the key the ward registers), each minted before its request, as uncached
 * requests bring a token API Gateway has not seen on that route.
 */
async function measureAuthorizer(
  ward: LocalWard,
  portalId: string,
  iterations: number,
  log: (line: string) => void,
): Promise<AuthorizerFigures> {
  const time = async (name: string, token: () => Promise<string>) => {
    log(`requests: the authorizer on ${name}, ${iterations} times`);
    const samples: number[] = [];
    for (let i = 0; i < iterations + 5; i++) {
      const event = authorizerEvent(await token(), 'POST /dossiers', '/dossiers');
      const started = performance.now();
      const answer = (await ward.invoke('authorizer', event)) as { isAuthorized: boolean };
      const ms = performance.now() - started;
      if (!answer.isAuthorized) throw new Error(`the authorizer refused a ${name}`);
      // The first five warm it up (the staff key set's fetch, lazily loaded code).
      if (i >= 5) samples.push(ms);
    }
    return { median: median(samples), p95: quantile(samples, 0.95) };
  };
  return {
    iterations,
    staffMs: await time('staff token', () => ward.token({ role: 'officer' })),
    portalMs: await time('portal token', () => ward.token({ portal: portalId })),
  };
}

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_STAFF_CLIENT } from '../local/issuer.ts';
import type { LocalResources } from '../local/resources.ts';
import type { LocalSecrets } from '../local/secrets.ts';
import type { WardConfig } from '../shared/config/ward.ts';
import {
  BundleLambdas,
  bundleSubjects,
  coldStart,
  type FunctionBundle,
  importFigures,
  localReferences,
  synthBundles,
  synthFloor,
} from '../test/support/bundles.ts';
import { httpEvent, median, officerCaller } from './events.ts';

export interface BundleFigures {
  name: string;
  codeBytes: number;
  sourceMapBytes: number;
  memoryMb: number;
  /** Median over the cold starts: CPU time and wall time of importing the bundle. */
  importCpuMs: number;
  importMs: number;
  /** importCpuMs ÷ the floor's. */
  importCpuRatio: number;
  secrets: number;
}

export interface BundleResults {
  coldStartsPerBundle: number;
  floor: { codeBytes: number; importCpuMs: number; importMs: number; firstRequestMs: number };
  functions: BundleFigures[];
  /** Intake's first request in a fresh process (a counter filing, no Idempotency-Key) against the floor's GetItem. */
  intakeFirstRequest: { ms: number; ratio: number };
  /** The synthesized template, for the cost model's inventory. */
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
}

/**
 * Every function's bundle as the stack deploys it and the floor built with the same bundling options (one synth
 * each, test/support/bundles.ts), each imported `coldStarts` times in a fresh Node process, in interleaved rounds
 * (importFigures, as the bundle tests measure them); then intake's and the floor's first request, each in a fresh
 * process with its template's environment resolved to the local services.
 */
export async function measureBundles(options: {
  ward: WardConfig;
  outdir: string;
  resources: LocalResources;
  secrets: LocalSecrets;
  endpoints: Record<string, string>;
  coldStarts: number;
  log: (line: string) => void;
}): Promise<BundleResults> {
  const { ward, outdir, resources, secrets, coldStarts, log } = options;
  log('bundles: synthesizing the stack and the floor with bundling');
  const synth = synthBundles(ward, join(outdir, 'cdk.out'));
  const template = JSON.parse(
    readFileSync(join(outdir, 'cdk.out', `${synth.stack.stackName}.template.json`), 'utf8'),
  ) as BundleResults['template'];
  const floor = synthFloor(ward, join(outdir, 'floor'));

  log(`bundles: importing each of ${synth.bundles.length} bundles and the floor ${coldStarts} times`);
  const imports = await importFigures(bundleSubjects(synth.bundles, floor), coldStarts);
  const floorImport = imports.find((f) => f.function === 'floor')!;
  const functions = synth.bundles.map((bundle) =>
    figures(bundle, imports.find((f) => f.function === bundle.name)!, floorImport.importCpuMs),
  );

  const lambdas = new BundleLambdas(synth.bundles, {
    references: localReferences(synth.stack, {
      resources,
      secrets,
      staffClientId: LOCAL_STAFF_CLIENT,
      userPoolId: 'bench-pool',
    }),
    endpoints: options.endpoints,
    concurrency: 1,
  });
  const traceId = () => `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const floorBundle = { name: 'floor', dir: floor.dir, timeoutSeconds: 10 };
  // The floor runs with a function's environment (the endpoints), pointed at its own file.
  const floorEnvironment = () => ({
    ...lambdas.environment('health', traceId()),
    LAMBDA_TASK_ROOT: floor.dir,
    _HANDLER: floor.handler,
  });

  log('bundles: first requests of the floor and of intake, each in a fresh process');
  const officer = officerCaller();
  const floorFirst: number[] = [];
  const intakeFirst: number[] = [];
  for (let i = 0; i < coldStarts; i++) {
    const first = await coldStart(floorBundle, floorEnvironment(), {
      event: { tableName: resources.tableName, key: { pk: 'FLOOR', sk: 'FLOOR' } },
    });
    floorFirst.push(first.invokeMs!);
    const intake = await lambdas.invoke(
      'dossier-intake',
      httpEvent({ routeKey: 'POST /dossiers', path: '/dossiers', body: counterFiling(), caller: officer }),
    );
    if ((intake as { statusCode: number }).statusCode !== 201)
      throw new Error(`intake's bundle answered ${JSON.stringify(intake)}`);
    intakeFirst.push(lambdas.runs.at(-1)!.invokeMs);
  }
  const firstRequestMs = median(floorFirst);
  const intakeMs = median(intakeFirst);
  return {
    coldStartsPerBundle: coldStarts,
    floor: {
      codeBytes: floor.codeBytes,
      importCpuMs: floorImport.importCpuMs,
      importMs: floorImport.importMs,
      firstRequestMs,
    },
    functions,
    intakeFirstRequest: { ms: intakeMs, ratio: intakeMs / firstRequestMs },
    template,
  };
}

function figures(
  bundle: FunctionBundle,
  measured: { importCpuMs: number; importMs: number },
  floorCpu: number,
): BundleFigures {
  // Parameters read at a cold start: one per distinct reference, however many keys are derived from it.
  const secretReferences = new Set(
    Object.entries(bundle.environment)
      .filter(([v]) => v.startsWith('MOTCUA_SECRET_'))
      .map(([, value]) => JSON.stringify(value)),
  ).size;
  return {
    name: bundle.name,
    codeBytes: bundle.codeBytes,
    sourceMapBytes: bundle.sourceMapBytes,
    memoryMb: bundle.memoryMb,
    importCpuMs: measured.importCpuMs,
    importMs: measured.importMs,
    importCpuRatio: measured.importCpuMs / floorCpu,
    secrets: secretReferences,
  };
}

/** A counter filing of a procedure: in person, the officer at the desk, paid in cash. */
export function counterFiling() {
  return {
    procedureCode: '1.004873',
    channel: 'in_person',
    applicant: {
      fullName: 'Nguyễn Thị Lan',
      idNumber: '001190012345',
      phone: '0912345678',
      address: 'Số 12 phố Kim Liên, Hà Nội',
    },
    components: ['TK'],
    payment: { method: 'cash', paid: true },
  };
}

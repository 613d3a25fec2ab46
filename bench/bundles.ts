import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { LOCAL_STAFF_CLIENT, localIssuer } from '../local/issuer.ts';
import type { LocalResources } from '../local/resources.ts';
import type { LocalSecrets } from '../local/secrets.ts';
import type { WardConfig } from '../shared/config/ward.ts';
import {
  BundleLambdas,
  coldStart,
  type FunctionBundle,
  localReferences,
  synthBundles,
} from '../test/support/bundles.ts';
import { httpEvent, median } from './events.ts';

const FLOOR_ENTRY = fileURLToPath(new URL('./floor-handler.ts', import.meta.url));

/**
 * The esbuild options of infra/constructs/ward-function.ts (NodejsFunction's bundling there: ESM, node24, minified,
 * source maps, module before main, the require() banner, the SDK bundled). Copied, since the construct keeps them
 * inline; the floor is compared with bundles built with exactly these.
 */
const FUNCTION_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __motcuaCreateRequire } from 'module'; const require = __motcuaCreateRequire(import.meta.url);",
  },
};

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
 * Every function's bundle as the stack deploys it (one synth with bundling, test/support/bundles.ts), each started
 * `coldStarts` times in a fresh Node process with its template's environment, only to import it; the floor likewise;
 * then intake's and the floor's first request, each in a fresh process too.
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
  log('bundles: synthesizing the stack with bundling');
  const synth = synthBundles(ward, join(outdir, 'cdk.out'));
  const template = JSON.parse(
    readFileSync(join(outdir, 'cdk.out', `${synth.stack.stackName}.template.json`), 'utf8'),
  ) as BundleResults['template'];
  const lambdas = new BundleLambdas(synth.bundles, {
    references: localReferences(synth.stack, { resources, secrets, staffClientId: LOCAL_STAFF_CLIENT }),
    endpoints: options.endpoints,
    traceDaemonAddress: '127.0.0.1:2000',
    concurrency: 1,
  });
  const traceId = () => `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const floorDir = join(outdir, 'floor');
  await build({ ...FUNCTION_BUILD_OPTIONS, entryPoints: [FLOOR_ENTRY], outfile: join(floorDir, 'index.mjs') });
  const floorBundle = { name: 'floor', dir: floorDir, timeoutSeconds: 10 };
  // The floor runs with a function's environment (NODE_OPTIONS, the endpoints), pointed at its own file.
  const floorEnvironment = () => ({
    ...lambdas.environment('health', traceId()),
    LAMBDA_TASK_ROOT: floorDir,
    _HANDLER: 'index.handler',
  });

  const imports = async (
    target: { name: string; dir: string; timeoutSeconds: number },
    env: () => Record<string, string>,
  ) => {
    const runs = [];
    for (let i = 0; i < coldStarts; i++) runs.push(await coldStart(target, env(), undefined));
    return { cpu: median(runs.map((r) => r.importCpuMs)), wall: median(runs.map((r) => r.importMs)) };
  };

  log(`bundles: importing the floor and each of ${synth.bundles.length} bundles ${coldStarts} times`);
  // Interleaved rounds, so a busy moment of the machine falls on every bundle alike.
  const floorImport = await imports(floorBundle, floorEnvironment);
  const functions: BundleFigures[] = [];
  for (const bundle of synth.bundles) {
    const measured = await imports(bundle, () => lambdas.environment(bundle.name, traceId()));
    functions.push(figures(bundle, measured, floorImport.cpu));
  }

  log('bundles: first requests of the floor and of intake, each in a fresh process');
  const issuer = await localIssuer({ issuer: 'http://127.0.0.1/bench', portals: ward.portals.map((p) => p.id) });
  const claims = (await issuer.verify(await issuer.mint({ role: 'officer' })))!;
  const floorFirst: number[] = [];
  const intakeFirst: number[] = [];
  for (let i = 0; i < coldStarts; i++) {
    const floor = await coldStart(floorBundle, floorEnvironment(), { event: { tableName: resources.tableName } });
    floorFirst.push(floor.invokeMs!);
    const intake = await lambdas.invoke(
      'dossier-intake',
      httpEvent({ routeKey: 'POST /dossiers', path: '/dossiers', body: counterFiling(), claims }),
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
      codeBytes: statSync(join(floorDir, 'index.mjs')).size,
      importCpuMs: floorImport.cpu,
      importMs: floorImport.wall,
      firstRequestMs,
    },
    functions,
    intakeFirstRequest: { ms: intakeMs, ratio: intakeMs / firstRequestMs },
    template,
  };
}

function figures(bundle: FunctionBundle, measured: { cpu: number; wall: number }, floorCpu: number): BundleFigures {
  const secretReferences = Object.keys(bundle.environment).filter((v) => v.startsWith('MOTCUA_SECRET_')).length;
  return {
    name: bundle.name,
    codeBytes: bundle.codeBytes,
    sourceMapBytes: bundle.sourceMapBytes,
    memoryMb: bundle.memoryMb,
    importCpuMs: measured.cpu,
    importMs: measured.wall,
    importCpuRatio: measured.cpu / floorCpu,
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

/**
 * `npm run bench`: what the design choices cost, measured now, on this machine, as ratios within one run.
 *
 * 1. A workflow action written in one transaction (state carried by the ETag) against the usual read, then
 *    conditional write: both against DynamoDB Local.
 * 2. Checking a receipt PIN: the keyed hash (HMAC under a key held outside the table) against the scrypt hash
 *    it replaced, which made every lookup pay for what a stolen table would cost an attacker.
 * 3. Working-time deadlines: the calendar's cached day windows against a calendar rebuilt for every call.
 * 4. Filings per second through the local HTTP API at 1, 8 and 32 concurrent counter clients (60 s each, or
 *    BENCH_LOAD_SECONDS), and whether any answer was a 5xx.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLocalResources } from '../local/resources.ts';
import { localSecrets } from '../local/secrets.ts';
import { LOCAL_AWS, localCredentials, startDynamoDbLocal, startLocalFauxqs } from '../local/services.ts';
import { readWardFile } from '../shared/config/ward-files.ts';

const ACTIONS = 300;
const HASHES = 50;
const DEADLINES = 20_000;

function report(
  label: string,
  baseline: { name: string; ms: number },
  candidate: { name: string; ms: number },
  n: number,
) {
  const ratio = baseline.ms / candidate.ms;
  console.log(
    `${label}\n  ${baseline.name}: ${(baseline.ms / n).toFixed(3)} ms each\n  ${candidate.name}: ${(candidate.ms / n).toFixed(3)} ms each\n  ratio: ${ratio.toFixed(2)}× (n = ${n})\n`,
  );
}

async function time(work: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const ward = readWardFile('sample');
const [dynamoLocal, fauxqs] = await Promise.all([startDynamoDbLocal(), startLocalFauxqs()]);
try {
  const config = { region: LOCAL_AWS.region, credentials: localCredentials };
  const resources = await createLocalResources(
    {
      dynamo: new DynamoDBClient({ ...config, endpoint: dynamoLocal.endpoint }),
      s3: new S3Client({ ...config, endpoint: fauxqs.address, forcePathStyle: true }),
      sqs: new SQSClient({ ...config, endpoint: fauxqs.address }),
    },
    'bench',
  );
  Object.assign(process.env, {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoLocal.endpoint,
    MOTCUA_TABLE_NAME: resources.tableName,
    MOTCUA_WARD_CONFIG: JSON.stringify(ward),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...localSecrets(undefined).env,
  });
  const { applyDecision, dossierItem, getDossier } = await import('../shared/adapters/dossier-store.ts');
  const { dynamo, tableName } = await import('../shared/adapters/aws.ts');
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { decide, workflowStateOf } = await import('../shared/domain/workflow.ts');
  const { openDossier } = await import('../shared/domain/intake.ts');
  const { WorkingCalendar } = await import('../shared/domain/calendar.ts');
  const { hashPin, verifyPin } = await import('../shared/security/pin.ts');
  await (await import('../shared/security/secrets.ts')).loadSecrets(['pin']);

  const spec = {
    timeZone: ward.timeZone,
    sessions: ward.officeHours.sessions,
    weekdays: ward.officeHours.weekdays,
    holidayOverrides: ward.holidayOverrides,
  };
  const calendar = new WorkingCalendar(spec);
  const procedure = ward.catalog.procedures.find((p) => p.code === '1.004873')!;
  const officer = { kind: 'staff', id: 'bench', username: 'bench', name: 'bench', role: 'officer' } as const;
  const ctx = { now: Date.now(), calendar, supplementClock: ward.supplementClock, procedure, staff: ward.staff };

  async function seed(prefix: string) {
    const dossiers = [];
    for (let i = 1; i <= ACTIONS; i++) {
      const { dossier } = openDossier(
        {
          procedureCode: procedure.code,
          channel: 'in_person',
          applicant: { fullName: 'Bench', idNumber: '001190012345', phone: '0912345678', address: 'Hà Nội 1' },
          components: ['TK'],
          payment: { method: 'cash', paid: true },
        },
        procedure,
        {
          now: Date.now(),
          calendar,
          code: `000.00.00.H99-${prefix}-${String(i).padStart(4, '0')}`,
          actor: officer,
          pinHash: 'x',
        },
      );
      await dynamo().send(new PutCommand({ TableName: tableName(), Item: dossierItem(dossier) }));
      dossiers.push(dossier);
    }
    return dossiers;
  }
  const readThenWrite = await seed('000001');
  const oneTransaction = await seed('000002');
  const assign = { action: 'assign', department: 'Tư pháp – Hộ tịch' } as const;
  // Warm both paths up.
  await applyDecision(
    workflowStateOf(readThenWrite[0]!),
    decide(workflowStateOf(readThenWrite[0]!), assign, [officer], ctx),
  );
  await applyDecision(
    workflowStateOf(oneTransaction[0]!),
    decide(workflowStateOf(oneTransaction[0]!), assign, [officer], ctx),
  );

  const twoTrips = await time(async () => {
    for (const d of readThenWrite.slice(1)) {
      const current = (await getDossier(d.code))!;
      const state = workflowStateOf(current);
      await applyDecision(state, decide(state, assign, [officer], ctx));
    }
  });
  const oneTrip = await time(async () => {
    for (const d of oneTransaction.slice(1)) {
      const state = workflowStateOf(d); // what the client's ETag carries
      await applyDecision(state, decide(state, assign, [officer], ctx));
    }
  });
  report(
    '1. A workflow action against DynamoDB Local',
    { name: 'read, then conditional transaction', ms: twoTrips },
    { name: 'one transaction, state from the ETag', ms: oneTrip },
    ACTIONS - 1,
  );

  const code = '000.00.00.H99-260101-0001';
  const stored = hashPin(code, '12345678');
  const keyed = await time(() => {
    for (let i = 0; i < HASHES; i++) verifyPin(code, String(10_000_000 + i), stored);
  });
  const scryptAsync = promisify(scrypt) as (
    pin: string,
    salt: Buffer,
    length: number,
    options: object,
  ) => Promise<Buffer>;
  const salt = randomBytes(16);
  const slow = await time(async () => {
    for (let i = 0; i < HASHES; i++)
      await scryptAsync(String(10_000_000 + i), salt, 32, { N: 8192, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  });
  report(
    '2. Checking a receipt PIN at the public lookup',
    { name: 'scrypt N=8192 (before)', ms: slow },
    { name: 'HMAC-SHA256 under the PIN key', ms: keyed },
    HASHES,
  );

  const starts = Array.from(
    { length: DEADLINES },
    (_, i) => Date.parse('2026-01-01T00:00:00+07:00') + ((i * 7_919_993) % (365 * 86_400_000)),
  );
  const cold = await time(() => {
    for (const start of starts.slice(0, 500)) new WorkingCalendar(spec).addWorkingMinutes(start, 3 * 480);
  });
  const warm = await time(() => {
    for (const start of starts) calendar.addWorkingMinutes(start, 3 * 480);
  });
  report(
    '3. A 3-working-day deadline',
    { name: 'calendar rebuilt per call (holidays recomputed)', ms: (cold / 500) * DEADLINES },
    { name: 'one calendar per function instance (cached days)', ms: warm },
    DEADLINES,
  );

  const { startLocalWard } = await import('../local/ward.ts');
  const { fileUnderLoad } = await import('../test/support/load.ts');
  const loadFauxqs = await startLocalFauxqs();
  const instance = await startLocalWard({
    ward,
    dynamoEndpoint: dynamoLocal.endpoint,
    fauxqs: loadFauxqs,
    resourcePrefix: 'bench-load',
    schedules: 'manual',
    logLevel: 'SILENT',
  });
  try {
    const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
    const api = { url: instance.url, token: instance.token };
    const body = () => ({
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
    });
    console.log(
      `4. Filings through the local API, ${seconds} s per level (each client waits for its answer, then files again)`,
    );
    let single = 0;
    for (const clients of [1, 8, 32]) {
      const result = await fileUnderLoad(api, body, clients, seconds);
      if (clients === 1) single = result.perSecond;
      const serverErrors = Object.entries(result.statuses).filter(([status]) => Number(status) >= 500);
      console.log(
        `  ${String(clients).padStart(2)} clients: ${result.perSecond.toFixed(1)} filings/s (${result.filed} filed; ${(result.perSecond / single).toFixed(2)}× one client), answers ${JSON.stringify(result.statuses)}${serverErrors.length ? '  ← 5xx!' : ''}`,
      );
    }
  } finally {
    await instance.stop();
    await loadFauxqs.stop();
  }
} finally {
  await fauxqs.stop();
  await dynamoLocal.stop();
}

/**
 * `npm run reports:rebuild`: recounts every report counter of the local instance from its dossiers and prints each
 * difference from the stored counters (scope, day, counter, stored, recounted); exits 1 on any.
 *
 *   npm run reports:rebuild -- [--ward sample] [--data-dir .local/<ward>] [--write] [--settle 30]
 *
 * It runs the stack's own function, report-rebuild (functions/report-rebuild/handler.ts): through the Lambda
 * endpoint of the instance `npm start` runs on that data folder (the folder's instance.json says where), as
 * `aws lambda invoke` runs it in the stack, or, when none runs, in an instance it starts on the folder for the
 * purpose, once the stream is through. `--write` corrects what two passes `--settle` seconds apart agree on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { RebuildResult } from '../functions/report-rebuild/handler.ts';
import { INSTANCE_FILE, type LocalInstance } from '../local/instance-file.ts';
import { LOCAL_AWS, localCredentials, startDynamoDbLocal, startLocalFauxqs } from '../local/services.ts';
import { startLocalWard } from '../local/ward.ts';
import { readWardFile } from '../shared/config/ward-files.ts';

const { values } = parseArgs({
  options: {
    ward: { type: 'string', default: process.env.MOTCUA_WARD ?? 'sample' },
    'data-dir': { type: 'string' },
    write: { type: 'boolean', default: false },
    settle: { type: 'string', default: '30' },
  },
});
const ward = readWardFile(values.ward);
const dataDir = values['data-dir'] ?? `.local/${ward.id}`;
const event = { write: values.write, settleSeconds: Number(values.settle) };

/** The instance `npm start` runs on the folder, if its process is still there. */
function runningInstance(): LocalInstance | undefined {
  const file = join(dataDir, INSTANCE_FILE);
  if (!existsSync(file)) return undefined;
  const instance = JSON.parse(readFileSync(file, 'utf8')) as LocalInstance;
  try {
    process.kill(instance.pid, 0);
    return instance;
  } catch {
    return undefined;
  }
}

async function viaRunningInstance(instance: LocalInstance): Promise<RebuildResult> {
  console.log(`Recounting in the instance running on ${dataDir} (process ${instance.pid})…`);
  const lambda = new LambdaClient({
    region: LOCAL_AWS.region,
    credentials: localCredentials,
    endpoint: instance.lambda,
  });
  try {
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: `${instance.resourcePrefix}-report-rebuild`,
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    const payload = JSON.parse(new TextDecoder().decode(answer.Payload));
    if (answer.FunctionError) throw new Error(`report-rebuild failed: ${payload.errorType}: ${payload.errorMessage}`);
    return payload as RebuildResult;
  } finally {
    lambda.destroy();
  }
}

async function inOwnInstance(): Promise<RebuildResult> {
  if (!existsSync(join(dataDir, 'dynamodb')))
    throw new Error(`no local instance has kept data in ${dataDir}: start one with npm start, or name --data-dir`);
  console.log(`No instance runs on ${dataDir}: starting one to recount in…`);
  const [dynamo, fauxqs] = await Promise.all([
    startDynamoDbLocal({ dataDir: `${dataDir}/dynamodb` }),
    startLocalFauxqs({ dataDir: `${dataDir}/fauxqs` }),
  ]);
  try {
    const instance = await startLocalWard({
      ward,
      dynamoEndpoint: dynamo.endpoint,
      fauxqs,
      resourcePrefix: `motcua-${ward.id}`,
      port: 0,
      dataDir,
      schedules: 'manual',
      logLevel: 'WARN',
    });
    try {
      // What the stream still holds is counted first, as the running instance would have.
      await instance.settle(120_000);
      return (await instance.invoke('report-rebuild', event)) as RebuildResult;
    } finally {
      await instance.stop();
    }
  } finally {
    await fauxqs.stop();
    await dynamo.stop();
  }
}

function print(result: RebuildResult): void {
  console.log(`${result.dossiers} dossiers recounted, ${result.days} stored days read (${result.pages} scan pages).`);
  if (result.unreadable.length > 0) console.log(`Dossiers that could not be counted: ${result.unreadable.join(', ')}`);
  if (result.differenceCount === 0) console.log('No difference: every counter is what the dossiers give.');
  else {
    console.log(`${result.differenceCount} counters differ:`);
    console.table(result.differences);
    if (result.differenceCount > result.differences.length)
      console.log(`(the first ${result.differences.length} are shown)`);
  }
  if (result.written)
    console.log(
      `Written: ${result.written.counters} counters on ${result.written.days} days; left alone (changed meanwhile): ${result.leftAlone}.`,
    );
}

try {
  const instance = runningInstance();
  const result = instance ? await viaRunningInstance(instance) : await inOwnInstance();
  print(result);
  const outstanding = result.written ? (result.leftAlone ?? 0) : result.differenceCount;
  process.exit(outstanding > 0 || result.unreadable.length > 0 ? 1 : 0);
} catch (error) {
  console.error(`Could not recount: ${(error as Error).message}`);
  process.exit(2);
}

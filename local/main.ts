/**
 * `npm start`: a local ward instance on embedded local services (DynamoDB Local and fauxqs).
 *
 *   npm start -- [--ward sample] [--port 3000] [--host 127.0.0.1] [--data-dir .local/<ward>] [--in-memory]
 *
 * PORT and MOTCUA_WARD work as well. Ctrl-C stops everything. For development and trials only: see README.md.
 */
import { parseArgs } from 'node:util';
import type { FauxqsServer } from 'fauxqs';
import { readWardFile } from '../shared/config/ward-files.ts';
import { announceInstance } from './instance-file.ts';
import { type DynamoDbLocal, startDynamoDbLocal, startLocalFauxqs } from './services.ts';
import { type LocalWard, startLocalWard } from './ward.ts';

const { values } = parseArgs({
  options: {
    ward: { type: 'string', default: process.env.MOTCUA_WARD ?? 'sample' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    'in-memory': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const ward = readWardFile(values.ward);
const dataDir = values['in-memory'] ? undefined : (values['data-dir'] ?? `.local/${ward.id}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`);

let dynamo: DynamoDbLocal | undefined;
let fauxqs: FauxqsServer | undefined;
let instance: LocalWard | undefined;
let stopping: Promise<void> | undefined;
let unannounce: (() => void) | undefined;

async function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    unannounce?.();
    await instance?.stop().catch(() => undefined);
    await fauxqs?.stop().catch(() => undefined);
    await dynamo?.stop().catch(() => undefined);
  })();
  await stopping;
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  console.log(`Starting ${ward.name} (${ward.unitCode})…`);
  [dynamo, fauxqs] = await Promise.all([
    startDynamoDbLocal({ dataDir: dataDir && `${dataDir}/dynamodb` }),
    startLocalFauxqs({ dataDir: dataDir && `${dataDir}/fauxqs` }),
  ]);
  instance = await startLocalWard({
    ward,
    dynamoEndpoint: dynamo.endpoint,
    fauxqs,
    resourcePrefix: `motcua-${ward.id}`,
    host: values.host,
    port,
    dataDir,
    schedules: 'rate',
    logLevel: 'WARN',
    log: (line) => console.log(line),
    ...(values.quiet ? {} : { onRequest: (line: string) => console.log(line) }),
  });
  // The runner pointed the functions' Lambda client at its Invoke endpoint (local/ward.ts).
  if (dataDir)
    unannounce = announceInstance(dataDir, {
      pid: process.pid,
      api: instance.url,
      lambda: process.env.AWS_ENDPOINT_URL_LAMBDA!,
      resourcePrefix: `motcua-${ward.id}`,
    });
} catch (error) {
  console.error(`Could not start: ${(error as Error).message}`);
  await stop(1);
}

const url = instance!.url;
console.log(`
motcua is running: ${ward.name}
  API          ${url}
  Health       ${url}/health
  OpenAPI      ${url}/openapi.json
${
  instance!.loopback
    ? `  Get a token  curl -s -X POST ${url}/_local/token -H 'content-type: application/json' -d '{"role":"officer"}'
               (roles: officer, specialist, leader; a portal: '{"portal":"${ward.portals[0]?.id ?? '<portal id>'}"}')`
    : `  Tokens       none: ${values.host} is not a loopback address, so /_local/token refuses (start with --host 127.0.0.1)`
}
  Call it      curl -H "authorization: Bearer <token>" ${url}/dossiers
  Data         ${dataDir ?? 'in memory (nothing is kept)'}
  Alert mail   ${dataDir ? `${dataDir}/mail/*.eml` : 'printed here'}
  Services     DynamoDB Local ${dynamo!.endpoint}, fauxqs (SQS, S3) ${fauxqs!.address}
Ctrl-C stops everything.
`);

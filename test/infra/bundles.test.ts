import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, expect, it } from 'vitest';
import { type DynamoDbLocal, LOCAL_AWS, localCredentials, startDynamoDbLocal } from '../../local/services.ts';
import { env, functions } from '../../shared/blueprint/resources.ts';
import { sampleStack } from '../support/stack.ts';

const outdir = mkdtempSync(join(tmpdir(), 'motcua-bundles-'));
let dynamo: Promise<DynamoDbLocal> | undefined;
afterAll(async () => {
  rmSync(outdir, { recursive: true, force: true });
  await (await dynamo?.catch(() => undefined))?.stop();
});

// The one test that bundles (a quarter of a minute): every function builds, and a bundle runs on its own.
it('bundles every function with esbuild, with the ward configuration inlined', async () => {
  // Java boots while esbuild bundles.
  dynamo = startDynamoDbLocal();
  const { app, stack } = sampleStack({ bundle: true, outdir });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: any }>;
  };
  const bundles = new Map<string, string>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || resource.Properties.Runtime !== 'nodejs24.x') continue;
    const file = join(outdir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
    expect(existsSync(file)).toBe(true);
    bundles.set(resource.Properties.Description, file);
  }
  expect(bundles.size).toBe(Object.keys(functions).length);

  // The health bundle, against a real table: 200 while it answers, 503 once it is gone.
  const { endpoint } = await dynamo;
  const tables = new DynamoDBClient({ region: LOCAL_AWS.region, credentials: localCredentials, endpoint });
  const TableName = 'bundle-health';
  await tables.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  // No MOTCUA_WARD_CONFIG in the environment: the health bundle must carry the ward itself.
  delete process.env.MOTCUA_WARD_CONFIG;
  Object.assign(process.env, {
    [env.tableName]: TableName,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  const { handler } = (await import(bundles.get(functions.health.description)!)) as {
    handler: (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  };
  const invoke = () =>
    handler(
      {
        version: '2.0',
        routeKey: 'GET /health',
        rawPath: '/health',
        headers: {},
        isBase64Encoded: false,
        requestContext: { requestId: 'bundle-test', timeEpoch: Date.now() },
      },
      { functionName: 'health', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 10_000 } as Context,
    );
  const healthy = await invoke();
  expect(healthy.statusCode).toBe(200);
  expect(JSON.parse(healthy.body!)).toMatchObject({
    status: 'ok',
    ward: { id: 'sample', unitCode: '000.00.00.H99' },
    checks: { table: 'ok' },
  });

  await tables.send(new DeleteTableCommand({ TableName }));
  tables.destroy();
  const failing = await invoke();
  expect(failing.statusCode).toBe(503);
  expect(JSON.parse(failing.body!)).toMatchObject({
    status: 503,
    checks: { table: 'failing' },
    ward: { id: 'sample' },
  });
});

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, expect, it } from 'vitest';
import { functions } from '../../shared/blueprint.ts';
import { sampleStack } from '../support/stack.ts';

const outdir = mkdtempSync(join(tmpdir(), 'motcua-bundles-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// The one test that bundles (a quarter of a minute): every function builds, and a bundle runs on its own.
it('bundles every function with esbuild, with the ward configuration inlined', async () => {
  const { app, stack } = sampleStack({ bundle: true, outdir });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: any }> };
  const bundles = new Map<string, string>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || resource.Properties.Runtime !== 'nodejs24.x') continue;
    const file = join(outdir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
    expect(existsSync(file)).toBe(true);
    bundles.set(resource.Properties.Description, file);
  }
  expect(bundles.size).toBe(Object.keys(functions).length);

  // No MOTCUA_WARD_CONFIG in the environment: the health bundle must carry the ward itself.
  delete process.env.MOTCUA_WARD_CONFIG;
  process.env.POWERTOOLS_TRACE_ENABLED = 'false';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { handler } = (await import(bundles.get(functions.health.description)!)) as {
    handler: (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  };
  const result = await handler(
    { version: '2.0', routeKey: 'GET /health', rawPath: '/health', headers: {}, isBase64Encoded: false, requestContext: { requestId: 'bundle-test', timeEpoch: Date.now() } },
    { functionName: 'health', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 10_000 } as Context,
  );
  expect(result.statusCode).toBe(200);
  expect(JSON.parse(result.body!)).toMatchObject({ status: 'ok', ward: { id: 'sample', unitCode: '000.00.00.H99' } });
});

/**
 * `npx tsx bench/writes.ts`: the write units of intake and an action alone, without the rest of `npm run bench`
 * (bundles, watch, aggregator). It measures the requests as the full run does (bench/requests.ts, on the handlers'
 * own client, billed under AWS's rules by bench/capacity.ts against the blueprint's indexes and projections), then
 * prices them in the bills of bench/results.json: that run's operations and profiles, with the write units of
 * intake, actions and upload checks replaced by this run's. BENCH_ITERATIONS sets the requests (5 by default:
 * latency is not what this is for).
 */
import { readFileSync } from 'node:fs';
import { createLocalResources } from '../local/resources.ts';
import { startLocalWard } from '../local/ward.ts';
import { dynamo } from '../shared/adapters/aws.ts';
import { table as tableSpec } from '../shared/blueprint/resources.ts';
import { readWardFile } from '../shared/config/ward-files.ts';
import {
  type Assumptions,
  type BillLine,
  type FunctionProfile,
  type Inventory,
  monthlyBill,
  type Operation,
} from './cost-model.ts';
import { DynamoCallRecorder } from './dynamo-calls.ts';
import { measureRequests, type RequestFigures } from './requests.ts';
import { startBenchServices } from './services.ts';

interface StoredCost {
  inventory: Inventory;
  assumptions: Assumptions;
  functions: Record<string, FunctionProfile>;
  wards: { ward: { name: string }; operations: Operation[]; withFreeTier: { total: number; lines: BillLine[] } }[];
}

const iterations = Number(process.env.BENCH_ITERATIONS ?? 5);
const started = Date.now();
const log = (line: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const stored = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8')) as { cost: StoredCost };

const ward = readWardFile('sample');
const services = await startBenchServices();
const { dynamoLocal, fauxqs, raw, s3, sqs } = services;
try {
  const instance = await startLocalWard({
    ward,
    dynamoEndpoint: dynamoLocal.endpoint,
    fauxqs,
    resourcePrefix: 'bench',
    schedules: 'manual',
    logLevel: 'WARN',
  });
  let measured: Awaited<ReturnType<typeof measureRequests>>;
  try {
    const twin = await createLocalResources({ dynamo: raw, s3, sqs }, 'bench-bare');
    measured = await measureRequests({
      ward: instance,
      recorder: new DynamoCallRecorder(dynamo(), raw, tableSpec.indexes),
      raw,
      twinTable: twin.tableName,
      portalId: ward.portals[0]!.id,
      iterations,
      log,
    });
  } finally {
    await instance.stop();
  }
  const [counter, keyed, action] = measured.requests as [RequestFigures, RequestFigures, RequestFigures];
  for (const r of [counter, keyed, action]) {
    const items = r.writtenBytes.map((w) => `${w.key} ${w.bytes} B`).join(', ');
    console.log(
      `${r.name}: ${r.writeUnits} WRU, ${r.indexWriteUnits} of it indexes (${r.roundTrips} round trips; ${items})`,
    );
  }
  const writeUnits: Record<string, number> = {
    'intake, online (portal, Idempotency-Key)': keyed.writeUnits,
    'intake, at the counter': counter.writeUnits,
    actions: action.writeUnits,
    'upload checks': action.writeUnits,
  };
  const { inventory, assumptions, functions } = stored.cost;
  for (const w of stored.cost.wards) {
    const operations = w.operations.map((op) =>
      op.name in writeUnits ? { ...op, writeUnits: writeUnits[op.name] } : op,
    );
    // The table's size as that run estimated it (its backup line), so only the write units differ.
    const tableGb = w.withFreeTier.lines.find((l) => l.item.startsWith('point-in-time recovery'))!.quantity;
    const wardAssumptions = { ...assumptions, tableGb };
    const bill = monthlyBill(
      operations,
      functions,
      { ...inventory, staffUsers: w.ward.name === 'Kim Liên' ? 20 : 60 },
      wardAssumptions,
      {
        freeTier: true,
      },
    );
    const line = bill.lines.find((l) => l.service === 'DynamoDB' && l.item === 'write request units')!;
    console.log(
      `${w.ward.name}: DynamoDB writes ${Math.round(line.quantity)} WRU = US$${line.usd.toFixed(2)} a month; ` +
        `DynamoDB US$${bill.byService.DynamoDB!.toFixed(2)}; total US$${bill.total.toFixed(2)} ` +
        `(results.json: US$${w.withFreeTier.total.toFixed(2)})`,
    );
  }
} finally {
  await services.stop();
}

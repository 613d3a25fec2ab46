import { performance } from 'node:perf_hooks';
import * as ddb from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { billedWrites, type IndexSpec, type Item, type ItemWrite, itemSize, readUnits } from './capacity.ts';

/** A command's input or output, read by field name: the recorder treats every command alike. */
// biome-ignore lint/suspicious/noExplicitAny: the shapes of every DynamoDB command, read loosely
type Loose = Record<string, any>;

/** One call a handler's DynamoDB client sent, as it went on the wire (marshalled), and how many attempts it took. */
export interface RecordedCall {
  command: string;
  input: Loose;
  attempts: number;
  /** The error's name when the call failed (a condition the handler expects to fail, for one). */
  failed?: string;
}

export interface Recording {
  calls: RecordedCall[];
  /** What the calls consumed under AWS's billing rules (only when images were captured). */
  writeUnits: number;
  readUnits: number;
  indexWriteUnits: number;
  /** The ConsumedCapacity DynamoDB Local reported, summed, where the call asked for it. */
  reportedReadUnits: number;
  /** Sizes of the items written (after the call), by the partition key's prefix ("DOSSIER", "SLIP", …). */
  writtenBytes: { key: string; bytes: number }[];
  /**
   * Wall time during which reads of images for billing were in flight (overlapping reads of concurrent calls
   * counted once), inside the calls' own time: to subtract from a measured duration.
   */
  imageMs: number;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

/**
 * Watches the real DynamoDB client of the handlers in this process (shared/adapters/aws.ts): every call still goes
 * to DynamoDB Local. A middleware after marshalling records each call; with `images` on it also reads, on a client
 * of its own, each written item before and after the call (and replays each query without its projection and
 * filter), so request units can be billed from real item sizes. Images cost time: latency runs leave them off.
 */
export class DynamoCallRecorder {
  private recording: Recording | undefined;
  private images = false;
  /** Image reads in flight, and since when at least one has been. */
  private imagesInFlight = 0;
  private imagesSince = 0;

  /** Marks an image read begun; the function returned marks it done, adding to imageMs once none is in flight. */
  private imageStarted(recording: Recording): () => void {
    if (this.imagesInFlight++ === 0) this.imagesSince = performance.now();
    return () => {
      if (--this.imagesInFlight === 0) recording.imageMs += performance.now() - this.imagesSince;
    };
  }
  private askCapacity = false;
  private readonly raw: ddb.DynamoDBClient;
  private readonly indexes: readonly IndexSpec[];

  constructor(client: DynamoDBDocumentClient, raw: ddb.DynamoDBClient, indexes: readonly IndexSpec[]) {
    this.raw = raw;
    this.indexes = indexes;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const recording = this.recording;
        if (!recording) return next(args);
        const command = String(context.commandName);
        const input = args.input as Loose;
        const snapshot = structuredClone(input);
        const imageDone = this.imageStarted(recording);
        const before = this.images && WRITES.has(command) ? await this.itemsOf(command, snapshot) : undefined;
        imageDone();
        let attempts = 1;
        let failed: string | undefined;
        try {
          const result = await next(args);
          const output = result.output as Loose;
          attempts = output.$metadata?.attempts ?? 1;
          const consumed = [output.ConsumedCapacity ?? []].flat() as { CapacityUnits?: number }[];
          recording.reportedReadUnits += consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
          if (this.images) {
            const billDone = this.imageStarted(recording);
            await this.bill(recording, command, snapshot, before);
            billDone();
          }
          return result;
        } catch (error) {
          attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
          failed = (error as Error).name;
          throw error;
        } finally {
          recording.calls.push({ command, input: snapshot, attempts, ...(failed ? { failed } : {}) });
        }
      },
      { step: 'build', priority: 'low', name: 'motcuaBenchRecorder', override: true },
    );
    // Before serialization (the recorder above sees the input after it): ask reads for their consumed capacity.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          this.recording &&
          this.askCapacity &&
          /^(Query|Scan|GetItem|BatchGetItem)Command$/.test(String(context.commandName))
        )
          (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        return next(args);
      },
      { step: 'initialize', name: 'motcuaBenchConsumedCapacity', override: true },
    );
  }

  /** Records the calls `work` makes. */
  async during<T>(
    work: () => Promise<T>,
    options: { images?: boolean; consumedCapacity?: boolean } = {},
  ): Promise<{ result: T; recording: Recording }> {
    const recording: Recording = {
      calls: [],
      writeUnits: 0,
      readUnits: 0,
      indexWriteUnits: 0,
      reportedReadUnits: 0,
      writtenBytes: [],
      imageMs: 0,
    };
    this.recording = recording;
    this.images = options.images ?? false;
    this.askCapacity = options.consumedCapacity ?? false;
    try {
      return { result: await work(), recording };
    } finally {
      this.recording = undefined;
    }
  }

  /** The keys a write call touches, with the item each holds now. */
  private async itemsOf(command: string, input: Loose): Promise<Map<string, Item | undefined>> {
    const items = new Map<string, Item | undefined>();
    for (const { table, key } of writtenKeys(command, input)) {
      const found = await this.raw.send(
        new ddb.GetItemCommand({
          TableName: table,
          Key: key as unknown as Record<string, ddb.AttributeValue>,
          ConsistentRead: true,
        }),
      );
      items.set(JSON.stringify([table, key]), found.Item as Item | undefined);
    }
    return items;
  }

  private async bill(
    recording: Recording,
    command: string,
    input: Loose,
    before: Map<string, Item | undefined> | undefined,
  ): Promise<void> {
    if (before) {
      const after = await this.itemsOf(command, input);
      const writes: ItemWrite[] = writtenKeys(command, input).map(({ table, key, conditionCheck }) => {
        const id = JSON.stringify([table, key]);
        return {
          before: before.get(id),
          after: conditionCheck ? before.get(id) : after.get(id),
          transactional: command === 'TransactWriteItemsCommand',
          conditionCheck,
        };
      });
      const billed = billedWrites(writes, this.indexes);
      recording.writeUnits += billed.writeUnits;
      recording.indexWriteUnits += billed.indexWriteUnits;
      recording.readUnits += billed.readUnits;
      for (const write of writes)
        if (write.after && !write.conditionCheck)
          recording.writtenBytes.push({
            key: [write.after.pk, write.after.sk]
              .map((k) => String((k as { S?: string } | undefined)?.S ?? '').split('#')[0])
              .join('/'),
            bytes: itemSize(write.after),
          });
      return;
    }
    if (command === 'GetItemCommand') {
      const found = await this.raw.send(
        new ddb.GetItemCommand({ TableName: input.TableName, Key: input.Key, ConsistentRead: true }),
      );
      recording.readUnits += readUnits(itemSize(found.Item as Item | undefined), input.ConsistentRead === true);
    } else if (command === 'QueryCommand') {
      // What the query read: its key condition's items as the index stores them, before projection and filter.
      const { ProjectionExpression: _p, FilterExpression: _f, Select: _s, ReturnConsumedCapacity: _r, ...read } = input;
      const names = read.ExpressionAttributeNames as Record<string, string> | undefined;
      if (names) {
        const used = Object.keys(names).filter((n) => String(read.KeyConditionExpression).includes(n));
        read.ExpressionAttributeNames = used.length ? Object.fromEntries(used.map((n) => [n, names[n]])) : undefined;
      }
      const values = read.ExpressionAttributeValues as Record<string, unknown> | undefined;
      if (values) {
        const used = Object.keys(values).filter((v) => String(read.KeyConditionExpression).includes(v));
        read.ExpressionAttributeValues = Object.fromEntries(used.map((v) => [v, values[v]]));
      }
      const page = await this.raw.send(new ddb.QueryCommand(read as ddb.QueryCommandInput));
      const bytes = (page.Items ?? []).reduce((sum, item) => sum + itemSize(item as unknown as Item), 0);
      recording.readUnits += readUnits(bytes, input.ConsistentRead === true);
    }
  }
}

/** The items a write call touches: table and key of each (a transaction's ConditionCheck marked). */
export function writtenKeys(command: string, input: Loose): { table: string; key: Item; conditionCheck: boolean }[] {
  const keyOf = (item: Item): Item => ({ pk: item.pk!, sk: item.sk! });
  switch (command) {
    case 'PutItemCommand':
      return [{ table: input.TableName, key: keyOf(input.Item), conditionCheck: false }];
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [{ table: input.TableName, key: input.Key, conditionCheck: false }];
    case 'TransactWriteItemsCommand':
      return (input.TransactItems as Loose[]).map((entry) => {
        const [kind, op] = Object.entries(entry)[0]!;
        return {
          table: op.TableName,
          key: kind === 'Put' ? keyOf(op.Item) : op.Key,
          conditionCheck: kind === 'ConditionCheck',
        };
      });
    case 'BatchWriteItemCommand':
      return Object.entries(input.RequestItems as Record<string, Loose[]>).flatMap(([table, requests]) =>
        requests.map((r) => ({
          table,
          key: r.PutRequest ? keyOf(r.PutRequest.Item) : r.DeleteRequest.Key,
          conditionCheck: false,
        })),
      );
    default:
      return [];
  }
}

/** A recorded call, sent again as it was but to another table (the bare calls' twin of the handler's table). */
export function retargeted(
  call: RecordedCall,
  from: string,
  to: string,
): { send(client: ddb.DynamoDBClient): Promise<unknown> } {
  const swap = (value: unknown, key?: string): unknown => {
    if (key === 'TableName' && value === from) return to;
    if (Array.isArray(value)) return value.map((v) => swap(v));
    if (value && typeof value === 'object' && !(value instanceof Uint8Array))
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k === from && key === 'RequestItems' ? to : k, swap(v, k)]),
      );
    return value;
  };
  const input = swap(structuredClone(call.input));
  const Command = (ddb as unknown as Record<string, new (input: unknown) => Parameters<ddb.DynamoDBClient['send']>[0]>)[
    call.command
  ];
  if (!Command) throw new Error(`cannot replay ${call.command}`);
  // A call that failed for the handler (a condition it expected to fail) may fail the same way here.
  return {
    send: (client) =>
      client.send(new Command(input)).catch((error: Error) => {
        if (error.name !== call.failed) throw error;
      }),
  };
}

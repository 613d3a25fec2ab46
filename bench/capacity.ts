/**
 * DynamoDB's billing rules, applied to the items a request really wrote and read (DynamoDB Local reports no write
 * capacity, and under-reports what it does report). Pure: items in, request units out. The rules, from the
 * DynamoDB developer guide ("Item sizes and formats", "Read/write capacity mode", "Global secondary indexes:
 * provisioned throughput considerations", "Amazon DynamoDB Transactions: capacity management"):
 * - an item's size is the UTF-8 length of its attribute names plus the size of each value: a string its UTF-8
 *   length, a number 1 byte per two significant digits plus 1, binary its length, a boolean or null 1 byte, a list
 *   or map 3 bytes plus its elements (1 byte each, plus a map's names), a set the sum of its elements;
 * - a write consumes 1 WRU per KB (rounded up) of the larger of the item before and after it, at least 1;
 * - a read consumes 1 RRU per 4 KB (rounded up, summed over a query's page) if strongly consistent, half if not;
 * - in a transaction every item counts twice (a ConditionCheck as a transactional read of its item);
 * - each global secondary index the write touches is written too: an entry put, deleted, or (when its key
 *   changed) both, each at the index entry's size: the table's and the index's keys and the attributes the index
 *   projects (all of them for ALL). A change of attributes the index does not project writes nothing to it. Index
 *   writes are counted once, not doubled inside a transaction (the guide doubles the table's item writes).
 */

/** An attribute value as the low-level API carries it. */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** The size of a number: its significant digits (leading and trailing zeros trimmed), two per byte, plus 1. */
export function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  const [type, content] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(content as string);
    case 'N':
      return numberSize(content as string);
    case 'B':
      return (content as Uint8Array | string).length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (content as string[]).reduce((sum, s) => sum + utf8(s), 0);
    case 'NS':
      return (content as string[]).reduce((sum, n) => sum + numberSize(n), 0);
    case 'BS':
      return (content as Uint8Array[]).reduce((sum, b) => sum + b.length, 0);
    case 'L':
      return 3 + (content as AttributeValue[]).reduce((sum, element) => sum + 1 + valueSize(element), 0);
    case 'M':
      return (
        3 +
        Object.entries(content as Item).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0)
      );
    default:
      throw new Error(`unknown attribute type ${type}`);
  }
}

export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

const KB = 1024;
const READ_BLOCK = 4 * KB;

/** Write request units of one item write: the larger image, per KB rounded up, at least one. */
export function writeUnits(before: Item | undefined, after: Item | undefined): number {
  return Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / KB));
}

/** Read request units of reading `bytes` in one request (a GetItem, or one page of a query). */
export function readUnits(bytes: number, consistent: boolean): number {
  const blocks = Math.max(1, Math.ceil(bytes / READ_BLOCK));
  return consistent ? blocks : blocks / 2;
}

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** `keys` (KEYS_ONLY), the attributes of an INCLUDE, or `all`; the blueprint never declares ALL. */
  projection: 'keys' | 'all' | readonly string[];
}

/** The table's own keys, in every index entry. */
const TABLE_KEYS = ['pk', 'sk'];

/** An item as an index holds it: the table's and the index's keys and what the index projects. */
export function indexEntry(index: IndexSpec, item: Item): Item {
  if (index.projection === 'all') return item;
  const kept = [
    ...TABLE_KEYS,
    index.partitionKey,
    index.sortKey,
    ...(index.projection === 'keys' ? [] : index.projection),
  ];
  return Object.fromEntries(Object.entries(item).filter(([name]) => kept.includes(name)));
}

/** Write units the global secondary indexes consume for one item's change. */
export function indexWriteUnits(
  indexes: readonly IndexSpec[],
  before: Item | undefined,
  after: Item | undefined,
): number {
  const keyOf = (item: Item | undefined, index: IndexSpec) => {
    const pk = item?.[index.partitionKey];
    const sk = item?.[index.sortKey];
    return pk && sk ? JSON.stringify([pk, sk]) : undefined;
  };
  let units = 0;
  for (const index of indexes) {
    const entry = (item: Item) => Math.max(1, Math.ceil(itemSize(indexEntry(index, item)) / KB));
    const was = keyOf(before, index);
    const is = keyOf(after, index);
    if (was === undefined && is === undefined) continue;
    if (was === undefined) units += entry(after!);
    else if (is === undefined) units += entry(before!);
    else if (was !== is) units += entry(before!) + entry(after!);
    else if (JSON.stringify(indexEntry(index, before!)) !== JSON.stringify(indexEntry(index, after!)))
      units += Math.max(entry(before!), entry(after!));
  }
  return units;
}

/** One item a write call touched, with its images around the call. */
export interface ItemWrite {
  before: Item | undefined;
  after: Item | undefined;
  /** Written inside TransactWriteItems. */
  transactional: boolean;
  /** A ConditionCheck of a transaction: read, not written. */
  conditionCheck?: boolean;
}

/** What a set of item writes costs under on-demand billing. */
export function billedWrites(
  writes: readonly ItemWrite[],
  indexes: readonly IndexSpec[],
): { writeUnits: number; readUnits: number; tableWriteUnits: number; indexWriteUnits: number } {
  let table = 0;
  let index = 0;
  let reads = 0;
  for (const write of writes) {
    if (write.conditionCheck) {
      reads += 2 * readUnits(itemSize(write.before), true);
      continue;
    }
    table += (write.transactional ? 2 : 1) * writeUnits(write.before, write.after);
    index += indexWriteUnits(indexes, write.before, write.after);
  }
  return { writeUnits: table + index, readUnits: reads, tableWriteUnits: table, indexWriteUnits: index };
}

import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ControlSlipEntry, Dossier, DossierStatus, DossierSummary } from '../domain/dossier.ts';
import { NotFound, VersionMismatch } from '../domain/errors.ts';
import { type Decision, type WorkflowState, workflowStateOf, workflowStatePaths } from '../domain/workflow.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { etagOf } from '../http/etag.ts';
import { alertScheduleWrite } from './alert-schedule.ts';
import { dynamo, tableName } from './aws.ts';
import { queryAll } from './query.ts';

/**
 * The dossier's side of the single table (access patterns in docs/data-model.md):
 *   dossier            pk DOSSIER#<code>            sk DOSSIER
 *   control slip row   pk DOSSIER#<code>            sk SLIP#<seq, 4 digits>
 *   daily sequence     pk SEQUENCE#<local date>     sk SEQUENCE
 *   idempotency record pk IDEMPOTENCY#<caller>#<sha256(key)>  sk IDEMPOTENCY
 * Worklist indexes read listStatus/listAll with dueSort/filedSort.
 */
export const keys = {
  dossier: (code: string) => ({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' }),
  slip: (code: string, seq: number) => ({ pk: `DOSSIER#${code}`, sk: `SLIP#${String(seq).padStart(4, '0')}` }),
  sequence: (localDate: string) => ({ pk: `SEQUENCE#${localDate}`, sk: 'SEQUENCE' }),
  idempotency: (caller: string, keyHash: string) => ({ pk: `IDEMPOTENCY#${caller}#${keyHash}`, sk: 'IDEMPOTENCY' }),
};

/** Sorts after every ISO instant: dossiers with no due date yet (online, not accepted) come last. */
const NO_DUE_DATE = '9999-12-31T23:59:59.999Z';
export const dueSort = (dueAt: string | undefined, code: string) => `${dueAt ?? NO_DUE_DATE}#${code}`;
export const filedSort = (filedAt: string, code: string) => `${filedAt}#${code}`;

/** Attributes the item carries for the indexes and the workflow condition, not part of the dossier. */
const INDEX_ATTRIBUTES = [
  'pk',
  'sk',
  'entity',
  'listStatus',
  'listAll',
  'dueSort',
  'filedSort',
  'componentCodes',
  'applicantName',
] as const;

/**
 * The dossier item. Every write of it is billed by its whole size (1 write unit per KB, twice in a transaction), so it
 * holds nothing twice that a reader can do without: no empty apology list, no filer (the first control-slip row
 * names who filed). `applicantName` is the one copy: the list indexes project it instead of the whole applicant.
 */
export function dossierItem(dossier: Dossier): Record<string, unknown> {
  const { apologies, ...rest } = dossier;
  return {
    ...keys.dossier(dossier.code),
    entity: 'dossier',
    ...rest,
    ...(apologies.length ? { apologies } : {}),
    applicantName: dossier.applicant.fullName,
    componentCodes: dossier.components.map((c) => c.code),
    listStatus: dossier.status,
    listAll: 'DOSSIER',
    dueSort: dueSort(dossier.dueAt, dossier.code),
    filedSort: filedSort(dossier.filedAt, dossier.code),
  };
}

/** A fee as stored: DynamoDB keeps no undefined, and a fee with no method yet reads back as null. */
function feeOf(stored: unknown): Dossier['fee'] {
  const fee = { ...(stored as Dossier['fee']) };
  if (fee.method === undefined) fee.method = null;
  return fee;
}

export function slipItem(code: string, entry: ControlSlipEntry): Record<string, unknown> {
  return { ...keys.slip(code, entry.seq), entity: 'slip', code, ...entry };
}

export function dossierFromItem(item: Record<string, unknown>): Dossier {
  const copy: Record<string, unknown> = { ...item };
  for (const attribute of INDEX_ATTRIBUTES) delete copy[attribute];
  if (copy.fee && typeof copy.fee === 'object') copy.fee = feeOf(copy.fee);
  copy.apologies ??= [];
  return copy as unknown as Dossier;
}

/**
 * A dossier as a list index holds it (the blueprint's dossierSummaryAttributes, and the keys), picked attribute by
 * attribute: a worklist can show nothing the index does not project (test/unit/adapters/dossier-summary.test.ts).
 */
export function summaryFromItem(item: Record<string, unknown>): DossierSummary {
  const optional = <K extends keyof DossierSummary>(name: K) =>
    item[name] === undefined ? {} : ({ [name]: item[name] } as Pick<DossierSummary, K>);
  return {
    code: item.code as string,
    version: item.version as number,
    status: item.status as DossierStatus,
    procedure: item.procedure as DossierSummary['procedure'],
    processingMinutes: item.processingMinutes as number,
    channel: item.channel as DossierSummary['channel'],
    applicantName: item.applicantName as string,
    components: (item.componentCodes as string[]).map((code) => ({ code })),
    fee: feeOf(item.fee),
    filedAt: item.filedAt as string,
    ...optional('portalId'),
    ...optional('receivedAt'),
    ...optional('dueAt'),
    ...optional('assignee'),
    ...optional('department'),
    ...optional('supplement'),
    ...optional('timing'),
    ...optional('apologizedAt'),
  };
}

export async function getDossier(code: string): Promise<Dossier | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.dossier(code), ConsistentRead: true }),
  );
  return result.Item ? dossierFromItem(result.Item) : undefined;
}

export async function controlSlip(code: string): Promise<ControlSlipEntry[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slip)',
    ExpressionAttributeValues: { ':pk': `DOSSIER#${code}`, ':slip': 'SLIP#' },
  });
  return items.map(
    ({ pk: _pk, sk: _sk, entity: _entity, code: _code, ...entry }) => entry as unknown as ControlSlipEntry,
  );
}

class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;

  name(segment: string): string {
    const placeholder = `#${segment.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[placeholder] = segment;
    return placeholder;
  }

  path(segments: readonly string[]): string {
    return segments.map((s) => this.name(s)).join('.');
  }

  value(v: unknown): string {
    const placeholder = `:v${this.n++}`;
    this.values[placeholder] = v;
    return placeholder;
  }
}

/**
 * Writes a workflow decision in one round trip: a transaction of the dossier's conditional update and its
 * new control-slip row. The condition is the whole workflow state the decision was made on, so a stale
 * version (or a forged ETag) fails; the failure brings the current item back, so the 412 needs no read.
 */
export async function applyDecision(state: WorkflowState, decision: Decision): Promise<void> {
  const e = new Expression();
  const set: string[] = [];
  const remove: string[] = [];
  const changes: Record<string, unknown> = { ...decision.changes };
  if ('status' in changes) changes.listStatus = changes.status;
  if ('dueAt' in changes) changes.dueSort = dueSort((changes.dueAt as string | null) ?? undefined, state.code);
  for (const [attribute, value] of Object.entries(changes)) {
    const path = e.path(attribute.split('.'));
    if (value === null) remove.push(path);
    else if (typeof value === 'object' && value !== null && 'append' in value) {
      set.push(
        `${path} = list_append(if_not_exists(${path}, ${e.value([])}), ${e.value((value as { append: unknown[] }).append)})`,
      );
    } else set.push(`${path} = ${e.value(value)}`);
  }
  const conditions = ['attribute_exists(pk)'];
  for (const [field, segments] of Object.entries(workflowStatePaths) as [keyof typeof workflowStatePaths, string[]][]) {
    const value = state[field];
    const path = e.path(segments);
    conditions.push(
      value === null ? `(attribute_not_exists(${path}) OR ${path} = ${e.value(null)})` : `${path} = ${e.value(value)}`,
    );
  }
  const seq = decision.next.version;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: keys.dossier(state.code),
              UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: e.names,
              ExpressionAttributeValues: e.values,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: slipItem(state.code, { seq, ...decision.slip }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          // A due date set or moved, a clock started or stopped: the dossier's alerts are scheduled anew.
          ...[alertScheduleWrite(state.code, state, decision.next)].filter((write) => write !== undefined),
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reason = error.CancellationReasons?.[0];
    if (reason?.Code === 'ConditionalCheckFailed') {
      const current = reason.Item
        ? dossierFromItem(unmarshall(reason.Item as Record<string, AttributeValue>))
        : undefined;
      if (!current) throw new NotFound('dossier_not_found', { code: state.code });
      throw new VersionMismatch(
        'version_mismatch',
        { seen: state.version, current: current.version },
        { currentVersion: current.version, currentStatus: current.status, etag: etagOf(workflowStateOf(current)) },
      );
    }
    // Another transaction on the same dossier was under way, or took this slip row: for the caller, the same race.
    if (
      error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ConditionalCheckFailed')
    ) {
      throw new VersionMismatch('version_mismatch_race', { seen: state.version }, { currentVersion: null });
    }
    throw error;
  }
}

export interface WorklistQuery {
  status?: DossierStatus | undefined;
  field?: string | undefined;
  assignee?: string | undefined;
  channel?: string | undefined;
  dueBefore?: string | undefined;
  portalId?: string | undefined;
  order: 'due' | 'newest';
  limit: number;
  cursor?: string | undefined;
}

const MAX_QUERIES_PER_PAGE = 10;

/**
 * A worklist page: by status (or all), soonest due or newest first, with the other filters applied by
 * DynamoDB. The cursor is opaque and tied to the filters it was issued for.
 */
export async function listDossiers(query: WorklistQuery): Promise<{ items: DossierSummary[]; cursor?: string }> {
  const index =
    query.status !== undefined
      ? query.order === 'due'
        ? 'byStatusDue'
        : 'byStatusFiled'
      : query.order === 'due'
        ? 'allByDue'
        : 'allByFiled';
  const partition =
    query.status !== undefined ? { name: 'listStatus', value: query.status } : { name: 'listAll', value: 'DOSSIER' };
  const sortName = query.order === 'due' ? 'dueSort' : 'filedSort';
  const fingerprint = JSON.stringify([
    query.status,
    query.field,
    query.assignee,
    query.channel,
    query.dueBefore,
    query.portalId,
    query.order,
  ]);

  const e = new Expression();
  let keyCondition = `${e.name(partition.name)} = ${e.value(partition.value)}`;
  const filters: string[] = [];
  if (query.dueBefore !== undefined) {
    if (query.order === 'due') keyCondition += ` AND ${e.name('dueSort')} < ${e.value(query.dueBefore)}`;
    else filters.push(`${e.name('dueAt')} < ${e.value(query.dueBefore)}`);
  }
  if (query.field !== undefined) filters.push(`${e.path(['procedure', 'fieldCode'])} = ${e.value(query.field)}`);
  if (query.assignee !== undefined) filters.push(`${e.name('assignee')} = ${e.value(query.assignee)}`);
  if (query.channel !== undefined) filters.push(`${e.name('channel')} = ${e.value(query.channel)}`);
  if (query.portalId !== undefined) filters.push(`${e.name('portalId')} = ${e.value(query.portalId)}`);

  let start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, fingerprint);
  const items: Record<string, unknown>[] = [];
  let next: Record<string, unknown> | undefined;
  for (let round = 0; round < MAX_QUERIES_PER_PAGE; round++) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index,
        KeyConditionExpression: keyCondition,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: e.names,
        ExpressionAttributeValues: e.values,
        ScanIndexForward: query.order === 'due',
        // Filters apply after the limit, so a filtered query reads ahead.
        Limit: filters.length ? Math.max(query.limit * 2, 50) : query.limit - items.length + 1,
        ExclusiveStartKey: start,
      }),
    );
    const found = page.Items ?? [];
    const room = query.limit - items.length;
    items.push(...found.slice(0, room));
    if (found.length > room) {
      // More matched than fits: continue after the last item returned.
      const last = items.at(-1)!;
      next = { pk: last.pk, sk: last.sk, [partition.name]: last[partition.name], [sortName]: last[sortName] };
      break;
    }
    start = page.LastEvaluatedKey;
    next = start;
    if (!start || items.length === query.limit) break;
  }
  const cursor = next ? encodeCursor(next, fingerprint) : undefined;
  return { items: items.map(summaryFromItem), ...(cursor ? { cursor } : {}) };
}

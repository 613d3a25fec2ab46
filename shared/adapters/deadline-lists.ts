import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { wardConfig } from '../config/current-ward.ts';
import { type DeadlineDigest, type DigestEntry, deadlineDigest, digestWindow } from '../domain/deadline-digest.ts';
import { clockRunningStatuses, type DossierStatus, type DossierSummary } from '../domain/dossier.ts';
import { staffMember } from '../domain/staff.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { dynamo, tableName } from './aws.ts';
import { summaryFromItem } from './dossier-store.ts';

/**
 * Dossiers by deadline, read from the byStatusDue index by a range of its sort key (dueSort, `<dueAt>#<code>`), one
 * partition per status whose clock runs, merged soonest due first: the worklist's `overdue` and `dueSoon` filters and
 * the leaders' digest. Nothing is scanned: a range holds only dossiers due in it.
 */

/** Sorts after every `<instant>#<code>` that starts with the instant, so an inclusive bound takes that instant. */
const AFTER_INSTANT = '#\uffff';
/** Right after a dueSort, before anything greater: BETWEEN is inclusive, and the cursor continues after its key. */
const justAfter = (sortKey: string) => `${sortKey}\u0000`;

/** Statuses a deadline list reads: those whose clock runs, or the one asked for when its clock runs. */
function partitions(status: DossierStatus | undefined): DossierStatus[] {
  const running = clockRunningStatuses as readonly DossierStatus[];
  if (status === undefined) return [...running];
  return running.includes(status) ? [status] : [];
}

interface RangeRead {
  items: Record<string, unknown>[];
  /** Where this partition's read stopped short (its last key read), or undefined when it holds no more. */
  stoppedAt?: string | undefined;
}

/** Reads one partition's range, soonest due first, until `want` items matched, it ends, or `rounds` queries ran. */
async function readRange(
  status: DossierStatus,
  range: { from: string; to: string },
  options: {
    want: number;
    rounds: number;
    filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> } | undefined;
    projection?: { expression: string; names: Record<string, string> } | undefined;
  },
): Promise<RangeRead> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  for (let round = 0; round < options.rounds; round++) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'byStatusDue',
        KeyConditionExpression: '#listStatus = :status AND #dueSort BETWEEN :from AND :to',
        ...(options.filter ? { FilterExpression: options.filter.expression } : {}),
        ...(options.projection ? { ProjectionExpression: options.projection.expression } : {}),
        ExpressionAttributeNames: {
          '#listStatus': 'listStatus',
          '#dueSort': 'dueSort',
          ...options.filter?.names,
          ...options.projection?.names,
        },
        ExpressionAttributeValues: {
          ':status': status,
          ':from': range.from,
          ':to': range.to,
          ...options.filter?.values,
        },
        ScanIndexForward: true,
        // Filters apply after the limit, so a filtered read reads ahead.
        Limit: options.filter ? Math.max(options.want * 2, 50) : options.want - items.length,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      items.push(item);
      if (items.length === options.want) return { items, stoppedAt: item.dueSort as string };
    }
    start = page.LastEvaluatedKey;
    if (!start) return { items };
  }
  return { items, stoppedAt: start?.dueSort as string | undefined };
}

/**
 * Merges what each partition read: everything up to the first place a partition stopped short is complete in
 * order; beyond it another partition may still hold earlier dossiers, so nothing past it is returned yet.
 */
function merge(reads: RangeRead[]): { items: Record<string, unknown>[]; cutoff?: string | undefined } {
  const stops = reads.map((r) => r.stoppedAt).filter((s): s is string => s !== undefined);
  const cutoff = stops.sort().at(0);
  const items = reads
    .flatMap((r) => r.items)
    .filter((item) => cutoff === undefined || (item.dueSort as string) <= cutoff)
    .sort((a, b) => (a.dueSort as string).localeCompare(b.dueSort as string));
  return { items, cutoff };
}

export interface DeadlineWorklistQuery {
  overdue: boolean;
  dueSoon: boolean;
  now: number;
  dueSoonHours: number;
  status?: DossierStatus | undefined;
  field?: string | undefined;
  assignee?: string | undefined;
  channel?: string | undefined;
  portalId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Queries a partition makes per page: a filtered page reads ahead at most this often. */
const ROUNDS_PER_PAGE = 4;

/**
 * A worklist page of overdue dossiers (due before now), due-soon ones (due from now to the due-soon window's end), or
 * both, soonest due first; the other filters are applied by DynamoDB. The cursor is the sort key to continue after,
 * sealed and tied to the filters and to the instant the first page was read at, so pages do not shift as time moves.
 */
export async function listDeadlineDossiers(
  query: DeadlineWorklistQuery,
): Promise<{ items: DossierSummary[]; cursor?: string }> {
  const fingerprint = JSON.stringify([
    'deadlines',
    query.overdue,
    query.dueSoon,
    query.status,
    query.field,
    query.assignee,
    query.channel,
    query.portalId,
  ]);
  const resumed = query.cursor === undefined ? undefined : decodeCursor(query.cursor, fingerprint);
  const now = resumed ? Number(resumed.now) : query.now;
  const nowIso = new Date(now).toISOString();
  const horizonIso = new Date(now + query.dueSoonHours * 3_600_000).toISOString();
  const range = {
    from: resumed ? justAfter(resumed.after!) : query.overdue ? '' : nowIso,
    // dueSort never equals an instant alone, so `to: now` takes exactly the dossiers due before now.
    to: query.dueSoon ? `${horizonIso}${AFTER_INSTANT}` : nowIso,
  };
  if (range.from === '') range.from = '0';

  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  const equals = (path: string[], value: string | undefined) => {
    if (value === undefined) return;
    const placeholders = path.map((segment) => {
      names[`#f_${segment}`] = segment;
      return `#f_${segment}`;
    });
    values[`:f${conditions.length}`] = value;
    conditions.push(`${placeholders.join('.')} = :f${conditions.length}`);
  };
  equals(['procedure', 'fieldCode'], query.field);
  equals(['assignee'], query.assignee);
  equals(['channel'], query.channel);
  equals(['portalId'], query.portalId);
  const filter = conditions.length ? { expression: conditions.join(' AND '), names, values } : undefined;

  const reads = await Promise.all(
    partitions(query.status).map((status) =>
      readRange(status, range, { want: query.limit + 1, rounds: ROUNDS_PER_PAGE, filter }),
    ),
  );
  const merged = merge(reads);
  const page = merged.items.slice(0, query.limit);
  const more = merged.items.length > query.limit || merged.cutoff !== undefined;
  // Continue after the last dossier shown, or, when fewer matched than fit, after where a partition stopped short.
  const after = merged.items.length > query.limit ? (page.at(-1)?.dueSort as string) : merged.cutoff;
  const cursor = more && after ? encodeCursor({ after, now: String(now) }, fingerprint) : undefined;
  return { items: page.map(summaryFromItem), ...(cursor ? { cursor } : {}) };
}

/** Most dossiers one digest reads per status; a ward past it gets a digest marked incomplete. */
export const DIGEST_MAX_PER_STATUS = 2000;

/**
 * The dossiers a digest lists: every one whose clock runs and that is due up to `until`, with what the digest says
 * of each (the applicant's name, nothing else of them).
 */
export async function digestDossiers(until: number): Promise<{ entries: DigestEntry[]; complete: boolean }> {
  const range = { from: '0', to: `${new Date(until).toISOString()}${AFTER_INSTANT}` };
  const reads = await Promise.all(
    partitions(undefined).map((status) =>
      readRange(status, range, {
        want: DIGEST_MAX_PER_STATUS,
        rounds: 20,
        projection: {
          expression: '#code, #dueAt, #procedure.#name, #applicantName, #assignee, #department, #dueSort',
          names: {
            '#code': 'code',
            '#dueAt': 'dueAt',
            '#procedure': 'procedure',
            '#name': 'name',
            '#applicantName': 'applicantName',
            '#assignee': 'assignee',
            '#department': 'department',
          },
        },
      }),
    ),
  );
  const entries = reads
    .flatMap((r) => r.items)
    .map(
      (item): DigestEntry => ({
        code: item.code as string,
        dueAt: item.dueAt as string,
        procedureName: (item.procedure as { name: string }).name,
        ...(item.applicantName ? { applicantName: item.applicantName as string } : {}),
        ...(item.assignee ? { assignee: item.assignee as string } : {}),
        ...(item.department ? { department: item.department as string } : {}),
      }),
    );
  return { entries, complete: reads.every((r) => r.stoppedAt === undefined) };
}

/** The digest at `now`: what the 7:00 e-mail and GET /deadlines say, from one reading of the index. */
export async function deadlineDigestAt(now: number): Promise<DeadlineDigest> {
  const ward = wardConfig();
  const window = digestWindow(now, ward.timeZone, ward.alerts.dueSoonHours);
  const { entries, complete } = await digestDossiers(Math.max(window.endOfToday, window.dueSoonUntil));
  const named = entries.map((entry) => {
    const member = entry.assignee ? staffMember(ward.staff, entry.assignee) : undefined;
    return member ? { ...entry, assigneeName: member.displayName } : entry;
  });
  return deadlineDigest(named, { now, timeZone: ward.timeZone, dueSoonHours: ward.alerts.dueSoonHours, complete });
}

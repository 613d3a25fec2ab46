import { ConditionalCheckFailedException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CounterDifference, type DayCounters, Recount, storedCounters } from '../domain/recount.ts';
import { dynamo, tableName } from './aws.ts';
import { feedbackFromItem, ratingFromItem } from './citizen-store.ts';
import { dossierFromItem } from './dossier-store.ts';
import { reportKey } from './report-store.ts';

/**
 * Reading every dossier and every day counter of the table, and writing corrections to the counters
 * (functions/report-rebuild). One parallel scan reads both kinds: the day counters' scopes are not known before
 * (any procedure, field or other scope a counter was ever kept under), and no index holds whole dossiers.
 */

/** Items a scan page evaluates (before its filter): about 1 MB of dossiers, DynamoDB's own page limit. */
const SCAN_PAGE_ITEMS = 1000;
/** Segments scanned at once: a few requests in flight, well inside a table's on-demand throughput. */
const SCAN_SEGMENTS = 4;
/**
 * Pages one segment may take: 4 × 2,500 pages of 1,000 items is ten million items, some 1.4 million dossiers
 * (a dossier item, about six control-slip rows and an upload or so each), far past what the run's time allows.
 */
const MAX_PAGES_PER_SEGMENT = 2500;

export class RunOutOfTime extends Error {
  constructor(what: string) {
    super(`${what} did not finish within the run's time: see README.md, "Rebuilding the report counters"`);
    this.name = 'RunOutOfTime';
  }
}

export interface TableCount {
  recount: Recount;
  stored: DayCounters[];
  /** Scan pages read, all segments together. */
  pages: number;
}

/**
 * Every dossier recounted and every stored day counter read, in one parallel scan. `outOfTime` is asked before
 * each page: a run that would not finish fails rather than being cut off by Lambda.
 */
export async function countTable(timeZone: string, outOfTime: () => boolean): Promise<TableCount> {
  const recount = new Recount(timeZone);
  const stored: DayCounters[] = [];
  let pages = 0;
  const scanSegment = async (segment: number) => {
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES_PER_SEGMENT; page++) {
      if (outOfTime()) throw new RunOutOfTime('The scan of the table');
      const answer = await dynamo().send(
        new ScanCommand({
          TableName: tableName(),
          Segment: segment,
          TotalSegments: SCAN_SEGMENTS,
          Limit: SCAN_PAGE_ITEMS,
          // Consistent: a counter written before the scan reached it is read as written.
          ConsistentRead: true,
          // The items the aggregator counts, as the stream's filters pick them (shared/blueprint/resources.ts): dossiers,
          // ratings and feedback; and the day counters.
          FilterExpression:
            '(begins_with(pk, :dossiers) AND sk = :dossier) OR (begins_with(pk, :ratings) AND sk = :rating) OR ' +
            '(begins_with(pk, :feedback) AND sk = :feedbackItem) OR (begins_with(pk, :report) AND begins_with(sk, :day))',
          ExpressionAttributeValues: {
            ':dossiers': 'DOSSIER#',
            ':dossier': 'DOSSIER',
            ':ratings': 'RATING#',
            ':rating': 'RATING',
            ':feedback': 'FEEDBACK#',
            ':feedbackItem': 'FEEDBACK',
            ':report': 'REPORT#',
            ':day': 'DAY#',
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      pages++;
      for (const item of answer.Items ?? []) {
        if (item.sk === 'DOSSIER') recount.add(dossierFromItem(item));
        else if (item.sk === 'RATING') {
          const rating = ratingFromItem(item);
          if (rating) recount.addRating(rating);
        } else if (item.sk === 'FEEDBACK') {
          const feedback = feedbackFromItem(item);
          if (feedback) recount.addFeedback(feedback);
        } else
          stored.push({
            scope: String(item.pk).slice('REPORT#'.length),
            date: String(item.sk).slice('DAY#'.length),
            counters: storedCounters(item),
          });
      }
      start = answer.LastEvaluatedKey;
      if (!start) return;
    }
    throw new RunOutOfTime(`A scan segment of more than ${MAX_PAGES_PER_SEGMENT} pages`);
  };
  await Promise.all(Array.from({ length: SCAN_SEGMENTS }, (_, segment) => scanSegment(segment)));
  return { recount, stored, pages };
}

/**
 * Brings the counters of one day to their recounted values by adding the difference, on condition that each is
 * still the value the scan read. An aggregator that added to one of them since (a change counted meanwhile)
 * makes the write fail: nothing is written over its addition, and the counter is left for another run. The
 * aggregator's own additions after this one add to the corrected value, as they should.
 */
export async function correctDay(differences: readonly CounterDifference[]): Promise<'written' | 'changed'> {
  const [first] = differences;
  if (!first) return 'written';
  const names = Object.fromEntries(differences.map((d, i) => [`#c${i}`, d.counter]));
  const values: Record<string, unknown> = {
    ':entity': 'report-day',
    ':scope': first.scope,
    ':date': first.date,
  };
  const conditions: string[] = [];
  differences.forEach((d, i) => {
    values[`:d${i}`] = d.recounted - d.stored;
    // A counter read as 0 may be absent (never counted) or 0 (counted back to nothing).
    if (d.stored === 0) {
      values[':zero'] = 0;
      conditions.push(`(attribute_not_exists(#c${i}) OR #c${i} = :zero)`);
    } else {
      values[`:s${i}`] = d.stored;
      conditions.push(`#c${i} = :s${i}`);
    }
  });
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: reportKey(first.scope, first.date),
        UpdateExpression: `SET #entity = :entity, #scope = :scope, #date = :date ADD ${differences.map((_, i) => `#c${i} :d${i}`).join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#entity': 'entity', '#scope': 'scope', '#date': 'date', ...names },
        ExpressionAttributeValues: values,
      }),
    );
    return 'written';
  } catch (error) {
    // Changed since it was read, or being changed by the aggregator's transaction right now.
    if (error instanceof ConditionalCheckFailedException || error instanceof TransactionConflictException)
      return 'changed';
    throw error;
  }
}

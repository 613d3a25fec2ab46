import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../shared/adapters/aws.ts';
import type { DossierStatus } from '../../shared/domain/dossier.ts';
import { maritalStatus } from '../support/fixtures.ts';
import { seedDossier } from '../support/seed.ts';
import { officer, startTestWard, type TestWard } from '../support/ward.ts';

const HOUR = 3_600_000;
let ward: TestWard;
const codes: Record<'overdue' | 'awaitingApproval' | 'soon' | 'later' | 'resolved', string> = {} as never;

let sequence = 1;
async function seed(dueAt: number, status?: DossierStatus): Promise<string> {
  const dossier = await seedDossier(ward, maritalStatus(), {
    receivedAt: new Date(dueAt - 30 * 24 * HOUR).toISOString(),
    sequence: sequence++,
    dueAt: new Date(dueAt).toISOString(),
  });
  if (status)
    await dynamo().send(
      new UpdateCommand({
        TableName: ward.resources.tableName,
        Key: { pk: `DOSSIER#${dossier.code}`, sk: 'DOSSIER' },
        UpdateExpression: 'SET #status = :s, listStatus = :s',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': status },
      }),
    );
  return dossier.code;
}

beforeAll(async () => {
  ward = await startTestWard();
  const now = Date.now();
  codes.overdue = await seed(now - 48 * HOUR);
  codes.awaitingApproval = await seed(now - 24 * HOUR, 'pending_approval');
  codes.soon = await seed(now + 2 * HOUR);
  codes.later = await seed(now + 10 * 24 * HOUR);
  codes.resolved = await seed(now - 72 * HOUR, 'resolved');
});
afterAll(async () => {
  await ward?.stop();
});

/** The DynamoDB calls the handlers make meanwhile, with their inputs. */
async function readsDuring<T>(work: () => Promise<T>): Promise<{ result: T; calls: Record<string, unknown>[] }> {
  const calls: Record<string, unknown>[] = [];
  const name = `motcuaDeadlineReads${randomUUID().slice(0, 8)}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({ command: context.commandName, ...(args.input as Record<string, unknown>) });
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await ward.withPollersPaused(work), calls };
  } finally {
    dynamo().middlewareStack.remove(name);
  }
}

const worklist = async (query: string) => {
  const response = await ward.api.get(`/dossiers?${query}`, { as: officer });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { items: { code: string; overdue: boolean; dueSoon: boolean }[]; cursor?: string };
};

describe('the worklist by deadline', () => {
  it('lists overdue dossiers whose clock runs, soonest due first, from ranges of byStatusDue’s sort key', async () => {
    const { result, calls } = await readsDuring(() => worklist('overdue=true&limit=100'));
    expect(result.items.map((d) => d.code)).toEqual([codes.overdue, codes.awaitingApproval]);
    expect(result.items.every((d) => d.overdue)).toBe(true);
    expect(result.cursor).toBeUndefined();
    // Reads of many items: queries of that index only, never a scan.
    const reads = calls.filter((c) => /^(Query|Scan)Command$/.test(String(c.command)));
    expect(reads.length).toBeGreaterThan(0);
    for (const call of reads) {
      expect(call).toMatchObject({
        command: 'QueryCommand',
        IndexName: 'byStatusDue',
        KeyConditionExpression: expect.stringMatching(/#dueSort BETWEEN :from AND :to$/),
      });
    }
  });

  it('lists dossiers due soon, and both kinds together, in due order', async () => {
    expect((await worklist('dueSoon=true')).items.map((d) => d.code)).toEqual([codes.soon]);
    expect((await worklist('dueSoon=true&overdue=true')).items.map((d) => d.code)).toEqual([
      codes.overdue,
      codes.awaitingApproval,
      codes.soon,
    ]);
    expect((await worklist('overdue=true&status=pending_approval')).items.map((d) => d.code)).toEqual([
      codes.awaitingApproval,
    ]);
    // A finished dossier is never overdue, whatever its due date.
    expect((await worklist('overdue=true&status=resolved')).items).toEqual([]);
  });

  it('pages across statuses with signed cursors bound to the filters', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await worklist(
        `overdue=true&dueSoon=true&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((d) => d.code));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([codes.overdue, codes.awaitingApproval, codes.soon]);
    const first = await worklist('overdue=true&limit=1');
    const other = await ward.api.get(`/dossiers?dueSoon=true&limit=1&cursor=${encodeURIComponent(first.cursor!)}`, {
      as: officer,
    });
    expect(other.status).toBe(400);
    expect(other.body.errors[0]).toMatchObject({ field: 'cursor' });
    const bad = await ward.api.get('/dossiers?overdue=yes', { as: officer });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'overdue' });
  });
});

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dynamo } from '../../shared/adapters/aws.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard();
});
afterAll(async () => {
  await ward?.stop();
});

/**
 * What intake has written (the report aggregator's own items come and go in the background): its items counted by
 * entity, and each day's sequence counter by its local date.
 */
async function written() {
  const counts: Record<string, number> = { dossier: 0, slip: 0, idempotency: 0 };
  const sequences: Record<string, number> = {};
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({
        TableName: ward.resources.tableName,
        FilterExpression: 'entity IN (:dossier, :slip, :sequence, :idempotency)',
        ExpressionAttributeValues: {
          ':dossier': 'dossier',
          ':slip': 'slip',
          ':sequence': 'sequence',
          ':idempotency': 'idempotency',
        },
        ProjectionExpression: 'pk, entity, #last',
        ExpressionAttributeNames: { '#last': 'last' },
        ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.entity === 'sequence') sequences[String(item.pk).slice('SEQUENCE#'.length)] = item.last as number;
      else counts[item.entity as string] = (counts[item.entity as string] ?? 0) + 1;
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { counts, sequences };
}

/** The receipt date a dossier code carries (<unit>-YYMMDD-NNNN), as the day's sequence item names it. */
const dayOf = (code: string) => {
  const [, yymmdd] = /-(\d{6})-\d{4}$/.exec(code)!;
  return `20${yymmdd!.slice(0, 2)}-${yymmdd!.slice(2, 4)}-${yymmdd!.slice(4, 6)}`;
};

/** Paths into a valid filing, and what to do there: replace with anything, or delete. */
const valid = { online: birthRegistration(), counter: maritalStatus() };
const paths = [
  ['procedureCode'],
  ['channel'],
  ['applicant'],
  ['applicant', 'fullName'],
  ['applicant', 'idNumber'],
  ['applicant', 'phone'],
  ['applicant', 'email'],
  ['applicant', 'address'],
  ['components'],
  ['components', '0'],
  ['payment'],
  ['payment', 'method'],
  ['payment', 'paid'],
  ['note'],
];

function mutate(body: Record<string, unknown>, path: string[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(body) as Record<string, any>;
  let target = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof target[key] !== 'object' || target[key] === null) return copy;
    target = target[key];
  }
  const last = path.at(-1)!;
  if (remove) delete target[last];
  else target[last] = value;
  return copy;
}

/** Any UTF-16 text, as JSON can carry it: controls, format characters and lone surrogates included (free text refuses them). */
const anyText = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 60 })
  .map((units) => String.fromCharCode(...units));

const malformedBody = fc.oneof(
  // Any JSON at all.
  fc.jsonValue().map((v) => ({ raw: JSON.stringify(v) ?? 'null', as: 'counter' as const })),
  // Text that is not JSON.
  fc.string({ maxLength: 200 }).map((s) => ({ raw: `{${s}`, as: 'counter' as const })),
  // A valid filing with one field replaced by anything or deleted.
  fc
    .record({
      as: fc.constantFrom('online' as const, 'counter' as const),
      path: fc.constantFrom(...paths),
      value: fc.oneof(fc.jsonValue(), fc.string(), anyText, fc.integer(), fc.constant(null), fc.array(fc.string())),
      remove: fc.boolean(),
    })
    .map(({ as, path, value, remove }) => ({ raw: JSON.stringify(mutate(valid[as], path, value, remove)), as })),
  // A valid filing with an extra field.
  fc
    .record({
      as: fc.constantFrom('online' as const, 'counter' as const),
      key: fc.string({ minLength: 1, maxLength: 20 }),
      value: fc.jsonValue(),
    })
    .map(({ as, key, value }) => ({ raw: JSON.stringify({ ...valid[as], [`x${key}`]: value }), as })),
);

it('answers thousands of malformed filings with a 4xx problem and writes nothing for them', {
  timeout: 180_000,
}, async () => {
  const before = await written();
  const accepted: string[] = [];
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(malformedBody, async ({ raw, as }) => {
      const response = await ward.api.request('POST', '/dossiers', {
        as: as === 'online' ? portal : officer,
        rawBody: raw,
        headers: { 'content-type': 'application/json', ...idempotent() },
      });
      expect(response.status, raw).toBeLessThan(500);
      if (response.status === 201) {
        accepted.push(response.body.code); // a mutation that happened to stay valid (a deleted optional note, say)
      } else {
        refused += 1;
        expect([400, 415, 422], raw).toContain(response.status);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }),
    { numRuns: 2500 },
  );
  expect(refused).toBeGreaterThan(2000);
  // Each accepted filing wrote its dossier, its first control-slip row and its Idempotency-Key's record, and took
  // one number of its day's sequence (a run that crosses midnight in Viet Nam numbers two days); a refused one wrote
  // nothing, not even a claim on its key or a number.
  const after = await written();
  expect(new Set(accepted).size).toBe(accepted.length);
  for (const entity of ['dossier', 'slip', 'idempotency']) {
    expect(after.counts[entity]! - before.counts[entity]!, entity).toBe(accepted.length);
  }
  const numbered: Record<string, number> = {};
  for (const [day, last] of Object.entries(after.sequences)) {
    const taken = last - (before.sequences[day] ?? 0);
    if (taken !== 0) numbered[day] = taken;
  }
  const filedOn: Record<string, number> = {};
  for (const code of accepted) filedOn[dayOf(code)] = (filedOn[dayOf(code)] ?? 0) + 1;
  expect(numbered).toEqual(filedOn);
});

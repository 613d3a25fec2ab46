import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../shared/adapters/aws.ts';
import { maritalStatus } from '../support/fixtures.ts';
import { fileUnderLoad } from '../support/load.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

let ward: TestWard;
beforeAll(async () => {
  ward = await startTestWard();
});
afterAll(async () => {
  await ward?.stop();
});

describe('filing under load', () => {
  // Bounded for the suite: 32 clients on loopback for 15 s. `npm run bench` measures 1, 8 and 32 clients for 60 s.
  it('answers 32 concurrent clients without a 5xx, every filing once, numbers without gaps', {
    timeout: 120_000,
  }, async () => {
    const result = await fileUnderLoad(ward.api, () => maritalStatus(), 32, 15);
    const serverErrors = Object.entries(result.statuses).filter(([status]) => Number(status) >= 500);
    expect(serverErrors, JSON.stringify(result.statuses)).toEqual([]);
    expect(result.filed).toBeGreaterThan(32);
    expect(new Set(result.codes).size).toBe(result.codes.length);
    const stored = await dynamo().send(
      new ScanCommand({
        TableName: ward.resources.tableName,
        FilterExpression: 'entity = :d',
        ExpressionAttributeValues: { ':d': 'dossier' },
        ProjectionExpression: 'code',
      }),
    );
    const codes = (stored.Items ?? []).map((i) => String(i.code)).sort();
    expect(codes).toEqual([...result.codes].sort());
    // Gap-free per day, whatever the number of clients.
    const byDay = new Map<string, number[]>();
    for (const code of codes) {
      const [, day, seq] = /-(\d{6})-(\d{4})$/.exec(code)!;
      byDay.set(day!, [...(byDay.get(day!) ?? []), Number(seq)]);
    }
    for (const numbers of byDay.values()) expect(numbers.sort((a, b) => a - b)).toEqual(numbers.map((_, i) => i + 1));
  });
});

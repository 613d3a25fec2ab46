import { describe, expect, it } from 'vitest';
import {
  billedWrites,
  indexEntry,
  indexWriteUnits,
  itemSize,
  numberSize,
  readUnits,
  writeUnits,
} from '../../../bench/capacity.ts';
import {
  type Assumptions,
  AUTHORIZER,
  beyond,
  billedMs,
  cpuScale,
  documentStorage,
  FREE_TIERS,
  type Inventory,
  KIM_LIEN,
  monthlyBill,
  monthlyTraffic,
  PRICES,
  scaled,
} from '../../../bench/cost-model.ts';

const profile = { memoryMb: 512, durationMs: 10, initMs: 100, logBytes: 0, secrets: 0 };
const inventory: Inventory = {
  alarms: 0,
  secrets: 0,
  parameters: { standard: 0, advanced: 0 },
  polledQueues: { standard: 0, fifo: 0 },
  customMetrics: 0,
  staffUsers: 0,
};
const assumptions: Assumptions = {
  idleReceivesPerMinutePerQueue: 0,
  coldStartsCap: 0,
  platformLogBytes: 0,
  logRetentionMonths: 3,
  authorizerCacheHitRatio: 0.5,
  alarmNotifications: 0,
  tableGb: 0,
};
const line = (bill: ReturnType<typeof monthlyBill>, item: string) => bill.lines.find((l) => l.item === item)!;

describe('DynamoDB item sizes and request units (AWS billing rules)', () => {
  it('sizes names and values: UTF-8 strings, numbers by significant digits, maps and lists with overhead', () => {
    expect(itemSize({ pk: { S: 'DOSSIER#ở' } })).toBe(2 + 8 + 3);
    expect(numberSize('12345')).toBe(4);
    expect(numberSize('-0.00120')).toBe(2);
    expect(itemSize({ n: { N: '1' } })).toBe(1 + 2);
    expect(itemSize({ m: { M: { a: { S: 'xy' } } } })).toBe(1 + 3 + 1 + 1 + 2);
    expect(itemSize({ l: { L: [{ BOOL: true }, { NULL: true }] } })).toBe(1 + 3 + 2 + 2);
  });

  it('rounds writes up per KB of the larger image, reads per 4 KB, eventually consistent at half', () => {
    const of = (bytes: number) => ({ a: { S: 'x'.repeat(bytes - 1) } });
    expect(writeUnits(undefined, of(1024))).toBe(1);
    expect(writeUnits(undefined, of(1025))).toBe(2);
    expect(writeUnits(of(3000), of(10))).toBe(3);
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
  });

  it('doubles transactional item writes and counts each index entry put, deleted or moved', () => {
    const index = [{ name: 'byStatus', partitionKey: 's', sortKey: 'd', projection: 'all' as const }];
    const received = { pk: { S: 'A' }, s: { S: 'received' }, d: { S: '1' } };
    const moved = { ...received, s: { S: 'in_progress' } };
    expect(indexWriteUnits(index, undefined, received)).toBe(1);
    expect(indexWriteUnits(index, received, moved)).toBe(2);
    expect(indexWriteUnits(index, received, { ...received, x: { S: 'y' } })).toBe(1);
    expect(indexWriteUnits(index, received, received)).toBe(0);
    expect(indexWriteUnits(index, { pk: { S: 'A' } }, { pk: { S: 'A' }, x: { S: 'y' } })).toBe(0);
    const bill = billedWrites(
      [
        { before: undefined, after: received, transactional: true },
        { before: received, after: undefined, transactional: true, conditionCheck: true },
      ],
      index,
    );
    expect(bill).toEqual({ writeUnits: 3, readUnits: 2, tableWriteUnits: 2, indexWriteUnits: 1 });
  });

  it('bills an index entry at the size of what the index projects, and not at all for an unprojected change', () => {
    const big = { S: 'x'.repeat(1500) };
    const dossier = { pk: { S: 'A' }, sk: { S: 'D' }, s: { S: 'received' }, d: { S: '1' }, v: { N: '1' }, big };
    const include = [{ name: 'byStatus', partitionKey: 's', sortKey: 'd', projection: ['v'] }];
    const keys = [{ name: 'byStatus', partitionKey: 's', sortKey: 'd', projection: 'keys' as const }];
    const all = [{ name: 'byStatus', partitionKey: 's', sortKey: 'd', projection: 'all' as const }];
    expect(indexEntry(include[0]!, dossier)).toEqual({
      pk: dossier.pk,
      sk: dossier.sk,
      s: dossier.s,
      d: dossier.d,
      v: dossier.v,
    });
    expect(indexWriteUnits(all, undefined, dossier)).toBe(2);
    expect(indexWriteUnits(include, undefined, dossier)).toBe(1);
    // The version is projected, the large attribute is not.
    expect(indexWriteUnits(include, dossier, { ...dossier, v: { N: '2' } })).toBe(1);
    expect(indexWriteUnits(include, dossier, { ...dossier, big: { S: 'y' } })).toBe(0);
    expect(indexWriteUnits(keys, dossier, { ...dossier, v: { N: '2' } })).toBe(0);
    expect(indexWriteUnits(keys, dossier, { ...dossier, s: { S: 'in_progress' } })).toBe(2);
  });
});

describe('the monthly bill', () => {
  it('bills usage beyond the always-free tiers only when they apply, pro rata rather than per whole million', () => {
    const ops = [{ name: 'x', perMonth: FREE_TIERS.lambdaRequests + 1, function: 'f' }];
    const withFree = monthlyBill(ops, { f: profile }, inventory, assumptions, { freeTier: true });
    expect(line(withFree, 'requests').usd).toBeCloseTo(PRICES.lambdaRequest.usd, 12);
    const without = monthlyBill(ops, { f: profile }, inventory, assumptions, { freeTier: false });
    expect(line(without, 'requests').usd).toBeCloseTo((FREE_TIERS.lambdaRequests + 1) * 0.2e-6, 9);
    expect(beyond(3, 5)).toBe(0);
  });

  it('scales duration to Lambda’s CPU share, rounds each invocation up to 1 ms and bills cold starts’ init', () => {
    expect(cpuScale(1769)).toBe(1);
    expect(cpuScale(4096)).toBe(1);
    expect(billedMs(0.2)).toBe(1);
    const ops = [{ name: 'x', perMonth: 1000, function: 'f' }];
    const bill = monthlyBill(ops, { f: { ...profile, memoryMb: 1769, durationMs: 0.5, initMs: 10 } }, inventory, {
      ...assumptions,
      coldStartsCap: 10,
    });
    // 1000 × 1 ms + 10 cold starts × 10 ms, at 1769 MB.
    expect(line(bill, 'duration (init included)').quantity).toBeCloseTo((1.1 * 1769) / 1024, 9);
  });

  it('charges idle polling of every polled queue and the authorizer only for its cache misses', () => {
    const bill = monthlyBill(
      [
        { name: 'portal read', perMonth: 1000, function: 'f', api: true, authorized: true },
        { name: 'public lookup', perMonth: 300, function: 'f', api: true },
      ],
      { f: profile, [AUTHORIZER]: profile },
      { ...inventory, polledQueues: { standard: 2, fifo: 1 } },
      { ...assumptions, idleReceivesPerMinutePerQueue: 15 },
    );
    expect(line(bill, 'standard queues: messages and idle polling').quantity).toBe(2 * 15 * 43_200);
    expect(line(bill, 'FIFO queue: messages and idle polling').usd).toBeCloseTo(15 * 43_200 * 0.5e-6, 9);
    expect(bill.invocations[AUTHORIZER]).toBe(500);
    expect(line(bill, 'HTTP API requests').usd).toBeCloseTo(1300e-6, 12);
  });

  it('bills the authorizer from its own measured profile, as every function, and records no X-Ray traces', () => {
    const ops = [{ name: 'staff read', perMonth: 1000, function: 'f', api: true, authorized: true }];
    const noCache = { ...assumptions, authorizerCacheHitRatio: 0 };
    const slow = { ...profile, memoryMb: 1769, durationMs: 9.5, initMs: 0 };
    const fast = { ...profile, memoryMb: 1769, durationMs: 0.5, initMs: 0 };
    const bill = monthlyBill(ops, { f: fast, [AUTHORIZER]: slow }, inventory, noCache);
    // 1000 × 1 ms of the function and 1000 × 10 ms of the authorizer, at 1769 MB.
    expect(line(bill, 'duration (init included)').quantity).toBeCloseTo((11 * 1769) / 1024, 9);
    expect(line(bill, 'requests').quantity).toBe(2000);
    expect(() => monthlyBill(ops, { f: fast }, inventory, noCache)).toThrow(/no profile for function authorizer/);
    expect(bill.lines.map((l) => l.service)).not.toContain('X-Ray');
  });

  it('leaves the staff pool free within Cognito’s 10,000 monthly active users only with the free tiers', () => {
    const staff = { ...inventory, staffUsers: 20 };
    const withFree = monthlyBill([], {}, staff, assumptions, { freeTier: true });
    const without = monthlyBill([], {}, staff, assumptions, { freeTier: false });
    expect(line(withFree, 'staff pool MAU (Lite)').usd).toBe(0);
    expect(line(without, 'staff pool MAU (Lite)').usd).toBeCloseTo(20 * 0.0055, 9);
    const large = monthlyBill([], {}, { ...inventory, staffUsers: 10_100 }, assumptions, { freeTier: true });
    expect(line(large, 'staff pool MAU (Lite)').usd).toBeCloseTo(100 * 0.0055, 9);
  });

  it('counts alarms, metrics and secrets from the inventory and names the service that dominates', () => {
    const bill = monthlyBill([], {}, { ...inventory, alarms: 40, customMetrics: 6, secrets: 2 }, assumptions, {
      freeTier: true,
    });
    expect(line(bill, 'alarms').usd).toBeCloseTo(30 * 0.1, 9);
    expect(line(bill, 'custom metrics').usd).toBe(0);
    expect(bill.byService['Secrets Manager']).toBeCloseTo(0.8, 9);
    expect(bill.dominant).toMatchObject({ service: 'CloudWatch' });
  });

  it('bills the ward key as a standard SSM parameter: free, its cold-start reads free, their KMS decrypts beyond 20,000', () => {
    const withKey = { ...inventory, parameters: { standard: 1, advanced: 0 } };
    const reader = { ...profile, secrets: 1 };
    const ops = [{ name: 'filing', perMonth: 30_000, function: 'dossier-intake' }];
    const many = { ...assumptions, coldStartsCap: 30_000 };
    const bill = monthlyBill(ops, { 'dossier-intake': reader }, withKey, many, { freeTier: true });
    expect(line(bill, 'standard parameters')).toMatchObject({ quantity: 1, usd: 0 });
    expect(line(bill, 'GetParameter calls (cold starts)')).toMatchObject({ quantity: 30_000, usd: 0 });
    expect(line(bill, 'Decrypt requests (cold starts)').usd).toBeCloseTo((10_000 * 0.03) / 10_000, 9);
    expect(bill.byService['SSM Parameter Store']).toBe(0);
    expect(bill.byService['Secrets Manager']).toBe(0);
    const advanced = monthlyBill([], {}, { ...inventory, parameters: { standard: 0, advanced: 2 } }, assumptions);
    expect(line(advanced, 'advanced parameters').usd).toBeCloseTo(0.1, 9);
  });

  it('derives a month of Kim Liên from its quarter: a third of 7,399, 5,753 of them online', () => {
    const month = monthlyTraffic(KIM_LIEN);
    expect(month.dossiers).toBeCloseTo(7399 / 3, 9);
    expect(month.online).toBeCloseTo(5753 / 3, 9);
    expect(month.dossierChanges).toBeCloseTo(month.dossiers + month.actions, 9);
    expect(monthlyTraffic(scaled(KIM_LIEN, 10)).dossiers).toBeCloseTo((10 * 7399) / 3, 9);
    expect(documentStorage(1024, 1024 ** 2, 90).gbAddedPerMonth).toBe(1);
  });

  it('keeps a year of documents in S3 Standard for the ward’s days, then in Standard-IA, with the transitions', () => {
    // 1 GB a month: the last 3 months in Standard, 9 in Standard-IA, 1,024 objects moved each month.
    expect(documentStorage(1024, 1024 ** 2, 90).usdPerMonthAfterAYear).toBeCloseTo(
      3 * 0.023 + 9 * 0.0125 + 1024 * 0.00001,
      9,
    );
    expect(documentStorage(1024, 1024 ** 2, 3650).usdPerMonthAfterAYear).toBeCloseTo(12 * 0.023, 9);
  });
});

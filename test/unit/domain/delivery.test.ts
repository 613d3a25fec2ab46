import { describe, expect, it } from 'vitest';
import { DOSSIERS_PER_RUN, LEASE_MS, SEND_BUDGET_MS, WRITE_MARGIN_MS } from '../../../functions/portal-sync/handler.ts';
import { DELIVERY_TIMEOUT_MS } from '../../../shared/adapters/portal-webhook.ts';
import { queueConsumers, queues, schedules } from '../../../shared/blueprint/resources.ts';
import { functionLimits } from '../../../shared/blueprint/wiring.ts';
import {
  afterFailedAttempt,
  deliveryId,
  parseDeliveryId,
  retryDelaySeconds,
  retryPolicy,
} from '../../../shared/domain/delivery.ts';

const policy = retryPolicy(72);
const HOUR = 3_600_000;

describe('retries of a delivery', () => {
  it('wait twice as long after each failed attempt, with jitter, never more than an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, policy, 1))).toEqual([60, 120, 240, 480]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, policy, 0))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(40, policy, 1)).toBe(3600);
    expect(retryDelaySeconds(40, policy, 0)).toBe(1800);
  });

  it('go on until the ward’s horizon, the last attempt on it, and then the delivery is failed', () => {
    const activatedAt = Date.parse('2026-12-01T00:00:00Z');
    const early = afterFailedAttempt({ attempts: 1, activatedAt }, activatedAt + 60_000, policy, 0.5);
    expect(early).toEqual({ state: 'pending', nextAttemptAt: activatedAt + 60_000 + 45_000 });
    const nearHorizon = afterFailedAttempt({ attempts: 30, activatedAt }, activatedAt + 71.9 * HOUR, policy, 1);
    expect(nearHorizon).toEqual({ state: 'pending', nextAttemptAt: activatedAt + 72 * HOUR });
    expect(afterFailedAttempt({ attempts: 31, activatedAt }, activatedAt + 72 * HOUR, policy, 1)).toEqual({
      state: 'failed',
    });
    // Today's window was eight tries three minutes apart: well inside the horizon, a delivery is still pending.
    expect(afterFailedAttempt({ attempts: 8, activatedAt }, activatedAt + 8 * 180_000, policy, 1).state).toBe(
      'pending',
    );
  });

  it('name a delivery by its dossier and version, and read the name back', () => {
    const id = deliveryId('000.00.00.H99-261201-0001', 12);
    expect(id).toBe('000.00.00.H99-261201-0001~12');
    expect(parseDeliveryId(id)).toEqual({ code: '000.00.00.H99-261201-0001', version: 12 });
    expect(parseDeliveryId('000.00.00.H99-261201-0001')).toBeUndefined();
  });
});

describe('portal-sync’s timeouts, as the blueprint sets them', () => {
  const { timeoutSeconds } = functionLimits('portal-sync');

  it('start a send only while one whole send and its writes still fit, so no run is cut in the middle of one', () => {
    expect(SEND_BUDGET_MS).toBe(DELIVERY_TIMEOUT_MS + WRITE_MARGIN_MS);
    // The first send of every dossier of a run (they go in parallel) fits in the function's timeout.
    expect(SEND_BUDGET_MS).toBeLessThanOrEqual(timeoutSeconds * 1000);
    // Three table writes after a send, each bounded by the client's 3 s request timeout.
    expect(WRITE_MARGIN_MS).toBeGreaterThanOrEqual(3 * 3000);
    expect(DOSSIERS_PER_RUN).toBeGreaterThan(0);
  });

  it('lease a delivery for longer than any run, so two runs never send it both', () => {
    expect(LEASE_MS).toBeGreaterThan(timeoutSeconds * 1000);
  });

  it('give a slow portal longer than the ten seconds that made it get changes twice', () => {
    expect(DELIVERY_TIMEOUT_MS).toBeGreaterThan(10_000);
  });

  it('let the queue Lambda polls outlast six runs, and run the schedule every minute', () => {
    const consumer = queueConsumers.find((c) => c.function === 'portal-sync')!;
    expect(queues[consumer.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * timeoutSeconds);
    expect(schedules.find((s) => s.function === 'portal-sync')).toMatchObject({ everyMinutes: 1 });
  });
});

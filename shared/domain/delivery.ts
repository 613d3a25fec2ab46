/**
 * Deliveries of status changes to the filing portal: each change is one delivery, tried until the portal takes it
 * or the ward's horizon passes. Pure: the caller brings the clock and the randomness.
 */

export const deliveryStates = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

export interface RetryPolicy {
  /** How long after a delivery became the next to send it is tried before it is marked failed. */
  horizonSeconds: number;
  /** The wait after the first failed attempt; doubled after each further one. */
  baseSeconds: number;
  /** The longest wait between two attempts: a portal back after days gets its changes within this. */
  capSeconds: number;
}

export const retryPolicy = (horizonHours: number): RetryPolicy => ({
  horizonSeconds: horizonHours * 3600,
  baseSeconds: 60,
  capSeconds: 3600,
});

/**
 * The wait before the next attempt after `attempts` failed ones: exponential, capped, with "equal jitter" (half the
 * wait fixed, half random) so the dossiers of a portal that was down do not all come back in the same second.
 */
export function retryDelaySeconds(attempts: number, policy: RetryPolicy, random: number): number {
  const exponential = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return exponential / 2 + (exponential / 2) * Math.min(Math.max(random, 0), 1);
}

export type AttemptOutcome = { state: 'failed' } | { state: 'pending'; nextAttemptAt: number };

/**
 * What a failed attempt leads to: another one later, never after the horizon (the last one falls on it), or
 * `failed` once the horizon has passed. Instants in epoch milliseconds.
 */
export function afterFailedAttempt(
  delivery: { attempts: number; activatedAt: number },
  now: number,
  policy: RetryPolicy,
  random: number,
): AttemptOutcome {
  const horizon = delivery.activatedAt + policy.horizonSeconds * 1000;
  if (now >= horizon) return { state: 'failed' };
  const next = now + retryDelaySeconds(delivery.attempts, policy, random) * 1000;
  return { state: 'pending', nextAttemptAt: Math.min(next, horizon) };
}

/** A delivery's id in the API and in `webhook-id`: the dossier and the version whose status it carries. */
export const deliveryId = (code: string, version: number) => `${code}~${version}`;

export function parseDeliveryId(id: string): { code: string; version: number } | undefined {
  const match = /^(.+)~(\d{1,9})$/.exec(id);
  return match ? { code: match[1]!, version: Number(match[2]) } : undefined;
}
